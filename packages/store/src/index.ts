// Persistence for accounts, courses, runs and comments. The server only sees the `Store`
// interface; `openStore` picks the implementation (SQLite today; PostgreSQL is its own issue).
import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.ts';
import type { Store } from './types.ts';

export type * from './types.ts';
export { openSqliteStore } from './sqlite-store.ts';

/**
 * Opens the store in `dataDir` (`lab.sqlite`), applies migrations, and marks every run the
 * previous process left `queued` or `running` as `interrupted`, so none is lost in silence.
 */
export async function openStore(dataDir: string): Promise<{ store: Store; interrupted: number }> {
  const store = openSqliteStore(join(dataDir, 'lab.sqlite'));
  const interrupted = await store.interruptUnfinishedRuns();
  return { store, interrupted };
}
