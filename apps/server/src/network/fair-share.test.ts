// Fair shares counted in a shared store: two FairShare objects stand for two web nodes on one
// store (SQLite in memory here; the store's own tests run the same counts on PostgreSQL, and
// shared-limits.test.ts runs two real web processes). The clock is the test's.
import { openSqliteStore } from '@ebpf-lab/store';
import type { Store } from '@ebpf-lab/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FairShare, SHARE_LEASE_MS } from './fair-share.ts';
import type { LabClient } from '../identity.ts';
import type { Grant } from './fair-share.ts';

const limits = {
  socketsPerUser: 2,
  socketsPerAddress: 2,
  runsActivePerClient: 2,
  runsPerMinutePerAddress: 5,
};
const visitor: LabClient = { user: null, address: '10.0.0.7' };
const ana: LabClient = {
  user: { id: 'u-ana', email: 'ana@lab.org', name: 'Ana', role: 'student' },
  address: '10.0.0.7',
};

let store: Store;
let nodeA: FairShare;
let nodeB: FairShare;
let run = 0;

const start = (node: FairShare, client: LabClient) => node.startRun(client, `run-${++run}`);
const taken = (grant: Grant) => {
  if (!grant.ok) throw new Error(`refused: ${grant.message}`);
  return grant;
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  store = openSqliteStore(':memory:');
  nodeA = new FairShare(limits, Date.now, store);
  nodeB = new FairShare(limits, Date.now, store);
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

describe('fair shares on a shared store', () => {
  it('gives a client one active share over both nodes, freed when a run ends', async () => {
    const first = taken(await start(nodeA, visitor));
    taken(await start(nodeB, visitor));
    expect(await start(nodeA, visitor)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/already have 2 runs queued or running/),
    });
    // A signed-in user at the same address has a share of their own.
    taken(await start(nodeB, ana));
    await first.release();
    taken(await start(nodeB, visitor));
  });

  it('counts signed-out runs per minute over both nodes, and signed-in ones not here', async () => {
    for (let i = 0; i < 5; i++) await taken(await start(i % 2 ? nodeA : nodeB, visitor)).release();
    expect(await start(nodeA, visitor)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/at most 5 runs per minute from one address/),
    });
    // A signed-in user's runs per minute are counted with the stored runs, not here.
    for (let i = 0; i < 6; i++) await taken(await start(nodeA, ana)).release();
    vi.advanceTimersByTime(60_001);
    taken(await start(nodeB, visitor));
  });

  it("keeps a live node's shares while its runs wait, and frees a dead node's when they lapse", async () => {
    // A node whose renewals never reach the store, as when it has died.
    const dead = new FairShare(limits, Date.now, {
      takeRunShare: (r) => store.takeRunShare(r),
      releaseRunShare: (id) => store.releaseRunShare(id),
      renewRunShares: async () => {},
    });
    taken(await start(nodeA, visitor));
    taken(await start(dead, visitor));
    await vi.advanceTimersByTimeAsync(SHARE_LEASE_MS * 3);
    // The dead node's share lapsed; nodeA's still holds: one share free.
    taken(await start(nodeB, visitor));
    expect(await start(nodeB, visitor)).toMatchObject({ ok: false });
  });
});
