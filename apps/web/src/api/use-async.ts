import { useEffect, useState } from 'react';

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
