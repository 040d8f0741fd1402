import type { ExerciseDetail, ExerciseSummary } from '@ebpf-lab/protocol/exercises';
import { arrayOf, isBoolean, isInteger, isString, objectOf, optional } from '../storage/shape.ts';
import type { Check } from '../storage/shape.ts';

// The protocol's zod schemas of these, written as plain checks (storage/shape.ts): the exercise
// is what the first screen shows, and zod's start-up would come before it. Typed as the
// protocol's types, so a field the protocol adds and requires fails to compile here.
const summaryFields = {
  id: isString,
  chapter: isInteger,
  chapterTitle: isString,
  order: isInteger,
  title: isString,
  summary: isString,
};

export const isExerciseSummary: Check<ExerciseSummary> = objectOf(summaryFields);

export const isExerciseDetail: Check<ExerciseDetail> = objectOf({
  ...summaryFields,
  instructions: isString,
  starter: isString,
  helpers: arrayOf(objectOf({ name: isString, signature: isString, description: isString })),
  checks: arrayOf(objectOf({ id: isString, title: isString, required: isBoolean })),
  continues: optional(objectOf({ exercise: isString, append: isString })),
});

/** The list as the server sends it: the exercises, or an object holding them. */
const isExerciseList: Check<ExerciseSummary[] | { exercises: ExerciseSummary[] }> = (
  value,
): value is ExerciseSummary[] | { exercises: ExerciseSummary[] } =>
  arrayOf(isExerciseSummary)(value) || objectOf({ exercises: arrayOf(isExerciseSummary) })(value);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, check: Check<T>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(
      0,
      'The lab server cannot be reached. Check that it is running, then reload.',
    );
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    let message = `The server answered ${response.status}.`;
    try {
      const body = JSON.parse(text) as { message?: unknown; error?: unknown };
      const said = typeof body.message === 'string' ? body.message : body.error;
      if (typeof said === 'string') message = said;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, message);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!check(body))
    throw new ApiError(502, 'The server sent exercise data this page does not understand.');
  return body;
}

let listCache: Promise<ExerciseSummary[]> | null = null;

export function fetchExercises(): Promise<ExerciseSummary[]> {
  listCache ??= getJson('/api/exercises', isExerciseList).then((body) =>
    [...(Array.isArray(body) ? body : body.exercises)].sort(
      (a, b) => a.chapter - b.chapter || a.order - b.order,
    ),
  );
  listCache.catch(() => {
    listCache = null;
  });
  return listCache;
}

// An exercise asked for before its page's code has loaded, kept for that page's first request.
const prefetched = new Map<string, Promise<ExerciseDetail>>();

/** Starts loading an exercise now; the next `fetchExercise` of it gets this answer. */
export function prefetchExercise(id: string): void {
  if (prefetched.has(id)) return;
  const pending = getJson(`/api/exercises/${encodeURIComponent(id)}`, isExerciseDetail);
  // Its error, if any, is reported by the fetchExercise that takes it.
  pending.catch(() => {});
  prefetched.set(id, pending);
}

export function fetchExercise(id: string): Promise<ExerciseDetail> {
  const early = prefetched.get(id);
  if (early) {
    prefetched.delete(id);
    return early;
  }
  return getJson(`/api/exercises/${encodeURIComponent(id)}`, isExerciseDetail);
}
