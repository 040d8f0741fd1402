// Double-submit CSRF tokens (csrf-csrf) bound to the session, or to the anonymous cookie before
// sign-in, so a token taken from one browser is worthless in another. The client reads the
// token from GET /api/auth/me and sends it back in `x-csrf-token`.
import { randomBytes } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';

export const CSRF_COOKIE = 'lab_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function createCsrf(options: { secret?: string; secureCookies: boolean }) {
  // A secret drawn per process invalidates tokens on restart; the client then fetches a new
  // one. Set `csrfSecret` to keep them across restarts or share them between nodes.
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => req.labSessionKey ?? '',
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', secure: options.secureCookies, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => req.headers[CSRF_HEADER],
  });
  return { csrfProtection: doubleCsrfProtection, generateCsrfToken };
}

export type Csrf = ReturnType<typeof createCsrf>;
