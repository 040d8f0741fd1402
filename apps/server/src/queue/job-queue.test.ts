import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobAbandonedError, JobCancelledError, JobQueue, QueueFullError } from './job-queue.ts';

const opts = { concurrency: 1, jobTimeoutMs: 10_000, watchdogMs: 1000, maxQueued: 10 };

/** A job that finishes when the test says so. */
function gate<T>(value: T) {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, work: async () => (await opened, value) };
}

describe('JobQueue', () => {
  it('runs at most `concurrency` jobs and tells waiting jobs their position', async () => {
    const q = new JobQueue({ ...opts, concurrency: 2 });
    const gates = [gate('a'), gate('b'), gate('c'), gate('d')];
    const positions: number[][] = gates.map(() => []);
    const handles = gates.map((g, i) => q.enqueue(g.work, (p) => positions[i].push(p)));
    expect(q.metrics()).toMatchObject({ running: 2, queued: 2 });
    expect(positions[2]).toEqual([1]);
    expect(positions[3]).toEqual([2]);
    gates[0].open();
    await handles[0].result;
    await Promise.resolve();
    expect(positions[2]).toEqual([1, 0]);
    expect(positions[3]).toEqual([2, 1]);
    for (const g of gates) g.open();
    expect(await Promise.all(handles.map((h) => h.result))).toEqual(['a', 'b', 'c', 'd']);
    expect(q.metrics()).toMatchObject({ running: 0, queued: 0, completed: 4 });
  });

  it('aborts a job at its timeout', async () => {
    const q = new JobQueue({ ...opts, jobTimeoutMs: 50 });
    const h = q.enqueue(
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error)),
        ),
    );
    await expect(h.result).rejects.toThrow(/longer than 0.05 s/);
    expect(q.metrics()).toMatchObject({ timedOut: 1, failed: 1, running: 0 });
  });

  it('takes the slot back from a job that ignores its abort, and runs the next one', async () => {
    const q = new JobQueue({ ...opts, jobTimeoutMs: 30, watchdogMs: 30 });
    const stuck = q.enqueue(() => new Promise(() => {}));
    const next = q.enqueue(async () => 'next');
    await expect(stuck.result).rejects.toBeInstanceOf(JobAbandonedError);
    expect(await next.result).toBe('next');
    expect(q.metrics()).toMatchObject({ abandoned: 1, completed: 1, running: 0 });
  });

  it('cancels waiting jobs without running them and moves the others up', async () => {
    const q = new JobQueue(opts);
    const first = gate(1);
    const positions: number[] = [];
    let ran = false;
    const a = q.enqueue(first.work);
    const b = q.enqueue(async () => {
      ran = true;
    });
    const c = q.enqueue(
      async () => 3,
      (p) => positions.push(p),
    );
    b.cancel();
    await expect(b.result).rejects.toBeInstanceOf(JobCancelledError);
    expect(positions).toEqual([2, 1]);
    first.open();
    await a.result;
    expect(await c.result).toBe(3);
    expect(ran).toBe(false);
  });

  it('refuses jobs beyond the waiting limit', () => {
    const q = new JobQueue({ ...opts, maxQueued: 1, jobTimeoutMs: 50, watchdogMs: 50 });
    // Abandoned after the test: their ends are expected, not unhandled.
    q.enqueue(() => new Promise(() => {})).result.catch(() => {});
    q.enqueue(() => new Promise(() => {})).result.catch(() => {});
    expect(q.hasRoom()).toBe(false);
    expect(() => q.enqueue(async () => 0)).toThrow(QueueFullError);
  });

  it('runs background jobs one at a time, letting foreground jobs past the ones that wait', async () => {
    const q = new JobQueue({ ...opts, concurrency: 2 });
    const [r1, r2, live] = [gate('r1'), gate('r2'), gate('live')];
    const started: string[] = [];
    const onStart = (name: string) => (p: number) => p === 0 && started.push(name);
    const h1 = q.enqueue(r1.work, onStart('r1'), { background: true });
    const h2 = q.enqueue(r2.work, onStart('r2'), { background: true });
    const hl = q.enqueue(live.work, onStart('live'));
    // r2 waits for r1's background slot; the live job takes the second slot at once.
    expect(started).toEqual(['r1', 'live']);
    expect(q.metrics()).toMatchObject({ running: 2, queued: 1 });
    r1.open();
    await h1.result;
    expect(started).toEqual(['r1', 'live', 'r2']);
    live.open();
    r2.open();
    expect(await Promise.all([h2.result, hl.result])).toEqual(['r2', 'live']);
  });

  it('does not count waiting background jobs against the waiting limit', () => {
    const q = new JobQueue({ ...opts, maxQueued: 1, jobTimeoutMs: 50, watchdogMs: 50 });
    const never = () => new Promise(() => {});
    for (let i = 0; i < 5; i++)
      q.enqueue(never, undefined, { background: true }).result.catch(() => {});
    expect(q.hasRoom()).toBe(true);
    const positions: number[] = [];
    q.enqueue(never, (p) => positions.push(p)).result.catch(() => {});
    // The one slot runs a background job; the four waiting behind it start after this one.
    expect(positions).toEqual([1]);
    expect(q.hasRoom()).toBe(false);
  });

  describe('positions', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('tells the moves of waiting jobs at most once per interval, ending on the latest', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const q = new JobQueue({ ...opts, positionIntervalMs: 1000 });
      const gates = ['a', 'b', 'c', 'd', 'e'].map((name) => gate(name));
      const heard: number[][] = gates.map(() => []);
      const handles = gates.map((g, i) => q.enqueue(g.work, (p) => heard[i].push(p)));
      expect(heard[4]).toEqual([4]);
      // The first move is told at once.
      gates[0].open();
      await handles[0].result;
      expect(heard[4]).toEqual([4, 3]);
      // Two more within the interval: each start is told to the job that starts, the moves of
      // the others only once the interval is over, as their latest position.
      gates[1].open();
      await handles[1].result;
      gates[2].open();
      await handles[2].result;
      expect(heard[3]).toEqual([3, 2, 0]);
      expect(heard[4]).toEqual([4, 3]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(heard[4]).toEqual([4, 3, 1]);
      // Nothing moved since: nothing more is told.
      await vi.advanceTimersByTimeAsync(5000);
      expect(heard[4]).toEqual([4, 3, 1]);
      gates[3].open();
      gates[4].open();
      expect(await Promise.all(handles.map((h) => h.result))).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(heard[4]).toEqual([4, 3, 1, 0]);
    });

    it('never tells a cancelled job, and still tells the ones behind it', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const q = new JobQueue({ ...opts, positionIntervalMs: 1000 });
      const first = gate('first');
      const heard: number[][] = [[], [], []];
      const running = q.enqueue(first.work);
      const waiting = [0, 1, 2].map((i) =>
        q.enqueue(
          async () => i,
          (p) => heard[i].push(p),
        ),
      );
      waiting[0].cancel();
      await expect(waiting[0].result).rejects.toBeInstanceOf(JobCancelledError);
      waiting[1].cancel();
      await expect(waiting[1].result).rejects.toBeInstanceOf(JobCancelledError);
      expect(heard[2]).toEqual([3, 2]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(heard).toEqual([[1], [2, 1], [3, 2, 1]]);
      first.open();
      await running.result;
      expect(await waiting[2].result).toBe(2);
      expect(heard[2]).toEqual([3, 2, 1, 0]);
    });
  });
});
