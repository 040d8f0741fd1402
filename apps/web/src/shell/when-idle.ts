/**
 * Runs `work` when the browser has nothing more urgent to do, at the latest after `ms`; returns
 * what cancels it. Where there is no `requestIdleCallback` (Safari), `work` runs as the next task.
 */
export function whenIdle(work: () => void, ms: number): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(work, { timeout: ms });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(work, 0);
  return () => clearTimeout(id);
}
