// The rules of an assignment, as pure functions so they are tested without a server. An attempt
// counts by when the student submitted it (a run accepted a second before the due time is on
// time, however long it queued): before the opening it does not count, up to the due time it
// earns its full score, in the late window the credit percentage of it, after that nothing. The
// grade is the best counted attempt. An instructor's re-run counts at its original's time.
import type { Assignment, RunSummary } from '@ebpf-lab/store';
import { scoreOf } from '../instructor/matrix.ts';

/** Where the assignment stands at a moment. */
export type AssignmentWindow = 'upcoming' | 'open' | 'late' | 'closed';

export type AssignmentTimes = Pick<
  Assignment,
  'opensAt' | 'dueAt' | 'lateUntil' | 'lateCreditPercent'
>;

export function windowAt(a: AssignmentTimes, at: number): AssignmentWindow {
  if (at < Date.parse(a.opensAt)) return 'upcoming';
  if (at <= Date.parse(a.dueAt)) return 'open';
  if (a.lateUntil !== null && at <= Date.parse(a.lateUntil)) return 'late';
  return 'closed';
}

/** Share of its score an attempt submitted at `at` earns: 0 when it does not count. */
export function creditAt(a: AssignmentTimes, at: number): number {
  const window = windowAt(a, at);
  if (window === 'open') return 1;
  if (window === 'late') return (a.lateCreditPercent ?? 0) / 100;
  return 0;
}

export interface AssignmentStanding {
  /** Where the assignment stands now. */
  window: AssignmentWindow;
  /**
   * Best counted attempt's score times its credit, 0 to 1. Null while nothing counts and the
   * student may still submit; 0 once the assignment closed without a counted attempt.
   */
  grade: number | null;
  /** The attempt the grade comes from. */
  gradedRunId: string | null;
  /** The graded attempt was submitted in the late window. */
  late: boolean;
  /** Gradable attempts of the student's own that count (on time or late). */
  countedAttempts: number;
}

/**
 * One student's standing on one assignment, from their runs of that exercise for that course
 * (any order; re-runs included).
 */
export function standingOf(
  a: AssignmentTimes,
  runs: RunSummary[],
  now: number,
): AssignmentStanding {
  const submittedAt = new Map(runs.map((r) => [r.id, Date.parse(r.createdAt)]));
  let best: { run: RunSummary; grade: number; late: boolean } | null = null;
  let countedAttempts = 0;
  for (const run of runs) {
    if (run.state !== 'finished' || !run.gradable) continue;
    const at =
      (run.kind === 'rerun' && run.rerunOf !== null ? submittedAt.get(run.rerunOf) : undefined) ??
      Date.parse(run.createdAt);
    const credit = creditAt(a, at);
    if (credit === 0 && windowAt(a, at) !== 'late') continue;
    if (run.kind === 'student') countedAttempts++;
    const grade = Math.round(scoreOf(run) * credit * 10_000) / 10_000;
    const late = windowAt(a, at) === 'late';
    // Ties go to the on-time attempt, then the earlier one.
    if (!best || grade > best.grade || (grade === best.grade && best.late && !late)) {
      best = { run, grade, late };
    }
  }
  const window = windowAt(a, now);
  return {
    window,
    grade: best ? best.grade : window === 'closed' ? 0 : null,
    gradedRunId: best?.run.id ?? null,
    late: best?.late ?? false,
    countedAttempts,
  };
}
