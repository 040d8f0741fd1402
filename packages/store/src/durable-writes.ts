// Makes each write of the SQLite store durable (on disk, so it survives a power cut) before its
// call resolves, without holding the server's event loop while the disk syncs.
//
// better-sqlite3 is synchronous: with `synchronous = FULL` every commit waited for an fsync on the
// main thread, 13 ms each on this machine's disk, three per run, while every other client of the
// server waited too. The store now commits with `synchronous = NORMAL` (in WAL mode the commit is
// written to the WAL file, in the OS's cache, and survives a killed process), and the call that
// wrote then waits for an fdatasync of the WAL file, done in libuv's thread pool. Writes that
// land while a sync is under way share the next one.
import { open } from 'node:fs/promises';

/** Runs `sync` for every caller, sharing one run among callers that arrive while it waits. */
export class SharedSync {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly sync: () => Promise<void>) {}

  /** Resolves once a sync that started after this call has finished. */
  flush(): Promise<void> {
    // A sync already under way may have started before the caller's write: wait for the next.
    if (this.next) return this.next;
    if (!this.running) return (this.running = this.start());
    this.next = this.running.then(
      () => this.promote(),
      () => this.promote(),
    );
    return this.next;
  }

  private start(): Promise<void> {
    return this.sync().finally(() => {
      this.running = null;
    });
  }

  private promote(): Promise<void> {
    this.next = null;
    return (this.running = this.start());
  }
}

/** fdatasync of a file by path (the WAL is reopened each time: SQLite may recreate it). */
export function syncFile(path: string): () => Promise<void> {
  return async () => {
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      // No WAL (nothing written since the last checkpoint removed it): nothing to sync.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  };
}

/**
 * Wraps every method of `store` but the `unsynced` ones: a call that changed rows (`changes()`
 * moved) resolves only once `sync` has flushed them. An unsynced method's write is committed
 * before it returns, as every write is, and reaches the disk with the next sync (the WAL is
 * written in order); it is for a write that nothing relies on surviving a power cut.
 */
export function durableWrites<T extends object>(
  store: T,
  changes: () => number,
  sync: SharedSync,
  unsynced: readonly (keyof T & string)[] = [],
): T {
  const wrapped = { ...store } as Record<string, unknown>;
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function' || unsynced.includes(name as keyof T & string)) continue;
    const method = value as (...args: unknown[]) => unknown;
    wrapped[name] = async (...args: unknown[]) => {
      const before = changes();
      const result = await method.apply(store, args);
      if (changes() !== before) await sync.flush();
      return result;
    };
  }
  return wrapped as T;
}
