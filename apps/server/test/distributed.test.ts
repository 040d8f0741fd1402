// The distributed transport on a real Redis, in one process: a web node's remote runner and
// grader workers with a scripted runner. The processes-and-kernel version is
// distributed-grading.test.ts.
import type { RunResult } from '@ebpf-lab/protocol';
import type { LabRunner, RunProgress, RunRequest } from '@ebpf-lab/runner';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGraderWorker } from '../src/distributed/grader-worker.ts';
import type { GraderWorker } from '../src/distributed/grader-worker.ts';
import { connectRemoteRunner } from '../src/distributed/remote-runner.ts';
import type { RemoteRunner } from '../src/distributed/remote-runner.ts';
import type { RunnerProgress } from '../src/runs/run-lifecycle.ts';
import { fakeResult } from './auth-harness.ts';
import { startTemporaryRedis } from './temporary-redis.ts';
import type { TemporaryRedis } from './temporary-redis.ts';

const logger = pino({ level: 'silent' });

/** Reports a stage, an event and a check, then waits for `release` when the code says so. */
function scriptedRunner(kernel: string) {
  const gates = new Map<string, () => void>();
  const runner: LabRunner = {
    async run(request: RunRequest, onProgress: (p: RunProgress) => void, signal?: AbortSignal) {
      onProgress({ type: 'stage', stage: 'compile', state: 'started' });
      onProgress({
        type: 'event',
        event: { kind: 'scenario', scenario: 'base', title: request.code },
      });
      if (request.code.startsWith('hold')) {
        await new Promise<void>((resolve, reject) => {
          gates.set(request.runId, resolve);
          signal?.addEventListener('abort', () => reject(signal.reason as Error));
        });
      }
      const result: RunResult = fakeResult(request.runId, request.exerciseId, true);
      onProgress({ type: 'check', check: result.checks[0] });
      return { ...result, versions: { ...result.versions, kernel } };
    },
  };
  return { runner, gates };
}

let redis: TemporaryRedis;
let web: RemoteRunner;
const workers: GraderWorker[] = [];

beforeAll(async () => {
  redis = await startTemporaryRedis();
  web = await connectRemoteRunner({ redisUrl: redis.url, logger, positionIntervalMs: 50 });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await web?.close();
  await redis?.stop();
});

const worker = async (runner: LabRunner, name: string, concurrency = 1) => {
  const w = await startGraderWorker({
    redisUrl: redis.url,
    runner,
    logger,
    name,
    concurrency,
    runTimeoutMs: 10_000,
    lockMs: 2000,
  });
  workers.push(w);
  return w;
};

describe('distributed grading', () => {
  it('brings a run progress back in order and its result from the worker, with its kernel', async () => {
    await worker(scriptedRunner('6.18-grader-a').runner, 'a');
    const seen: RunnerProgress[] = [];
    const result = await web.run({ runId: 'order-1', exerciseId: 'ex', code: 'int x;' }, (p) =>
      seen.push(p),
    );
    // A loaded machine may also report the run's place before the worker takes it.
    expect(seen.filter((p) => p.type !== 'queued').map((p) => p.type)).toEqual([
      'stage',
      'event',
      'check',
    ]);
    expect(seen.findIndex((p) => p.type === 'queued')).toBeLessThan(1);
    expect(result).toMatchObject({ runId: 'order-1', status: 'pass' });
    expect(result.versions.kernel).toBe('6.18-grader-a');
  });

  it('tells waiting runs their place in the queue, and 0 never while they wait', async () => {
    const { runner, gates } = scriptedRunner('k');
    await worker(runner, 'a');
    const positions = new Map<string, number[]>();
    const ids = ['pos-1', 'pos-2', 'pos-3'];
    const results = ids.map((runId) =>
      web.run({ runId, exerciseId: 'ex', code: 'hold' }, (p) => {
        if (p.type === 'queued')
          positions.set(runId, [...(positions.get(runId) ?? []), p.position]);
      }),
    );
    await expect.poll(() => positions.get('pos-3')?.at(-1), { timeout: 10_000 }).toBe(2);
    expect(positions.get('pos-2')?.at(-1)).toBe(1);
    for (const runId of ids) {
      await expect.poll(() => gates.has(runId), { timeout: 10_000 }).toBe(true);
      gates.get(runId)!();
    }
    expect((await Promise.all(results)).map((r) => r.runId)).toEqual(ids);
    await expect.poll(() => positions.get('pos-3')?.at(-1), { timeout: 5000 }).toBe(1);
  });

  it('stops a running run on its worker when the web node cancels it', async () => {
    const { runner, gates } = scriptedRunner('k');
    await worker(runner, 'a');
    const controller = new AbortController();
    const run = web.run(
      { runId: 'cancel-1', exerciseId: 'ex', code: 'hold' },
      () => {},
      controller.signal,
    );
    await expect.poll(() => gates.has('cancel-1'), { timeout: 10_000 }).toBe(true);
    controller.abort(new Error('the tab closed'));
    await expect(run).rejects.toThrow('the tab closed');
    // The worker is free again: a next run is answered.
    const next = await web.run({ runId: 'cancel-2', exerciseId: 'ex', code: 'x' }, () => {});
    expect(next.runId).toBe('cancel-2');
  });

  it('rejects a run whose worker failed outside the run, so it is marked interrupted', async () => {
    const broken: LabRunner = {
      run: () => Promise.reject(new Error('loader missing')),
    };
    await worker(broken, 'broken');
    await expect(
      web.run({ runId: 'broken-1', exerciseId: 'ex', code: 'x' }, () => {}),
    ).rejects.toThrow(/loader missing/);
  });
});
