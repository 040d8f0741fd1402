// /api/instructor/courses/:courseId/members…: a course's staff and students. Staff see the list;
// only instructors add staff, remove anyone and hand out password reset links.
import { Router } from 'express';
import { z } from 'zod';
import type { CourseMember, Store } from '@ebpf-lab/store';
import { HttpError, parseBody } from '../../http-error.ts';
import { issueResetLink } from '../auth/reset-links.ts';
import { staffAccess } from '../instructor/course-access.ts';

const AddStaff = z.object({
  email: z.string().trim().toLowerCase().email().max(200),
  /** Needed only when the account does not exist yet. */
  name: z.string().trim().min(1).max(100).optional(),
  role: z.enum(['instructor', 'assistant']),
});

const memberView = (m: CourseMember) => ({
  id: m.id,
  email: m.email,
  name: m.name,
  courseRole: m.courseRole,
  joinedAt: m.joinedAt,
});

export function createPeopleRouter(deps: { store: Store; resetLinkTtlMs: number }): Router {
  const { store, resetLinkTtlMs } = deps;
  const router = Router();
  const base = '/api/instructor/courses/:courseId';

  router.get(`${base}/members`, async (req, res) => {
    const { course, role } = await staffAccess(store, req, 'review');
    const members = await store.listMembers(course.id);
    res.json({ members: members.map(memberView), canManage: role === 'instructor' });
  });

  router.post(`${base}/staff`, async (req, res) => {
    const { user, course } = await staffAccess(store, req, 'manage');
    const body = parseBody(AddStaff, req.body);
    const existing = await store.getUserByEmail(body.email);
    if (existing) {
      const held = await store.enrollmentRole(course.id, existing.id);
      if (held) {
        throw new HttpError(
          409,
          `${existing.email} is already ${held === 'assistant' ? 'an' : 'a'} ${held} of this course: remove them first to change their role.`,
        );
      }
      await store.enroll(course.id, existing.id, body.role);
      const member = (await store.listMembers(course.id)).find((m) => m.id === existing.id);
      res.status(201).json({ member: member && memberView(member) });
      return;
    }
    if (!body.name) throw new HttpError(400, 'name: needed for a new account');
    // A new account has no password until its owner sets one through the link handed back.
    // Instructors may create courses of their own; assistants only help in this one.
    const created = await store.createUser({
      email: body.email,
      name: body.name,
      role: body.role === 'instructor' ? 'instructor' : 'student',
      passwordHash: '',
    });
    await store.enroll(course.id, created.id, body.role);
    const link = await issueResetLink(store, created.id, user.id, resetLinkTtlMs);
    const member = (await store.listMembers(course.id)).find((m) => m.id === created.id);
    res.status(201).json({ member: member && memberView(member), ...link });
  });

  router.delete(`${base}/members/:userId`, async (req, res) => {
    const { course } = await staffAccess(store, req, 'manage');
    const verdict = await store.removeMember(course.id, String(req.params.userId));
    if (verdict === 'not-member') throw new HttpError(404, 'No such member of this course.');
    if (verdict === 'last-instructor') {
      throw new HttpError(
        409,
        'A course keeps at least one instructor: add another instructor before removing this one.',
      );
    }
    res.json({ removed: true });
  });

  router.post(`${base}/members/:userId/reset-link`, async (req, res) => {
    const { user, course } = await staffAccess(store, req, 'manage');
    const target = await store.getUser(String(req.params.userId));
    if (!target || !(await store.enrollmentRole(course.id, target.id))) {
      throw new HttpError(404, 'No such member of this course.');
    }
    // Whoever sets the password holds the account, and with it everything the account may see.
    // So an instructor resets only accounts that see nothing beyond the courses they teach.
    if (target.role === 'instructor') {
      throw new HttpError(
        403,
        'An instructor account is reset by the lab’s administrator: `npm run lab -- reset-link <email>` on the server.',
      );
    }
    for (const { course: other, role: theirs } of await store.listCourses(target.id)) {
      if (theirs === 'student') continue;
      if ((await store.enrollmentRole(other.id, user.id)) !== 'instructor') {
        throw new HttpError(
          403,
          `${target.email} is staff of a course you do not teach: ask its instructor or the lab’s administrator.`,
        );
      }
    }
    const link = await issueResetLink(store, target.id, user.id, resetLinkTtlMs);
    res.status(201).json({ email: target.email, ...link });
  });

  return router;
}
