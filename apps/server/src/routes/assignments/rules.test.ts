import { describe, expect, it } from 'vitest';
import type { RunSummary } from '@ebpf-lab/store';
import { creditAt, standingOf, windowAt } from './rules.ts';

const T = Date.parse('2026-03-02T12:00:00.000Z');
const H = 3600_000;
const times = {
  opensAt: new Date(T).toISOString(),
  dueAt: new Date(T + 24 * H).toISOString(),
  lateUntil: new Date(T + 48 * H).toISOString(),
  lateCreditPercent: 50,
};

function run(id: string, at: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    userId: 'u',
    courseId: 'c',
    exerciseId: 'ex',
    kind: 'student',
    rerunOf: null,
    requestedBy: null,
    state: 'finished',
    status: 'pass',
    gradable: true,
    checksPassed: 2,
    checksTotal: 2,
    requiredPassed: 2,
    requiredTotal: 2,
    createdAt: new Date(at).toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: 1,
    codeBytes: 1,
    ...over,
  };
}

describe('assignment windows', () => {
  it('opens at the opening, is on time up to and including the due time, then late, then closed', () => {
    expect(windowAt(times, T - 1)).toBe('upcoming');
    expect(windowAt(times, T)).toBe('open');
    expect(windowAt(times, T + 24 * H)).toBe('open');
    expect(windowAt(times, T + 24 * H + 1)).toBe('late');
    expect(windowAt(times, T + 48 * H)).toBe('late');
    expect(windowAt(times, T + 48 * H + 1)).toBe('closed');
    expect(windowAt({ ...times, lateUntil: null, lateCreditPercent: null }, T + 24 * H + 1)).toBe(
      'closed',
    );
    expect([T - 1, T, T + 30 * H, T + 49 * H].map((at) => creditAt(times, at))).toEqual([
      0, 1, 0.5, 0,
    ]);
  });
});

describe('assignment standing', () => {
  it('takes the best counted attempt, late ones at their credit', () => {
    const half = { status: 'fail' as const, requiredPassed: 1, requiredTotal: 2 };
    const s = standingOf(
      times,
      [run('early', T - H), run('half', T + H, half), run('late', T + 30 * H)],
      T + 50 * H,
    );
    // On time at half the required checks (0.5) ties the late pass at 50%: on time wins.
    expect(s).toEqual({
      window: 'closed',
      grade: 0.5,
      gradedRunId: 'half',
      late: false,
      countedAttempts: 2,
    });
  });

  it('ignores unfinished runs and the lab’s own errors, and counts a re-run at its original’s time', () => {
    const runs = [
      run('late-fail', T + 30 * H, { status: 'fail', requiredPassed: 0 }),
      run('broken', T + H, { gradable: false, status: 'error' }),
      run('waiting', T + H, { state: 'queued', status: null }),
      run('rerun', T + 2 * H, { kind: 'rerun', rerunOf: 'late-fail' }),
    ];
    expect(standingOf(times, runs, T + 31 * H)).toMatchObject({
      window: 'late',
      grade: 0.5,
      gradedRunId: 'rerun',
      late: true,
      countedAttempts: 1,
    });
  });

  it('is null while nothing counts and the student may still submit, 0 once closed', () => {
    expect(standingOf(times, [run('early', T - H)], T + H).grade).toBeNull();
    expect(standingOf(times, [], T + 49 * H).grade).toBe(0);
    expect(standingOf(times, [], T - H).window).toBe('upcoming');
  });
});
