// Who may do what in a course, decided by the member's role in that very course (never by the
// account's role alone): instructors run it, assistants review and comment, students submit.
import type { Request } from 'express';
import type { Course, CourseRole, Store } from '@ebpf-lab/store';
import { isCourseStaff } from '../../course-roles.ts';
import { HttpError } from '../../http-error.ts';
import { requireUser } from '../auth/session.ts';
import type { SessionUser } from '../auth/session.ts';

/**
 * `review`: read the desk, open submissions, comment, re-run, export (instructors and
 * assistants). `manage`: change assignments, staff and students, issue reset links
 * (instructors only).
 */
export type CourseAbility = 'review' | 'manage';

const ALLOWED: Record<CourseAbility, CourseRole[]> = {
  review: ['instructor', 'assistant'],
  manage: ['instructor'],
};

export interface StaffAccess {
  user: SessionUser;
  course: Course;
  role: CourseRole;
}

/** The course named by `:courseId`, when the signed-in user may do `ability` in it. */
export async function staffAccess(
  store: Store,
  req: Request,
  ability: CourseAbility,
): Promise<StaffAccess> {
  const user = requireUser(req);
  const course = await store.getCourse(String(req.params.courseId));
  if (!course) throw new HttpError(404, 'No such course.');
  const role = await store.enrollmentRole(course.id, user.id);
  if (!isCourseStaff(role)) throw new HttpError(403, 'You do not teach this course.');
  if (!ALLOWED[ability].includes(role)) {
    throw new HttpError(
      403,
      'Assistants review and comment; only the course’s instructors change assignments, staff and students.',
    );
  }
  return { user, course, role };
}
