// A course's grades, one row per student and one column per graded exercise: the assigned
// exercises under their rules when the course has assignments, else every exercise's best score.
// Shared by the desk's matrix and every gradebook export, so they never disagree.
import type { Assignment, RunSummary, User } from '@ebpf-lab/store';
import { cellFor } from '../instructor/matrix.ts';
import { standingOf } from './rules.ts';
import type { AssignmentStanding } from './rules.ts';

export interface GradeColumn {
  exerciseId: string;
  title: string;
  assignment: Assignment | null;
}

export interface CourseGrades {
  columns: GradeColumn[];
  /** `grades[i]` is column i's grade, 0 to 1, or null (nothing to grade yet). */
  rows: { student: User; grades: (number | null)[] }[];
}

const key = (userId: string | null, exerciseId: string) => `${userId}\u0000${exerciseId}`;

function runsByStudentAndExercise(runs: RunSummary[]): Map<string, RunSummary[]> {
  const byKey = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const list = byKey.get(key(run.userId, run.exerciseId)) ?? [];
    list.push(run);
    byKey.set(key(run.userId, run.exerciseId), list);
  }
  return byKey;
}

/** Each student's standing on each assignment, keyed by student id then exercise id. */
export function assignmentStandings(
  assignments: Assignment[],
  students: { id: string }[],
  runs: RunSummary[],
  now: number,
): Map<string, Record<string, AssignmentStanding>> {
  const byKey = runsByStudentAndExercise(runs);
  return new Map(
    students.map((s) => [
      s.id,
      Object.fromEntries(
        assignments.map((a) => [
          a.exerciseId,
          standingOf(a, byKey.get(key(s.id, a.exerciseId)) ?? [], now),
        ]),
      ),
    ]),
  );
}

export function courseGrades(
  students: User[],
  exercises: readonly { id: string; title: string }[],
  assignments: Assignment[],
  runs: RunSummary[],
  now: number,
): CourseGrades {
  const titles = new Map(exercises.map((e) => [e.id, e.title]));
  const columns: GradeColumn[] =
    assignments.length > 0
      ? assignments.map((a) => ({
          exerciseId: a.exerciseId,
          title: titles.get(a.exerciseId) ?? a.exerciseId,
          assignment: a,
        }))
      : exercises.map((e) => ({ exerciseId: e.id, title: e.title, assignment: null }));
  const byKey = runsByStudentAndExercise(runs);
  return {
    columns,
    rows: students.map((student) => ({
      student,
      grades: columns.map((c) => {
        const own = byKey.get(key(student.id, c.exerciseId)) ?? [];
        return c.assignment
          ? standingOf(c.assignment, own, now).grade
          : (cellFor(own).best?.score ?? null);
      }),
    })),
  };
}
