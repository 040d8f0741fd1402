// The server's copy of a signed-in student's code (/api/drafts/:exerciseId), so another device
// or browser opens where they left off. Local storage stays the first, synchronous copy (no
// keystroke waits on the network); the server copy follows shortly after, and the later edit wins.
import { currentCsrfToken, knowSession, refreshSession } from '../account/account-api.ts';
import { isString, objectOf } from './shape.ts';

const isDraft = objectOf({ code: isString, editedAt: isString });
export type ServerDraft = { code: string; editedAtMs: number };

export interface DraftServer {
  load(exerciseId: string): Promise<ServerDraft | null>;
  /**
   * For an exercise that continues another: the student's best passing code of that one, from
   * any device, with the new TODO appended; null when there is none.
   */
  starter(exerciseId: string): Promise<string | null>;
  /** Stores the edit; resolves to the draft the server kept (a later edit may have won). */
  save(
    exerciseId: string,
    code: string,
    editedAtMs: number,
    options?: { keepalive?: boolean },
  ): Promise<ServerDraft>;
}

const toDraft = (raw: unknown): ServerDraft => {
  const d = (raw as { draft?: unknown }).draft;
  if (!isDraft(d)) throw new Error('The server sent saved code this page does not understand.');
  return { code: d.code, editedAtMs: Date.parse(d.editedAt) };
};

/** The drafts client when signed in; null when signed out or the lab has no accounts. */
export async function connectDraftServer(): Promise<DraftServer | null> {
  try {
    if (!(await knowSession())) return null;
  } catch {
    return null;
  }
  const refresh = async (): Promise<boolean> => (await refreshSession().catch(() => null)) !== null;
  const url = (id: string) => `/api/drafts/${encodeURIComponent(id)}`;
  const put = (id: string, code: string, editedAtMs: number, keepalive: boolean) =>
    fetch(url(id), {
      method: 'PUT',
      credentials: 'same-origin',
      keepalive,
      headers: { 'content-type': 'application/json', 'x-csrf-token': currentCsrfToken() },
      body: JSON.stringify({
        code,
        editedAt: new Date(editedAtMs).toISOString(),
      }),
    });
  return {
    async starter(exerciseId) {
      const response = await fetch(`${url(exerciseId)}/starter`, { credentials: 'same-origin' });
      if (!response.ok) return null;
      const body = (await response.json()) as { starter?: unknown };
      return typeof body.starter === 'string' ? body.starter : null;
    },
    async load(exerciseId) {
      const response = await fetch(url(exerciseId), {
        credentials: 'same-origin',
      });
      if (!response.ok)
        throw new Error(`The server answered ${response.status} for your saved code.`);
      const body = (await response.json()) as { draft?: unknown };
      return body.draft === null ? null : toDraft(body);
    },
    async save(exerciseId, code, editedAtMs, options = {}) {
      let response = await put(exerciseId, code, editedAtMs, options.keepalive ?? false);
      // The CSRF token went stale (server restart, sign-in in another tab): fetch one, retry once.
      if (response.status === 403 && (await refresh())) {
        response = await put(exerciseId, code, editedAtMs, options.keepalive ?? false);
      }
      const body: unknown = await response.json().catch(() => ({}));
      if (!response.ok) {
        throw new Error(
          (body as { error?: string }).error ?? `The server answered ${response.status}.`,
        );
      }
      return toDraft(body);
    },
  };
}
