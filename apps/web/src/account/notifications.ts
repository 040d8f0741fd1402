// Comments a signed-in student has not read yet: the badge in the top navigation and on each
// exercise. Asked of the server when a page opens, when the server says a comment changed, and
// after the student opens a commented submission (which marks its comments read).
import { useEffect, useSyncExternalStore } from 'react';
import { labSocket } from '../run/run-socket.ts';
import { apiGet, useMe } from './account-api.ts';

export interface Unread {
  total: number;
  byExercise: Record<string, number>;
}

const NONE: Unread = { total: 0, byExercise: {} };
let unread: Unread = NONE;
const listeners = new Set<() => void>();
let asking: Promise<void> | null = null;

function set(next: Unread): void {
  unread = next;
  for (const l of listeners) l();
}

/** Asks the server again (a student only; anyone else has nothing to read). */
export function refreshUnread(): Promise<void> {
  asking ??= apiGet<Unread>('/api/submissions/unread')
    .then(set, () => {
      // The badge is a convenience: a failed ask leaves the last count.
    })
    .finally(() => {
      asking = null;
    });
  return asking;
}

/** The signed-in student's unread comments (none for anyone else). */
export function useUnread(pathname?: string): Unread {
  const me = useMe();
  const student = me?.role === 'student';
  useEffect(() => {
    if (student) void refreshUnread();
    else set(NONE);
  }, [student, pathname]);
  // The server tells a student's connections when a comment on their runs changes.
  useEffect(() => {
    if (!student) return;
    return labSocket().onMessage((m) => {
      if (m.type === 'comments-changed') void refreshUnread();
    });
  }, [student]);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => unread,
  );
}
