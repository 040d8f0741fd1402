// The course matrix: one row per student, one cell per exercise. Pure, so it is tested
// without a server.
import type { RunSummary, User } from '@ebpf-lab/store';

export type CellState = 'not-started' | 'attempted' | 'passed';

export interface BestResult {
  runId: string;
  status: NonNullable<RunSummary['status']>;
  requiredPassed: number;
  requiredTotal: number;
  checksPassed: number;
  checksTotal: number;
  /** Share of required checks passed (1 when the run passed). */
  score: number;
}

export interface MatrixCell {
  state: CellState;
  /** Gradable student runs: infrastructure errors and interrupted runs cost no attempt. */
  attempts: number;
  best: BestResult | null;
  lastActivity: string | null;
  latestRunId: string | null;
}

export interface MatrixRow {
  student: { id: string; email: string; name: string };
  cells: Record<string, MatrixCell>;
}

export function scoreOf(run: RunSummary): number {
  if (run.status === 'pass') return 1;
  if (!run.requiredTotal) return 0;
  return Math.round(((run.requiredPassed ?? 0) / run.requiredTotal) * 100) / 100;
}

const rank = (r: RunSummary): number[] => [
  r.status === 'pass' ? 1 : 0,
  scoreOf(r),
  r.checksPassed ?? 0,
];

function better(a: RunSummary, b: RunSummary): boolean {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] > rb[i];
  return false;
}

/** `runs` oldest first. Re-runs count for the best result (the exercise may have changed). */
export function cellFor(runs: RunSummary[]): MatrixCell {
  let best: RunSummary | null = null;
  let attempts = 0;
  let last: RunSummary | null = null;
  for (const run of runs) {
    if (run.kind === 'student') {
      last = run;
      if (run.state === 'finished' && run.gradable) attempts++;
    }
    if (run.state !== 'finished' || !run.gradable) continue;
    if (!best || better(run, best)) best = run;
  }
  return {
    state: best?.status === 'pass' ? 'passed' : last ? 'attempted' : 'not-started',
    attempts,
    best: best && {
      runId: best.id,
      status: best.status ?? 'error',
      requiredPassed: best.requiredPassed ?? 0,
      requiredTotal: best.requiredTotal ?? 0,
      checksPassed: best.checksPassed ?? 0,
      checksTotal: best.checksTotal ?? 0,
      score: scoreOf(best),
    },
    lastActivity: last?.createdAt ?? null,
    latestRunId: last?.id ?? null,
  };
}

export function buildMatrix(
  students: User[],
  exerciseIds: string[],
  runs: RunSummary[],
): MatrixRow[] {
  const byKey = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const key = `${run.userId}\u0000${run.exerciseId}`;
    const list = byKey.get(key) ?? [];
    list.push(run);
    byKey.set(key, list);
  }
  return students.map((s) => ({
    student: { id: s.id, email: s.email, name: s.name },
    cells: Object.fromEntries(
      exerciseIds.map((ex) => [ex, cellFor(byKey.get(`${s.id}\u0000${ex}`) ?? [])]),
    ),
  }));
}

/** What a student is doing now, for the live desk: a run queued or running, and the last run. */
export interface StudentActivity {
  /** The exercise of a run of theirs queued or running now, else null. */
  runningExerciseId: string | null;
  lastRunAt: string | null;
}

/** `runs` oldest first; only the students' own runs count (not an instructor's re-runs). */
export function studentActivity(
  studentIds: string[],
  runs: RunSummary[],
): Record<string, StudentActivity> {
  const activity: Record<string, StudentActivity> = Object.fromEntries(
    studentIds.map((id) => [id, { runningExerciseId: null, lastRunAt: null }]),
  );
  for (const run of runs) {
    const a = run.userId ? activity[run.userId] : undefined;
    if (!a || run.kind !== 'student') continue;
    a.lastRunAt = run.createdAt;
    if (run.state === 'queued' || run.state === 'running') a.runningExerciseId = run.exerciseId;
  }
  return activity;
}
