// Persistence for accounts, sessions, courses, runs, comments and drafts. The server only sees
// the `Store` interface; `openStore` picks the implementation: SQLite in the data directory (the
// embedded lab), or PostgreSQL when a database URL is configured (web nodes and grader workers
// sharing one database).
import { join } from 'node:path';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { Store } from './types.ts';

export type * from './types.ts';
export { openPostgresStore } from './postgres-store.ts';
export { openSqliteStore } from './sqlite-store.ts';

export interface OpenStoreOptions {
  /** `postgres://…`: use PostgreSQL instead of `<dataDir>/lab.sqlite`. */
  databaseUrl?: string;
  /**
   * Mark every run left `queued` or `running` as `interrupted` (default true). Right for the
   * embedded lab, whose queue dies with its process; wrong for a web node of a shared queue,
   * whose peers and workers still own their runs.
   */
  interruptUnfinished?: boolean;
}

/**
 * Opens the store, applies migrations, and marks every run the previous process left `queued`
 * or `running` as `interrupted`, so none is lost in silence.
 */
export async function openStore(
  dataDir: string,
  options: OpenStoreOptions = {},
): Promise<{ store: Store; interrupted: number }> {
  const store = options.databaseUrl
    ? await openPostgresStore(options.databaseUrl)
    : openSqliteStore(join(dataDir, 'lab.sqlite'));
  const interrupted =
    options.interruptUnfinished === false ? 0 : await store.interruptUnfinishedRuns();
  return { store, interrupted };
}
