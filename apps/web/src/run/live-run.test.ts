import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@ebpf-lab/protocol';
import { failingResult } from './fixtures/run-result.ts';
import { applyMessage, compareTs, interruptRun, startRun } from './live-run.ts';
import type { LiveRun } from './live-run.ts';

function fold(run: LiveRun, messages: ServerMessage[]): LiveRun {
  return messages.reduce((r, m, i) => applyMessage(r, m, i * 10), run);
}

describe('live run', () => {
  it('follows a run from acceptance through queue, stages and events to the result', () => {
    let run = startRun('req-1', 'read-file-password', 'code');
    run = fold(run, [
      { seq: 1, type: 'accepted', runId: 'run-7f3a', requestId: 'req-1' },
      { seq: 2, type: 'queued', runId: 'run-7f3a', position: 3 },
    ]);
    expect(run.phase).toBe('queued');
    expect(run.queuePosition).toBe(3);
    run = fold(run, [
      { seq: 3, type: 'stage', runId: 'run-7f3a', stage: 'compile', state: 'started' },
      {
        seq: 4,
        type: 'stage',
        runId: 'run-7f3a',
        stage: 'compile',
        state: 'finished',
        result: { name: 'compile', status: 'ok', durationMs: 48 },
      },
      {
        seq: 5,
        type: 'event',
        runId: 'run-7f3a',
        event: { kind: 'debug', scenario: 's', record: { ts: '5', pid: 1, tid: 1, text: 'hi' } },
      },
    ]);
    expect(run.phase).toBe('running');
    expect(run.queuePosition).toBeUndefined();
    expect(run.stages[0]).toMatchObject({ name: 'compile', state: 'ok', durationMs: 48 });
    expect(run.events).toHaveLength(1);
    run = applyMessage(
      run,
      { seq: 6, type: 'result', runId: 'run-7f3a', result: failingResult },
      100,
    );
    expect(run.phase).toBe('done');
    expect(run.checks.map((c) => c.id)).toEqual([
      'captures-first-read',
      'captures-all-reads',
      'ignores-other-files',
    ]);
    expect(run.stages.find((s) => s.name === 'verifier')?.log).toContain('processed 3 insns');
    // Rebuilt from the observations, in time order: the debug line came before the submission.
    expect(run.events.map((e) => e.kind)).toEqual(['scenario', 'debug', 'submit']);
  });

  it('ignores messages of other runs and other requests', () => {
    const run = startRun('req-1', 'x', 'code');
    const other = applyMessage(
      run,
      { seq: 1, type: 'accepted', runId: 'r2', requestId: 'req-2' },
      0,
    );
    expect(other).toBe(run);
    const accepted = applyMessage(
      run,
      { seq: 1, type: 'accepted', runId: 'r1', requestId: 'req-1' },
      0,
    );
    const foreign = applyMessage(accepted, { seq: 2, type: 'queued', runId: 'r9', position: 1 }, 0);
    expect(foreign).toBe(accepted);
  });

  it('takes a refusal without a runId as the answer to the run being sent, and only to it', () => {
    const sending = startRun('req-1', 'x', 'code');
    const refusal: ServerMessage = {
      seq: 1,
      type: 'error',
      code: 'sign-in-required',
      message: 'sign in',
    };
    const refused = applyMessage(sending, refusal, 0);
    expect(refused.phase).toBe('done');
    expect(refused.error).toEqual({ code: 'sign-in-required', message: 'sign in' });
    const accepted = applyMessage(
      sending,
      { seq: 1, type: 'accepted', runId: 'r1', requestId: 'req-1' },
      0,
    );
    expect(applyMessage(accepted, refusal, 0)).toBe(accepted);
  });

  it('marks stages the result never reached as skipped', () => {
    const run = startRun('req-1', 'x', 'code');
    const accepted = applyMessage(
      run,
      { seq: 1, type: 'accepted', runId: 'r1', requestId: 'req-1' },
      0,
    );
    const result = {
      ...failingResult,
      runId: 'r1',
      status: 'error' as const,
      errorKind: 'compile' as const,
      stages: [
        {
          name: 'compile' as const,
          status: 'failed' as const,
          durationMs: 30,
          log: 'x.c:3:1: error: expected',
        },
      ],
    };
    const done = applyMessage(accepted, { seq: 2, type: 'result', runId: 'r1', result }, 0);
    expect(done.stages.map((s) => s.state)).toEqual([
      'failed',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
  });

  it('says a dropped connection cost no attempt', () => {
    const run = interruptRun(startRun('req-1', 'x', 'code'));
    expect(run.phase).toBe('interrupted');
    expect(run.error?.message).toMatch(/cost no attempt/);
  });

  it('compares nanosecond timestamps beyond 2^53 exactly', () => {
    expect(compareTs('1700000000000000001', '1700000000000000000')).toBe(1);
    expect(compareTs('9', '10')).toBe(-1);
  });
});
