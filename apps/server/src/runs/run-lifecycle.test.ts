import type { RunResult } from '@ebpf-lab/protocol';
import type { RunRequest } from '@ebpf-lab/runner';
import type { Run } from '@ebpf-lab/store';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { JobQueue } from '../queue/job-queue.ts';
import { RunLifecycle } from './run-lifecycle.ts';
import type { RunExecutor, RunTransition } from './run-lifecycle.ts';
import type { RunRecorder } from './run-recorder.ts';

const logger = pino({ level: 'silent' });

function result(request: RunRequest): RunResult {
  return {
    runId: request.runId,
    exerciseId: request.exerciseId,
    status: 'pass',
    gradable: true,
    summary: 'All checks pass.',
    stages: [],
    checks: [],
    diagnostics: [],
    observations: [],
    limits: [],
    versions: { kernel: 'k', clang: 'c', libbpf: 'l', exerciseHash: 'h' },
    startedAt: new Date().toISOString(),
    durationMs: 1,
  };
}

/** Keeps every store write in order, as `runId state`. */
function memoryRecorder(writes: string[]): RunRecorder {
  return {
    async recordRunAccepted({ runId, code }) {
      if (code.includes('too much')) return { ok: false, code: 'rate-limited', message: 'limit' };
      writes.push(`${runId} queued`);
      return { ok: true, courseId: null };
    },
    async recordRerunAccepted({ runId, original, requestedBy }) {
      writes.push(`${runId} queued rerun of ${original.id} by ${requestedBy}`);
    },
    async recordRunStarted(runId) {
      writes.push(`${runId} running`);
    },
    async recordRunFinished(runId, r) {
      writes.push(`${runId} finished`);
      const result = { ...r, summary: 'as stored' };
      return { result, json: JSON.stringify(result) };
    },
    async recordRunInterrupted(runId) {
      writes.push(`${runId} interrupted`);
    },
  };
}

/** A runner whose runs finish when the test says so. */
function gatedRunner() {
  const waiting = new Map<string, { open(): void; fail(e: Error): void }>();
  const started: string[] = [];
  const runner: RunExecutor = {
    run: (request) =>
      new Promise<RunResult>((resolve, reject) => {
        started.push(request.runId);
        waiting.set(request.runId, { open: () => resolve(result(request)), fail: reject });
      }),
  };
  return { runner, started, waiting };
}

const queue = (concurrency = 2) =>
  new JobQueue({ concurrency, jobTimeoutMs: 10_000, watchdogMs: 1000, maxQueued: 10 });

const original: Run = {
  id: 'orig',
  userId: 'ana',
  exerciseId: 'ex',
  code: 'int x;',
  kind: 'student',
  rerunOf: null,
  requestedBy: null,
  state: 'finished',
} as Run;

