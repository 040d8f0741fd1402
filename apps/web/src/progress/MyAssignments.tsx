// The exercise list's course part, for a signed-in student: which course their runs count for
// (a picker when they take several), and each course's assignments with due dates and where the
// student stands.
import { useEffect, useState } from 'react';
import { apiGet, formatWhen } from '../account/account-api.ts';
import type { Assignment, AssignmentStanding, Me } from '../account/account-api.ts';
import { setCourseContext, storedCourseContext } from '../account/course-context.ts';
import { useAsync } from '../api/use-async.ts';
import { Link } from '../shell/router.tsx';
import './assignments.css';

export interface CourseAssignments {
  id: string;
  title: string;
  assignments: (Assignment & { standing: AssignmentStanding | null })[];
}

export function useMyAssignments(me: Me | null | undefined) {
  return useAsync(
    () =>
      me?.role === 'student'
        ? apiGet<{ courses: CourseAssignments[] }>('/api/assignments').then((r) => r.courses)
        : Promise.resolve([] as CourseAssignments[]),
    [me?.id],
  );
}

/**
 * The course runs count for: the one a student of several picked, or their only one (the server
 * gives it without asking). Null: practice, counted for no course.
 */
export function useWorkingCourse(
  me: Me | null | undefined,
  courses: CourseAssignments[],
): [string | null, (courseId: string | null) => void] {
  const [picked, setPicked] = useState<string | null>(null);
  useEffect(() => {
    if (!me) return;
    const stored = storedCourseContext(me.id);
    // A course the student no longer takes would get their runs refused: forget it.
    if (stored && courses.length > 0 && !courses.some((c) => c.id === stored)) {
      setCourseContext(me.id, null);
      setPicked(null);
    } else setPicked(stored ?? null);
  }, [me, courses]);
  const working = courses.length === 1 ? courses[0].id : picked;
  const choose = (courseId: string | null) => {
    if (me) setCourseContext(me.id, courseId);
    setPicked(courseId);
  };
  return [working, choose];
}

export function standingText(a: { opensAt: string; standing: AssignmentStanding | null }): string {
  const s = a.standing;
  if (!s) return '';
  const grade = s.grade === null ? '' : `${Math.round(s.grade * 100)}%${s.late ? ' (late)' : ''}`;
  switch (s.window) {
    case 'upcoming':
      return `Opens ${formatWhen(a.opensAt)}`;
    case 'open':
      return s.grade === null ? 'Open: no attempt counted yet' : `Best so far: ${grade}`;
    case 'late':
      return s.grade === null
        ? 'Late window: attempts earn part of the credit'
        : `Best so far: ${grade}; late attempts earn part of the credit`;
    case 'closed':
      return `Closed: ${grade}`;
  }
}

export function MyAssignments({
  courses,
  working,
  onChoose,
}: {
  courses: CourseAssignments[];
  working: string | null;
  onChoose: (courseId: string | null) => void;
}) {
  if (courses.length === 0) return null;
  return (
    <section className="my-assignments" aria-labelledby="my-assignments-heading">
      <h2 id="my-assignments-heading" className="chapter-title">
        Your courses
      </h2>
      {courses.length === 1 ? (
        <p className="muted" data-testid="working-course">
          Your runs count for <strong>{courses[0].title}</strong>.
        </p>
      ) : (
        <label className="course-picker">
          Your runs count for{' '}
          <select
            value={working ?? ''}
            onChange={(e) => onChoose(e.target.value || null)}
            data-testid="course-picker"
          >
            <option value="">no course (practice)</option>
            {courses.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
          {working === null && (
            <span className="muted small">
              {' '}
              Pick a course, or open an exercise from its assignments below.
            </span>
          )}
        </label>
      )}
      {courses.map((c) =>
        c.assignments.length === 0 ? null : (
          <div key={c.id} className="course-assignments" data-testid="course-assignments">
            <h3>{c.title}</h3>
            <ul className="assignment-list">
              {c.assignments.map((a) => (
                <li
                  key={a.exerciseId}
                  data-testid="my-assignment"
                  data-exercise={a.exerciseId}
                  data-window={a.standing?.window}
                >
                  <Link
                    href={`/exercises/${encodeURIComponent(a.exerciseId)}?course=${encodeURIComponent(c.id)}`}
                    onClick={() => onChoose(c.id)}
                  >
                    {a.title}
                  </Link>{' '}
                  <span className="muted small">
                    due {formatWhen(a.dueAt)}
                    {a.lateUntil !== null &&
                      `, late until ${formatWhen(a.lateUntil)} at ${a.lateCreditPercent}%`}
                  </span>{' '}
                  <span className={`standing standing-${a.standing?.window ?? 'none'}`}>
                    {standingText(a)}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </section>
  );
}
