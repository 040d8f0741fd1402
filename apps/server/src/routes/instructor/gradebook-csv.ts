// Grade exports as the gradebooks that import them expect:
// - `lab`: ours, `email,name,<exercise id>…`, each grade from 0 to 1.
// - `canvas`: Canvas's own export layout, which its gradebook import reads back: `Student, ID,
//   SIS User ID, SIS Login ID, Section`, then one column per assignment named by its title (a
//   new column becomes a new Canvas assignment), and a `Points Possible` row under the header.
//   Canvas matches students by ID, SIS User ID or SIS Login ID: we know the email only, so it
//   goes in `SIS Login ID` (the login of most schools' Canvas), the others stay empty.
// - `moodle`: `Full name, Email address`, then one column per assignment; in Moodle's CSV import
//   the teacher maps `Email address` to the user's email and each column to a grade item.
// Canvas and Moodle get points out of 100; an empty cell leaves the gradebook's grade alone.
import type { CourseGrades } from '../assignments/course-grades.ts';
import { toCsv } from './csv.ts';

export const GRADEBOOK_FORMATS = ['lab', 'canvas', 'moodle'] as const;
export type GradebookFormat = (typeof GRADEBOOK_FORMATS)[number];

const points = (grade: number | null): number | null =>
  grade === null ? null : Math.round(grade * 10_000) / 100;

export function gradebookCsv(format: GradebookFormat, grades: CourseGrades): string {
  const { columns, rows } = grades;
  switch (format) {
    case 'lab':
      return toCsv(
        ['email', 'name', ...columns.map((c) => c.exerciseId)],
        rows.map((r) => [r.student.email, r.student.name, ...r.grades]),
      );
    case 'canvas':
      return toCsv(
        ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', ...columns.map((c) => c.title)],
        [
          ['Points Possible', '', '', '', '', ...columns.map(() => 100)],
          ...rows.map((r) => [
            r.student.name,
            '',
            '',
            r.student.email,
            '',
            ...r.grades.map(points),
          ]),
        ],
      );
    case 'moodle':
      return toCsv(
        ['Full name', 'Email address', ...columns.map((c) => c.title)],
        rows.map((r) => [r.student.name, r.student.email, ...r.grades.map(points)]),
      );
  }
}
