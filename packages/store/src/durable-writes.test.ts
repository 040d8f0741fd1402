import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { durableWrites, SharedSync, syncFile } from './durable-writes.ts';
import { openSqliteStore } from './sqlite-store.ts';

/** A sync that finishes only when the test says so, counting how often it started. */
function heldSync() {
  const started: (() => void)[] = [];
  const sync = new SharedSync(
    () =>
      new Promise<void>((resolve) => {
        started.push(resolve);
      }),
  );
  return { sync, started };
}

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('SharedSync', () => {
  it('shares one sync among the calls that arrive while it waits to start', async () => {
    const { sync, started } = heldSync();
    const first = sync.flush();
    const second = sync.flush();
    const third = sync.flush();
    expect(second).toBe(third);
    expect(started).toHaveLength(1);
    // The first sync may have started before the second call's write: the second waits for
    // a sync of its own, which starts when the first ends.
    started[0]();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    expect(started).toHaveLength(2);
    started[1]();
    expect(await settled(second)).toBe(true);
    // Idle again: the next call starts at once.
    void sync.flush();
    expect(started).toHaveLength(3);
    started[2]();
  });

  it('passes a failed sync to its callers, and syncs again for the next', async () => {
    let fail = true;
    let runs = 0;
    const sync = new SharedSync(async () => {
      runs++;
      if (fail) throw new Error('EIO');
    });
    await expect(sync.flush()).rejects.toThrow('EIO');
    fail = false;
    await expect(sync.flush()).resolves.toBeUndefined();
    expect(runs).toBe(2);
  });
});

describe('durableWrites', () => {
  it('resolves a call that changed rows only after a sync, and a read without one', async () => {
    let rows = 0;
    const { sync, started } = heldSync();
    const store = durableWrites(
      {
        async write() {
          rows++;
          return 'written';
        },
        async read() {
          return rows;
        },
      },
      () => rows,
      sync,
    );
    expect(await store.read()).toBe(0);
    expect(started).toHaveLength(0);
    const written = store.write();
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(1);
    expect(await settled(written.then(() => {}))).toBe(false);
    started[0]();
    await expect(written).resolves.toBe('written');
  });
});

describe('durableWrites, unsynced methods', () => {
  it('resolves an unsynced write at once; the next synced write waits for its sync', async () => {
    let rows = 0;
    const { sync, started } = heldSync();
    const store = durableWrites(
      {
        async start() {
          rows++;
        },
        async finish() {
          rows++;
        },
      },
      () => rows,
      sync,
      ['start'],
    );
    await store.start();
    expect(rows).toBe(1);
    expect(started).toHaveLength(0);
    const finished = store.finish();
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(1);
    expect(await settled(finished)).toBe(false);
    started[0]();
    await expect(finished).resolves.toBeUndefined();
  });
});

describe('the SQLite store', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps what it wrote across a reopen, its writes wrapped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ebpf-lab-durable-'));
    const file = join(dir, 'lab.sqlite');
    const store = openSqliteStore(file);
    const user = await store.createUser({
      email: 'a@example.org',
      name: 'A',
      passwordHash: 'x',
      role: 'student',
    });
    await store.close();
    const again = openSqliteStore(file);
    expect((await again.getUser(user.id))?.email).toBe('a@example.org');
    await again.close();
  });

  it('syncs a missing WAL as nothing to do', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ebpf-lab-durable-'));
    await expect(syncFile(join(dir, 'none-wal'))()).resolves.toBeUndefined();
  });
});
