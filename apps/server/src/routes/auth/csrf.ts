// Double-submit CSRF tokens (csrf-csrf) bound to the session, or to the anonymous cookie before
// sign-in, so a token taken from one browser is worthless in another. The client reads the
// token from GET /api/auth/me and sends it back in `x-csrf-token`.
import { randomBytes } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, Response } from 'express';
import { isSecureFor } from './session.ts';
import type { SecureCookies } from './session.ts';

export const CSRF_COOKIE = 'lab_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function createCsrf(options: { secret?: string; secureCookies: SecureCookies }) {
  // A secret drawn per process invalidates tokens on restart; the client then fetches a new
  // one. Set `csrfSecret` to keep them across restarts or share them between nodes.
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => req.labSessionKey ?? '',
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => req.headers[CSRF_HEADER],
  });
  return {
    csrfProtection: doubleCsrfProtection,
    generateCsrfToken: (req: Request, res: Response) =>
      generateCsrfToken(req, res, {
        cookieOptions: {
          sameSite: 'lax',
          httpOnly: true,
          path: '/',
          secure: isSecureFor(req, options.secureCookies),
        },
      }),
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
