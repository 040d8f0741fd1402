// Accounts, courses, the instructor's desk and stored submissions, assembled for createApp:
//   const accounts = createAccounts({ store, exercises, runner });
//   app.use(accounts.router);                          // before the SPA fallback
//   accounts.userFromRequest(upgradeRequest)           // WebSocket: who is running
//   accounts.runs.recordRunAccepted / Started / Finished
import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import type { LabRunner } from '@ebpf-lab/runner';
import type { Store } from '@ebpf-lab/store';
import { createAssignmentsRouter } from '../assignments/router.ts';
import { createCoursesRouter } from '../courses/router.ts';
import { createRerunQueue } from '../instructor/rerun.ts';
import { createInstructorRouter } from '../instructor/router.ts';
import { createPeopleRouter } from '../people/router.ts';
import { DEFAULT_RESET_LINK_TTL_MS } from './reset-links.ts';
import { createSubmissionsRouter } from '../submissions/router.ts';
import { DEFAULT_RUN_LIMITS, createRunRecorder } from '../submissions/run-recorder.ts';
import type { ExerciseCatalog, RunLimits } from '../submissions/run-recorder.ts';
import { createCsrf } from './csrf.ts';
import { renderHttpErrors } from './http-error.ts';
import { createAuthRouter } from './router.ts';
import type { LoginLimit } from './router.ts';
import { createSessions } from './session.ts';
import type { SecureCookies } from './session.ts';

export type { SessionUser } from './session.ts';
export type { RunRecorder, RunRefusal, ExerciseCatalog } from '../submissions/run-recorder.ts';
export { CSRF_HEADER } from './csrf.ts';
export { hashPassword } from './passwords.ts';

export interface AccountsDeps {
  store: Store;
  exercises: ExerciseCatalog;
  /** Used to re-run stored submissions; without it re-runs finish as infrastructure errors. */
  runner?: LabRunner;
  /** Default `auto`: Secure over https and on loopback (see session.ts). */
  secureCookies?: SecureCookies;
  sessionTtlMs?: number;
  csrfSecret?: string;
  loginLimit?: LoginLimit;
  runLimits?: Partial<RunLimits>;
  /** How long an instructor's password reset link works (default 3 days). */
  resetLinkTtlMs?: number;
}

const ACCOUNT_PATHS = [
  '/api/auth',
  '/api/courses',
  '/api/instructor',
  '/api/submissions',
  '/api/assignments',
];

export function createAccounts(deps: AccountsDeps) {
  const secureCookies = deps.secureCookies ?? 'auto';
  const sessions = createSessions(deps.store, {
    secureCookies,
    sessionTtlMs: deps.sessionTtlMs ?? 7 * 24 * 3600_000,
  });
  const csrf = createCsrf({ secret: deps.csrfSecret, secureCookies });
  const reruns = createRerunQueue(deps.store, deps.runner);
  const runs = createRunRecorder(deps.store, { ...DEFAULT_RUN_LIMITS, ...deps.runLimits });

  // Drafts reuse this chain through `guard`, so their CSRF tokens are these ones.
  const guard = [
    express.json({ limit: '64kb' }),
    cookieParser(),
    sessions.loadSession,
    csrf.csrfProtection,
  ];
  const router = Router();
  router.use(ACCOUNT_PATHS, ...guard);
  router.use(
    createAuthRouter({
      store: deps.store,
      sessions,
      csrf,
      loginLimit: deps.loginLimit ?? { attempts: 10, windowMs: 15 * 60_000 },
    }),
  );
  router.use(createCoursesRouter({ store: deps.store }));
  router.use(createInstructorRouter({ store: deps.store, exercises: deps.exercises, reruns }));
  router.use(createAssignmentsRouter({ store: deps.store, exercises: deps.exercises }));
  router.use(
    createPeopleRouter({
      store: deps.store,
      resetLinkTtlMs: deps.resetLinkTtlMs ?? DEFAULT_RESET_LINK_TTL_MS,
    }),
  );
  router.use(createSubmissionsRouter({ store: deps.store }));
  router.use(ACCOUNT_PATHS, (_req, res) => {
    res.status(404).json({ error: 'No such route.' });
  });
  router.use(ACCOUNT_PATHS, renderHttpErrors);

  return {
    router,
    userFromRequest: sessions.userFromRequest,
    runs,
    reruns,
    guard,
    store: deps.store,
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
