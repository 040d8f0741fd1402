import { ExerciseDetail, ExerciseSummary } from '@ebpf-lab/protocol/exercises';
import { z } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, schema: z.ZodType<T>): Promise<T> {
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
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success)
    throw new ApiError(502, 'The server sent exercise data this page does not understand.');
  return parsed.data;
}

const ExerciseList = z.union([
  z.array(ExerciseSummary),
  z.object({ exercises: z.array(ExerciseSummary) }).transform((o) => o.exercises),
]);

let listCache: Promise<ExerciseSummary[]> | null = null;

export function fetchExercises(): Promise<ExerciseSummary[]> {
  listCache ??= getJson('/api/exercises', ExerciseList).then((list) =>
    [...list].sort((a, b) => a.chapter - b.chapter || a.order - b.order),
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
  const pending = getJson(`/api/exercises/${encodeURIComponent(id)}`, ExerciseDetail);
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
  return getJson(`/api/exercises/${encodeURIComponent(id)}`, ExerciseDetail);
}
