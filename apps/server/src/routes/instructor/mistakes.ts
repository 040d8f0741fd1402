// The class's mistakes, per exercise: how many students passed, how many attempts and how long it
// took them, and which checks fail most, with the hint the students were shown and example
// attempts to open. Counted from the students' own graded attempts (re-runs by an instructor and
// runs that cost no attempt are left out). Pure, so it is tested without a server.
import type { RunOutcome, User } from '@ebpf-lab/store';

export interface ExampleAttempt {
  runId: string;
  studentId: string;
  studentName: string;
  createdAt: string;
}

export interface FailingCheck {
  id: string;
  title: string;
  required: boolean;
  /** Students who failed it at least once. */
  students: number;
  /** Students whose latest attempt still fails it. */
  stillFailing: number;
  /** Attempts that failed it. */
  attempts: number;
  /** The hint shown most often with this failure (null: the check has none). */
  hint: string | null;
  /** The latest failing attempt of up to three students, newest first. */
  examples: ExampleAttempt[];
}

export interface ExerciseMistakes {
  exerciseId: string;
  title: string;
  /** Students with at least one graded attempt. */
  tried: number;
  passed: number;
  /** passed / tried; null while nobody tried. */
  passRate: number | null;
  /** Graded attempts up to and including the first pass, median over the students who passed. */
  medianAttemptsToPass: number | null;
  /** From a student's first run to their first pass, median over the students who passed. */
  medianTimeToPassMs: number | null;
  attempts: number;
  /** Graded attempts that stopped before any check ran, by kind (compile, verifier, …). */
  errors: Record<string, number>;
  failingChecks: FailingCheck[];
}

const EXAMPLES = 3;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `runs` oldest first, as the store lists them. */
export function classMistakes(
  students: Pick<User, 'id' | 'name'>[],
  exercises: readonly { id: string; title: string }[],
  runs: RunOutcome[],
): ExerciseMistakes[] {
  const names = new Map(students.map((s) => [s.id, s.name]));
  return exercises.map((exercise) => {
    // Each student's own runs at this exercise, oldest first.
    const byStudent = new Map<string, RunOutcome[]>();
    for (const run of runs) {
      if (run.exerciseId !== exercise.id || run.kind !== 'student' || !run.userId) continue;
      if (!names.has(run.userId)) continue;
      const list = byStudent.get(run.userId) ?? [];
      list.push(run);
      byStudent.set(run.userId, list);
    }

    let tried = 0;
    let attempts = 0;
    const attemptsToPass: number[] = [];
    const timesToPass: number[] = [];
    const errors: Record<string, number> = {};
    const checks = new Map<
      string,
      {
        check: Omit<FailingCheck, 'examples' | 'hint'>;
        hints: Map<string, number>;
        latest: Map<string, RunOutcome>;
      }
    >();

    for (const [studentId, own] of byStudent) {
      const graded = own.filter((r) => r.state === 'finished' && r.gradable);
      if (graded.length === 0) continue;
      tried++;
      attempts += graded.length;
      const firstPass = graded.findIndex((r) => r.status === 'pass');
      if (firstPass >= 0) {
        attemptsToPass.push(firstPass + 1);
        timesToPass.push(Date.parse(graded[firstPass].createdAt) - Date.parse(own[0].createdAt));
      }
      const failedHere = new Set<string>();
      for (const run of graded) {
        if (run.status === 'error')
          errors[run.errorKind ?? 'other'] = (errors[run.errorKind ?? 'other'] ?? 0) + 1;
        for (const c of run.checks) {
          if (c.status !== 'fail') continue;
          let entry = checks.get(c.id);
          if (!entry) {
            entry = {
              check: {
                id: c.id,
                title: c.title,
                required: c.required,
                students: 0,
                stillFailing: 0,
                attempts: 0,
              },
              hints: new Map(),
              latest: new Map(),
            };
            checks.set(c.id, entry);
          }
          entry.check.attempts++;
          if (c.hint) entry.hints.set(c.hint, (entry.hints.get(c.hint) ?? 0) + 1);
          entry.latest.set(studentId, run);
          if (!failedHere.has(c.id)) {
            failedHere.add(c.id);
            entry.check.students++;
          }
        }
      }
      const last = graded[graded.length - 1];
      for (const c of last.checks) {
        if (c.status === 'fail') {
          const entry = checks.get(c.id);
          if (entry) entry.check.stillFailing++;
        }
      }
    }

    const failingChecks: FailingCheck[] = [...checks.values()]
      .map(({ check, hints, latest }) => ({
        ...check,
        hint: [...hints.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
        examples: [...latest.entries()]
          .map(([studentId, run]) => ({
            runId: run.id,
            studentId,
            studentName: names.get(studentId) ?? '',
            createdAt: run.createdAt,
          }))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .slice(0, EXAMPLES),
      }))
      .sort(
        (a, b) =>
          b.students - a.students ||
          b.stillFailing - a.stillFailing ||
          b.attempts - a.attempts ||
          a.id.localeCompare(b.id),
      );
    const passed = attemptsToPass.length;
    return {
      exerciseId: exercise.id,
      title: exercise.title,
      tried,
      passed,
      passRate: tried ? passed / tried : null,
      medianAttemptsToPass: median(attemptsToPass),
      medianTimeToPassMs: median(timesToPass),
      attempts,
      errors,
      failingChecks,
    };
  });
}