describe('RunLifecycle', () => {
  it('records a student run once per state, in order, and announces each', async () => {
    const writes: string[] = [];
    const seen: string[] = [];
    const { runner, waiting } = gatedRunner();
    const runs = new RunLifecycle({
      queue: queue(),
      runner,
      logger,
      recorder: memoryRecorder(writes),
    });
    runs.subscribe((t) => seen.push(`${t.runId} ${t.state}`));
    const accepted = await runs.accept({ runId: 'r1', exerciseId: 'ex', code: 'ok', user: null });
    if (!accepted.ok) throw new Error('refused');
    const started = runs.start(accepted.run);
    await expect.poll(() => waiting.has('r1')).toBe(true);
    waiting.get('r1')?.open();
    const outcome = await started.outcome;
    // The student is shown the copy the store kept.
    expect(outcome).toMatchObject({ ok: true, result: { summary: 'as stored' } });
    expect(writes).toEqual(['r1 queued', 'r1 running', 'r1 finished']);
    expect(seen).toEqual(['r1 accepted', 'r1 running', 'r1 finished']);
  });

  it('passes a refusal back without recording or announcing anything', async () => {
    const writes: string[] = [];
    const seen: RunTransition[] = [];
    const runs = new RunLifecycle({
      queue: queue(),
      runner: gatedRunner().runner,
      logger,
      recorder: memoryRecorder(writes),
    });
    runs.subscribe((t) => seen.push(t));
    const refused = await runs.accept({
      runId: 'r',
      exerciseId: 'ex',
      code: 'too much',
      user: null,
    });
    expect(refused).toEqual({ ok: false, code: 'rate-limited', message: 'limit' });
    expect(writes).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('ends a run that fails outside the runner as interrupted, with an error id', async () => {
    const writes: string[] = [];
    const { runner, waiting } = gatedRunner();
    const runs = new RunLifecycle({
      queue: queue(),
      runner,
      logger,
      recorder: memoryRecorder(writes),
    });
    const seen: RunTransition[] = [];
    runs.subscribe((t) => seen.push(t));
    const accepted = await runs.accept({ runId: 'r2', exerciseId: 'ex', code: 'ok', user: null });
    if (!accepted.ok) throw new Error('refused');
    const started = runs.start(accepted.run);
    await expect.poll(() => waiting.has('r2')).toBe(true);
    waiting.get('r2')?.fail(new Error('the worker died'));
    const outcome = await started.outcome;
    expect(outcome).toMatchObject({ ok: false, message: 'the worker died' });
    expect(outcome.ok ? '' : outcome.errorId).toMatch(/^[0-9a-f]{8}$/);
    expect(writes).toEqual(['r2 queued', 'r2 running', 'r2 interrupted']);
    expect(seen.at(-1)).toMatchObject({ state: 'interrupted', reason: 'the worker died' });
  });

  it('re-runs through the same states, attributed, one at a time beside live runs', async () => {
    const writes: string[] = [];
    const seen: RunTransition[] = [];
    const { runner, started, waiting } = gatedRunner();
    const runs = new RunLifecycle({
      queue: queue(2),
      runner,
      logger,
      recorder: memoryRecorder(writes),
    });
    runs.subscribe((t) => seen.push(t));
    const first = await runs.rerun(original, 'prof');
    const second = await runs.rerun(original, 'prof');
    const live = await runs.accept({ runId: 'live', exerciseId: 'ex', code: 'ok', user: null });
    if (!live.ok) throw new Error('refused');
    runs.start(live.run);
    // The second re-run waits for the first; the live run takes the other slot.
    await expect.poll(() => [...started].sort()).toEqual([first, 'live'].sort());
    waiting.get(first)?.open();
    await expect.poll(() => started).toContain(second);
    waiting.get(second)?.open();
    waiting.get('live')?.open();
    await runs.idle();
    expect(writes).toContain(`${first} queued rerun of orig by prof`);
    expect(writes.filter((w) => w.startsWith(first))).toEqual([
      `${first} queued rerun of orig by prof`,
      `${first} running`,
      `${first} finished`,
    ]);
    const rerun = { kind: 'rerun', userId: 'ana', rerunOf: 'orig', requestedBy: 'prof' };
    expect(seen.filter((t) => t.runId === second).map((t) => t.state)).toEqual([
      'accepted',
      'queued',
      'running',
      'finished',
    ]);
    expect(seen.find((t) => t.runId === second)?.origin).toEqual(rerun);
    expect(seen.find((t) => t.runId === 'live')?.origin).toEqual({ kind: 'student', userId: null });
  });

  it('keeps running when a watcher throws', async () => {
    const { runner, waiting } = gatedRunner();
    const runs = new RunLifecycle({ queue: queue(), runner, logger });
    const seen: string[] = [];
    runs.subscribe(() => {
      throw new Error('a broken watcher');
    });
    runs.subscribe((t) => seen.push(t.state));
    const accepted = await runs.accept({ runId: 'r3', exerciseId: 'ex', code: 'ok', user: null });
    if (!accepted.ok) throw new Error('refused');
    const started = runs.start(accepted.run);
    await expect.poll(() => waiting.has('r3')).toBe(true);
    waiting.get('r3')?.open();
    expect((await started.outcome).ok).toBe(true);
    expect(seen).toEqual(['accepted', 'running', 'finished']);
  });
});
