import { useCallback, useEffect, useRef, useState } from 'react';

export type Async<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; message: string };

export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [value, setValue] = useState<Async<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setValue({ state: 'loading' });
    load().then(
      (v) => live && setValue({ state: 'ready', value: v }),
      (e: unknown) =>
        live && setValue({ state: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return value;
}

/**
 * Like useAsync, and `reload()` asks again while the page keeps showing what it has: a page
 * that updates itself (a new comment, a run that finished) must not blank out or lose its
 * scroll position meanwhile. A reload that fails leaves the last value.
 */
export function useReloadable<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: Async<T>; reload: () => Promise<void>; update: (change: (value: T) => T) => void } {
  const [value, setValue] = useState<Async<T>>({ state: 'loading' });
  const latest = useRef(load);
  latest.current = load;
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setValue({ state: 'loading' });
    load().then(
      (v) => mine === generation.current && setValue({ state: 'ready', value: v }),
      (e: unknown) =>
        mine === generation.current &&
        setValue({ state: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  const reload = useCallback(async () => {
    const mine = generation.current;
    try {
      const v = await latest.current();
      if (mine === generation.current) setValue({ state: 'ready', value: v });
    } catch {
      // Keep showing the last answer; the next reload may do better.
    }
  }, []);
  const update = useCallback((change: (value: T) => T) => {
    setValue((v) => (v.state === 'ready' ? { state: 'ready', value: change(v.value) } : v));
  }, []);
  return { data: value, reload, update };
}
