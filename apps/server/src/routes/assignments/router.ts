// Assignments: instructors set exercises for their course with an opening time, a due time and an
// optional late window; staff read them; students see theirs with their standing (GET
// /api/assignments), which the exercise list shows.
import { Router } from 'express';
import { z } from 'zod';
import type { Assignment, Store } from '@ebpf-lab/store';
import { HttpError, parseBody } from '../../http-error.ts';
import { requireUser } from '../auth/session.ts';
import { staffAccess } from '../instructor/course-access.ts';
import type { ExerciseCatalog } from '../instructor/exercise-catalog.ts';
import { assignmentStandings } from './course-grades.ts';

const Time = z.string().datetime({ offset: true, message: 'a date and time with its time zone' });

const SetAssignments = z
  .object({
    exerciseIds: z.array(z.string().min(1).max(100)).min(1).max(200),
    opensAt: Time,
    dueAt: Time,
    lateUntil: Time.nullable().default(null),
    lateCreditPercent: z.number().int().min(0).max(100).nullable().default(null),
  })
  .superRefine((a, ctx) => {
    if (Date.parse(a.dueAt) <= Date.parse(a.opensAt)) {
      ctx.addIssue({ code: 'custom', path: ['dueAt'], message: 'must be after the opening' });
    }
    if (a.lateUntil !== null && Date.parse(a.lateUntil) <= Date.parse(a.dueAt)) {
      ctx.addIssue({ code: 'custom', path: ['lateUntil'], message: 'must be after the due time' });
    }
    if ((a.lateUntil === null) !== (a.lateCreditPercent === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['lateCreditPercent'],
        message: 'a late window needs a credit percentage, and a credit needs a late window',
      });
    }
  });

export function createAssignmentsRouter(deps: {
  store: Store;
  exercises: ExerciseCatalog;
}): Router {
  const { store, exercises } = deps;
  const router = Router();
  const base = '/api/instructor/courses/:courseId/assignments';
  const titled = (a: Assignment) => ({
    ...a,
    title: exercises().find((e) => e.id === a.exerciseId)?.title ?? a.exerciseId,
  });

  router.get(base, async (req, res) => {
    const { course } = await staffAccess(store, req, 'review');
    res.json({ assignments: (await store.listAssignments(course.id)).map(titled) });
  });

  // Sets one or several exercises with the same times (creating or replacing each).
  router.post(base, async (req, res) => {
    const { course } = await staffAccess(store, req, 'manage');
    const body = parseBody(SetAssignments, req.body);
    const known = new Set(exercises().map((e) => e.id));
    const unknown = body.exerciseIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new HttpError(
        400,
        `exerciseIds: no exercise ${unknown.map((u) => `"${u}"`).join(', ')}`,
      );
    }
    const saved: Assignment[] = [];
    for (const exerciseId of new Set(body.exerciseIds)) {
      saved.push(
        await store.saveAssignment({
          courseId: course.id,
          exerciseId,
          opensAt: new Date(body.opensAt).toISOString(),
          dueAt: new Date(body.dueAt).toISOString(),
          lateUntil: body.lateUntil && new Date(body.lateUntil).toISOString(),
          lateCreditPercent: body.lateCreditPercent,
        }),
      );
    }
    res.status(201).json({ assignments: saved.map(titled) });
  });

  router.delete(`${base}/:exerciseId`, async (req, res) => {
    const { course } = await staffAccess(store, req, 'manage');
    if (!(await store.deleteAssignment(course.id, String(req.params.exerciseId)))) {
      throw new HttpError(404, 'This exercise is not assigned in this course.');
    }
    res.json({ deleted: true });
  });

  // A student's assignments in every course they take, with where each stands for them now.
  router.get('/api/assignments', async (req, res) => {
    const user = requireUser(req);
    const now = Date.now();
    const courses = [];
    for (const { course, role } of await store.listCourses(user.id)) {
      if (role !== 'student') continue;
      const assignments = await store.listAssignments(course.id);
      const runs = await store.listRuns({ userId: user.id, courseId: course.id });
      const own = assignmentStandings(assignments, [user], runs, now).get(user.id);
      courses.push({
        id: course.id,
        title: course.title,
        assignments: assignments.map((a) => ({
          ...titled(a),
          standing: own?.[a.exerciseId] ?? null,
        })),
      });
    }
    res.json({ courses });
  });

  return router;
}
