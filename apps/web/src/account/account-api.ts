// Client of the account routes (/api/auth, /api/courses, /api/instructor, /api/submissions).
// Sessions are http-only cookies; state-changing requests carry the CSRF token that
// GET /api/auth/me hands out. A page's first state-changing request waits for that token rather
// than go without it (a 403 the browser would log); a token that went stale (the server
// restarted, or the session changed in another tab) is fetched again and the request retried once.
import { useSyncExternalStore } from 'react';
import type { RunResult } from '@ebpf-lab/protocol';

export type Role = 'instructor' | 'student';
/** A member's role in one course: instructors run it, assistants review, students submit. */
export type CourseRole = 'instructor' | 'assistant' | 'student';
export interface Me {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Teaches or assists in a course (an assistant may have a student account). */
  teaches?: boolean;
}

export interface CourseView {
  id: string;
  title: string;
  role: CourseRole;
  joinPath?: string;
}

export interface Assignment {
  courseId: string;
  exerciseId: string;
  title: string;
  opensAt: string;
  dueAt: string;
  lateUntil: string | null;
  lateCreditPercent: number | null;
}

/** Where an assignment stands for a student (see the server's assignments/rules.ts). */
export interface AssignmentStanding {
  window: 'upcoming' | 'open' | 'late' | 'closed';
  /** 0 to 1; null while nothing counts and the student may still submit. */
  grade: number | null;
  gradedRunId: string | null;
  late: boolean;
  countedAttempts: number;
}

export interface CourseMember {
  id: string;
  email: string;
  name: string;
  courseRole: CourseRole;
  joinedAt: string;
}

export interface RunSummary {
  id: string;
  userId: string | null;
  exerciseId: string;
  kind: 'student' | 'rerun';
  rerunOf: string | null;
  state: 'queued' | 'running' | 'finished' | 'interrupted';
  status: RunResult['status'] | null;
  gradable: boolean | null;
  requiredPassed: number | null;
  requiredTotal: number | null;
  checksPassed: number | null;
  checksTotal: number | null;
  createdAt: string;
  durationMs: number | null;
}

export interface StoredRun extends RunSummary {
  code: string;
  result: RunResult | null;
}

export interface LineComment {
  id: string;
  line: number;
  body: string;
  authorId: string;
  authorName: string;
  createdAt: string;
  editedAt: string | null;
  /** When the student read it; null while unread. */
  readAt: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Session = { state: 'unknown' } | { state: 'known'; me: Me | null };
let session: Session = { state: 'unknown' };
let csrfToken = '';
const listeners = new Set<() => void>();

function setSession(me: Me | null): void {
  session = { state: 'known', me };
  for (const l of listeners) l();
}

async function call<T>(method: string, url: string, body?: unknown, retried = false): Promise<T> {
  if (method !== 'GET' && !csrfToken) await knowSession().catch(() => {});
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(
      0,
      'The lab server cannot be reached. Check that it is running, then reload.',
    );
  }
  const data = (await response.json().catch(() => ({}))) as { error?: string; csrfToken?: string };
  if (typeof data.csrfToken === 'string') csrfToken = data.csrfToken;
  if (response.status === 403 && method !== 'GET' && !retried && /CSRF/.test(data.error ?? '')) {
    await refreshSession();
    return call(method, url, body, true);
  }
  if (!response.ok)
    throw new ApiError(response.status, data.error ?? `The server answered ${response.status}.`);
  return data as T;
}

export const apiGet = <T>(url: string) => call<T>('GET', url);
export const apiPost = <T>(url: string, body: unknown = {}) => call<T>('POST', url, body);
export const apiPatch = <T>(url: string, body: unknown) => call<T>('PATCH', url, body);
export const apiDelete = (url: string) => call<unknown>('DELETE', url);

/** The signed-in user as last known, without asking (undefined: not asked yet). */
export function knownMe(): Me | null | undefined {
  return session.state === 'known' ? session.me : undefined;
}

/** The CSRF token the server last handed out ('' before any answer). */
export function currentCsrfToken(): string {
  return csrfToken;
}

/** The page's one question in flight, shared by whatever asks before the answer. */
let asking: Promise<Me | null> | null = null;

/**
 * Who is signed in, asking the server only when nobody has yet: the navigation, the drafts
 * client and the first form of a page share one request.
 */
export function knowSession(): Promise<Me | null> {
  if (session.state === 'known' && csrfToken) return Promise.resolve(session.me);
  asking ??= refreshSession().finally(() => {
    asking = null;
  });
  return asking;
}

/** Asks the server afresh (after signing in or out, or when the CSRF token went stale). */
export async function refreshSession(): Promise<Me | null> {
  try {
    const { user } = await apiGet<{ user: Me | null }>('/api/auth/me');
    setSession(user);
    return user;
  } catch (e) {
    // A lab without accounts (404) is the signed-out single-user lab.
    if (e instanceof ApiError && e.status === 404) {
      setSession(null);
      return null;
    }
    throw e;
  }
}

/** The signed-in user (null when signed out, undefined while asking). */
export function useMe(): Me | null | undefined {
  const current = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      if (session.state === 'unknown') void knowSession().catch(() => setSession(null));
      return () => listeners.delete(l);
    },
    () => session,
  );
  return current.state === 'known' ? current.me : undefined;
}

/**
 * After signing in, out or up, the page is loaded afresh: the run WebSocket is opened again so
 * the server stores the next runs under the new session.
 */
export function reloadAt(path: string): void {
  window.location.assign(path);
}

export async function signIn(email: string, password: string): Promise<Me> {
  await refreshSession();
  const { user } = await apiPost<{ user: Me }>('/api/auth/login', { email, password });
  return user;
}

export async function signOut(): Promise<void> {
  await apiPost('/api/auth/logout');
}

export async function signUp(body: {
  joinCode: string;
  email: string;
  name: string;
  password: string;
}) {
  await refreshSession();
  return apiPost<{ user: Me; course: { id: string; title: string } }>('/api/auth/signup', body);
}

export function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString();
}

export function statusLabel(
  run: Pick<RunSummary, 'state' | 'status' | 'requiredPassed' | 'requiredTotal'>,
): string {
  if (run.state === 'interrupted') return 'interrupted (the server stopped; not counted)';
  if (run.state !== 'finished') return run.state;
  const checks = run.requiredTotal
    ? ` · ${run.requiredPassed}/${run.requiredTotal} required checks`
    : '';
  return `${run.status}${checks}`;
}
