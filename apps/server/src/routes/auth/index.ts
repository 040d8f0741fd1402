// Accounts: sessions, CSRF and the guard every account route sits behind, and the run recorder
// with its per-user limits. The account routers themselves are mounted by the app (app.ts).
import cookieParser from 'cookie-parser';
import type { RequestHandler } from 'express';
import type { Store } from '@ebpf-lab/store';
import { DEFAULT_RUN_LIMITS, createRunRecorder } from '../../runs/run-recorder.ts';
import type { RunLimits } from '../../runs/run-recorder.ts';
import { createCsrf } from './csrf.ts';
import { DEFAULT_RESET_LINK_TTL_MS } from './reset-links.ts';
import type { LoginLimit } from './router.ts';
import { createSessions } from './session.ts';
import type { SecureCookies } from './session.ts';

export { CSRF_HEADER } from './csrf.ts';
export { hashPassword } from './passwords.ts';

export interface AccountsDeps {
  store: Store;
  /** Default `auto`: Secure over https and on loopback (see session.ts). */
  secureCookies?: SecureCookies;
  sessionTtlMs?: number;
  csrfSecret?: string;
  loginLimit?: LoginLimit;
  runLimits?: Partial<RunLimits>;
  /** How long an instructor's password reset link works (default 3 days). */
  resetLinkTtlMs?: number;
}

/** The paths of the account routes: behind the guard, and answered by JSON errors. */
export const ACCOUNT_PATHS = [
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
  // The JSON body is parsed once, by the app, under LAB_JSON_BODY_BYTES.
  const guard = [cookieParser(), sessions.loadSession, csrf.csrfProtection];
  // The page itself carries the anonymous cookie and the CSRF cookie. Otherwise a new browser's
  // first API calls (the top navigation, the drafts client, a sign-up form) each draw their own,
  // the last Set-Cookie wins, and the others' tokens are refused.
  const issueCsrfCookie: RequestHandler = (req, res, next) => {
    csrf.generateCsrfToken(req, res);
    next();
  };
  const pageCookies: RequestHandler[] = [cookieParser(), sessions.loadSession, issueCsrfCookie];
  return {
    store: deps.store,
    sessions,
    csrf,
    guard,
    pageCookies,
    loginLimit: deps.loginLimit ?? { attempts: 10, windowMs: 15 * 60_000 },
    resetLinkTtlMs: deps.resetLinkTtlMs ?? DEFAULT_RESET_LINK_TTL_MS,
    userFromRequest: sessions.userFromRequest,
    /** Stores every run's states, and checks the per-user rate and size limits. */
    recorder: createRunRecorder(deps.store, { ...DEFAULT_RUN_LIMITS, ...deps.runLimits }),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
