// /api/auth: who am I (with a CSRF token), sign in, sign out, sign up through a join link, set a
// new password through a reset link.
import { Router } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { Store } from '@ebpf-lab/store';
import type { Csrf } from './csrf.ts';
import { isCourseStaff } from '../../course-roles.ts';
import { HttpError, parseBody } from '../../http-error.ts';
import { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from './passwords.ts';
import { hashToken } from './session.ts';
import type { SessionUser, Sessions } from './session.ts';

export interface LoginLimit {
  attempts: number;
  windowMs: number;
}

const Email = z.string().trim().toLowerCase().email().max(200);
const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200);
const LoginBody = z.object({ email: Email, password: z.string().max(200) });
const SignupBody = z.object({
  joinCode: z.string().min(1).max(100),
  email: Email,
  name: z.string().trim().min(1).max(100),
  password: Password,
});
const ResetBody = z.object({ token: z.string().min(1).max(100), password: Password });

/** What a reset link that cannot be used says, by why. */
const RESET_REFUSED = {
  used: [410, 'This reset link was used already: ask your instructor for a new one.'],
  expired: [410, 'This reset link has expired: ask your instructor for a new one.'],
  unknown: [404, 'This reset link is not valid: ask your instructor for a new one.'],
} as const;

export function createAuthRouter(deps: {
  store: Store;
  sessions: Sessions;
  csrf: Csrf;
  loginLimit: LoginLimit;
}): Router {
  const { store, sessions, csrf } = deps;
  const router = Router();
  const minutes = Math.round(deps.loginLimit.windowMs / 60_000);

  // Per address and account, so one student's typos do not lock out a classroom behind NAT.
  const loginLimiter = rateLimit({
    windowMs: deps.loginLimit.windowMs,
    limit: deps.loginLimit.attempts,
    // Only failures count: a class signing in together from one address is not an attack.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase() : '';
      return `${ipKeyGenerator(req.ip ?? '')}|${email}`;
    },
    handler: (_req, res) => {
      res.status(429).json({
        error: `Too many sign-in attempts: the limit is ${deps.loginLimit.attempts} per ${minutes} minutes. Wait and try again.`,
      });
    },
  });

  /** Whether the user teaches or assists in any course: the top navigation then shows the desk. */
  const teaches = async (user: SessionUser): Promise<boolean> => {
    if (user.role === 'instructor') return true;
    return (await store.listCourses(user.id)).some((m) => isCourseStaff(m.role));
  };
  const me = async (user: SessionUser | undefined) =>
    user
      ? {
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          teaches: await teaches(user),
        }
      : null;

  router.get('/api/auth/me', async (req, res) => {
    res.json({ user: await me(req.labUser), csrfToken: csrf.generateCsrfToken(req, res) });
  });

  router.post('/api/auth/login', loginLimiter, async (req, res) => {
    const body = parseBody(LoginBody, req.body);
    const user = await store.getUserByEmail(body.email);
    // Verify against something even when the account does not exist, so timing does not tell.
    const ok = user
      ? await verifyPassword(user.passwordHash, body.password)
      : (await verifyPassword(DUMMY_HASH, body.password)) && false;
    if (!user || !ok) throw new HttpError(401, 'Wrong email or password.');
    await sessions.signIn(req, res, user);
    res.json({ user: await me(user), csrfToken: csrf.generateCsrfToken(req, res) });
  });

  router.post('/api/auth/logout', async (req, res) => {
    await sessions.signOut(req, res);
    res.json({ user: null, csrfToken: csrf.generateCsrfToken(req, res) });
  });

  router.post('/api/auth/signup', loginLimiter, async (req, res) => {
    const body = parseBody(SignupBody, req.body);
    const course = await store.getCourseByJoinCode(body.joinCode);
    if (!course)
      throw new HttpError(404, 'This join link is not valid: ask your instructor for a new one.');
    if (await store.getUserByEmail(body.email)) {
      throw new HttpError(
        409,
        'An account with this email exists: sign in, then open the join link again.',
      );
    }
    const user = await store.createUser({
      email: body.email,
      name: body.name,
      role: 'student',
      passwordHash: await hashPassword(body.password),
    });
    await store.enroll(course.id, user.id, 'student');
    await sessions.signIn(req, res, user);
    res.status(201).json({
      user: await me(user),
      course: { id: course.id, title: course.title },
      csrfToken: csrf.generateCsrfToken(req, res),
    });
  });

  router.get('/api/auth/reset/:token', async (req, res) => {
    const check = await store.checkPasswordReset(hashToken(String(req.params.token)));
    if (!check.ok) {
      const [status, message] = RESET_REFUSED[check.verdict === 'done' ? 'unknown' : check.verdict];
      throw new HttpError(status, message);
    }
    const user = await store.getUser(check.userId);
    res.json({ account: user && { email: user.email, name: user.name } });
  });

  // The link works once: the password is set, every session of the account ends (whoever held
  // it is signed out), and this browser is signed in afresh.
  router.post('/api/auth/reset', loginLimiter, async (req, res) => {
    const body = parseBody(ResetBody, req.body);
    const tokenHash = hashToken(body.token);
    const check = await store.checkPasswordReset(tokenHash);
    const verdict = check.ok
      ? await store.usePasswordReset(tokenHash, await hashPassword(body.password))
      : check.verdict;
    if (verdict !== 'done') {
      const [status, message] = RESET_REFUSED[verdict];
      throw new HttpError(status, message);
    }
    const user = check.ok ? await store.getUser(check.userId) : undefined;
    if (!user) throw new HttpError(404, RESET_REFUSED.unknown[1]);
    await sessions.signIn(req, res, user);
    res.json({ user: await me(user), csrfToken: csrf.generateCsrfToken(req, res) });
  });

  return router;
}

// A real argon2id hash of a random string, used only to spend the same time on unknown emails.
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$NBvnHX9GZDXzTeOoUkvyJw$rX4Vi7k3fD9XJ208yfeuy3qx4wdOp5hVXF+Yi+rvmyU';
