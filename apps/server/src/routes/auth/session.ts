// Sessions: a random token in an http-only cookie; the store keeps only its SHA-256, so a copy
// of the database cannot be replayed as a live session.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Store } from '@ebpf-lab/store';
import type { SessionUser } from '../../identity.ts';
import { HttpError } from '../../http-error.ts';

export type { SessionUser };

export const SESSION_COOKIE = 'lab_session';
/** Identifies a signed-out browser so CSRF tokens for sign-in and sign-up are bound to it. */
export const ANON_COOKIE = 'lab_anon';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      labUser?: SessionUser;
      /** Hash of the session token when signed in, else of the anonymous cookie. */
      labSessionKey?: string;
    }
  }
}

export interface SessionOptions {
  secureCookies: SecureCookies;
  sessionTtlMs: number;
}

/**
 * `auto`: Secure whenever the browser will keep it: over https (behind a proxy, set
 * LAB_TRUST_PROXY so Express sees the proxy's https) and on loopback, which browsers treat as secure. A lab served over plain http
 * on a LAN then still works; serve it over https to protect the session on the wire.
 */
export type SecureCookies = boolean | 'auto';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isSecureFor(req: Request, mode: SecureCookies): boolean {
  if (mode !== 'auto') return mode;
  return req.secure || LOOPBACK.has(req.hostname);
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

export function createSessions(store: Store, options: SessionOptions) {
  const cookieOptions = (req: Request) => ({
    httpOnly: true,
    secure: isSecureFor(req, options.secureCookies),
    sameSite: 'lax' as const,
    path: '/',
  });

  async function userForToken(token: string | undefined): Promise<SessionUser | null> {
    if (!token) return null;
    const session = await store.getSession(hashToken(token));
    if (!session) return null;
    const user = await store.getUser(session.userId);
    return user ? { id: user.id, email: user.email, name: user.name, role: user.role } : null;
  }

  /** Loads `req.labUser`; gives signed-out browsers an anonymous cookie for CSRF binding. */
  async function loadSession(req: Request, res: Response, next: NextFunction): Promise<void> {
    const cookies = (req.cookies ?? {}) as Record<string, string | undefined>;
    const token = cookies[SESSION_COOKIE];
    const user = await userForToken(token);
    if (user && token) {
      req.labUser = user;
      req.labSessionKey = hashToken(token);
    } else {
      let anon = cookies[ANON_COOKIE];
      if (!anon) {
        anon = randomBytes(24).toString('base64url');
        res.cookie(ANON_COOKIE, anon, cookieOptions(req));
      }
      req.labSessionKey = hashToken(`anon:${anon}`);
    }
    next();
  }

  async function signIn(req: Request, res: Response, user: SessionUser): Promise<void> {
    const old = (req.cookies as Record<string, string | undefined>)[SESSION_COOKIE];
    if (old) await store.deleteSession(hashToken(old));
    const token = randomBytes(32).toString('base64url');
    await store.createSession(
      hashToken(token),
      user.id,
      new Date(Date.now() + options.sessionTtlMs),
    );
    res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge: options.sessionTtlMs });
    req.labUser = user;
    req.labSessionKey = hashToken(token);
  }

  async function signOut(req: Request, res: Response): Promise<void> {
    const token = (req.cookies as Record<string, string | undefined>)[SESSION_COOKIE];
    if (token) await store.deleteSession(hashToken(token));
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    req.labUser = undefined;
    const anon = (req.cookies as Record<string, string | undefined>)[ANON_COOKIE] ?? '';
    req.labSessionKey = hashToken(`anon:${anon}`);
  }

  /** The signed-in user of a raw request (the WebSocket upgrade), or null when signed out. */
  async function userFromRequest(req: IncomingMessage): Promise<SessionUser | null> {
    return userForToken(readCookie(req.headers.cookie, SESSION_COOKIE));
  }

  return { loadSession, signIn, signOut, userFromRequest };
}

export type Sessions = ReturnType<typeof createSessions>;

export function requireUser(req: Request): SessionUser {
  if (!req.labUser) throw new HttpError(401, 'Sign in first.');
  return req.labUser;
}

export function requireInstructor(req: Request): SessionUser {
  const user = requireUser(req);
  if (user.role !== 'instructor') throw new HttpError(403, 'Only instructors may do this.');
  return user;
}

/** One cookie's value from a raw `Cookie` header (the upgrade request has no cookie-parser). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
