// The store route tests run on: SQLite in the test's temporary directory, or with
// LAB_TEST_STORE=postgres a fresh database in a temporary PostgreSQL cluster (one per test file,
// stopped after it), so the routes are tried on both stores.
import { afterAll } from 'vitest';
import { openStore } from '@ebpf-lab/store';
import type { Store } from '@ebpf-lab/store';
import { startTemporaryPostgres } from '@ebpf-lab/store/testing';
import type { TemporaryPostgres } from '@ebpf-lab/store/testing';

let cluster: Promise<TemporaryPostgres> | undefined;

afterAll(async () => {
  const running = cluster;
  cluster = undefined;
  if (running) await (await running).stop();
});

export async function openTestStore(dir: string): Promise<Store> {
  if (process.env.LAB_TEST_STORE !== 'postgres') return (await openStore(dir)).store;
  cluster ??= startTemporaryPostgres();
  const databaseUrl = await (await cluster).newDatabase();
  return (await openStore(dir, { databaseUrl })).store;
}
