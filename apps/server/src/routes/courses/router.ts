// /api/courses: the courses I teach or take, creating one (instructors), and joining by link.
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { Course, CourseRole, Store } from '@ebpf-lab/store';
import { HttpError, parseBody } from '../../http-error.ts';
import { requireInstructor, requireUser } from '../auth/session.ts';

const CreateCourse = z.object({ title: z.string().trim().min(1).max(200) });
const JoinCourse = z.object({ joinCode: z.string().min(1).max(100) });

/** The path of a course's join link; the web app serves the sign-up page there. */
export const joinPath = (joinCode: string): string => `/join/${joinCode}`;

export function courseView(course: Course, role: CourseRole) {
  return {
    id: course.id,
    title: course.title,
    role,
    // Staff hand out the link; students never see it.
    ...(role !== 'student' ? { joinPath: joinPath(course.joinCode) } : {}),
  };
}

export function createCoursesRouter(deps: { store: Store }): Router {
  const { store } = deps;
  const router = Router();

  router.get('/api/courses', async (req, res) => {
    const user = requireUser(req);
    const memberships = await store.listCourses(user.id);
    res.json({ courses: memberships.map((m) => courseView(m.course, m.role)) });
  });

  router.post('/api/courses', async (req, res) => {
    const user = requireInstructor(req);
    const body = parseBody(CreateCourse, req.body);
    // 128 bits: the join code is the only thing standing between a stranger and the course.
    const course = await store.createCourse({
      title: body.title,
      ownerId: user.id,
      joinCode: randomBytes(16).toString('base64url'),
    });
    res.status(201).json({ course: courseView(course, 'instructor') });
  });

  router.get('/api/courses/join/:joinCode', async (req, res) => {
    const course = await store.getCourseByJoinCode(String(req.params.joinCode));
    if (!course)
      throw new HttpError(404, 'This join link is not valid: ask your instructor for a new one.');
    res.json({ course: { title: course.title } });
  });

  router.post('/api/courses/join', async (req, res) => {
    const user = requireUser(req);
    if (user.role !== 'student') {
      throw new HttpError(
        403,
        'Instructors teach courses: sign in with a student account to join one.',
      );
    }
    const body = parseBody(JoinCourse, req.body);
    const course = await store.getCourseByJoinCode(body.joinCode);
    if (!course)
      throw new HttpError(404, 'This join link is not valid: ask your instructor for a new one.');
    await store.enroll(course.id, user.id, 'student');
    res.json({ course: courseView(course, 'student') });
  });

  return router;
}
