// The editor's chunk (Monaco is most of the bundle), loaded once per page. Routes that show an
// editor start it as soon as they are matched, so it downloads and starts while their own chunk
// and data load rather than after them.
import type { CodeEditor } from './CodeEditor.tsx';

let loading: Promise<{ CodeEditor: typeof CodeEditor }> | null = null;

export function loadCodeEditor(): Promise<{ CodeEditor: typeof CodeEditor }> {
  loading ??= import('./CodeEditor.tsx').catch((error: unknown) => {
    // A failed chunk (a network error, a lab updated under the page) may load on a retry.
    loading = null;
    throw error;
  });
  return loading;
}
