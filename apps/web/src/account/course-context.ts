// The course a student is working for, sent with each run so the run counts for that course.
// An assignment link carries it (`/exercises/x?course=<id>`) and the exercise list lets a student
// of several courses pick it; it is kept in this browser for the account that chose it. A
// student of one course needs none: the server gives their runs that course.
import { readJson, writeJson } from '../storage/local-json.ts';
import { isString, nullable, objectOf } from '../storage/shape.ts';
import { knownMe } from './account-api.ts';

const KEY = 'lab.courseContext';
const isStored = nullable(objectOf({ userId: isString, courseId: isString }));

export function setCourseContext(userId: string, courseId: string | null): void {
  if (courseId === null) {
    try {
      localStorage.removeItem(KEY);
    } catch {
      // Storage disabled: there was nothing kept either.
    }
    return;
  }
  writeJson(KEY, { userId, courseId });
}

/** The course chosen by this browser's signed-in account, if any. */
export function storedCourseContext(userId: string): string | undefined {
  const stored = readJson(KEY, isStored, null);
  return stored && stored.userId === userId ? stored.courseId : undefined;
}

/**
 * The course to send with a run now: the page's `?course=` (kept for the next pages), else the
 * one kept for the signed-in account.
 */
export function courseContextForRun(search = window.location.search): string | undefined {
  const me = knownMe();
  if (!me) return undefined;
  const fromLink = new URLSearchParams(search).get('course');
  if (fromLink) {
    setCourseContext(me.id, fromLink);
    return fromLink;
  }
  return storedCourseContext(me.id);
}
