// Where a run's life is written to the store, every state once: accepted (stored as `queued`,
// after a student's limits are checked), running, and finished or interrupted. The run
// lifecycle (run-lifecycle.ts) is its only caller. Signed-out single-user runs are stored too,
// with no user; an instructor's re-run is stored as a new run of kind `rerun` pointing at the
// original, so the student's own history is never rewritten.
import { MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import type { RunResult } from '@ebpf-lab/protocol';
import type { Run, Store } from '@ebpf-lab/store';
import { capStoredResult, MAX_STORED_RESULT_BYTES } from './stored-result.ts';
import type { StoredResult } from './stored-result.ts';

export type RunRefusal = {
  ok: false;
  code: 'rate-limited' | 'too-large' | 'not-in-course';
  message: string;
};

export interface RunRecorder {
  /** Checks the limits, then stores the run as `queued`. A refusal names the limit hit. */
  recordRunAccepted(run: {
    runId: string;
    exerciseId: string;
    code: string;
    user: { id: string } | null;
    /** The course the browser says the run is for (see `courseOfRun`). */
    courseId?: string;
  }): Promise<{ ok: true; courseId: string | null } | RunRefusal>;
  /**
   * Stores a re-run of `original` as `queued`, in the original author's name and for the
   * original's course; no limits.
   */
  recordRerunAccepted(run: { runId: string; original: Run; requestedBy: string }): Promise<void>;
  recordRunStarted(runId: string): Promise<void>;
  /**
   * Stores the result, capped in size (capStoredResult); returns the copy stored, to show, with
   * the JSON it was stored as.
   */
  recordRunFinished(runId: string, result: RunResult): Promise<StoredResult>;
  /** The run ended without a result (cancelled, closed tab, runner failure): kept, marked. */
  recordRunInterrupted(runId: string): Promise<void>;
}

export interface RunLimits {
  /** Per signed-in user. */
  runsPerMinute: number;
  /**
   * Signed-out runs, all of them together (they share one identity in the store). By default
   * none: the server bounds signed-out runs per client address (network/fair-share.ts).
   */
  anonymousRunsPerMinute: number | null;
  maxSourceBytes: number;
  /** Largest result stored (as JSON); a larger one is shortened and says so in its limits. */
  maxStoredResultBytes: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = {
  runsPerMinute: 20,
  anonymousRunsPerMinute: null,
  maxSourceBytes: MAX_SOURCE_BYTES,
  maxStoredResultBytes: MAX_STORED_RESULT_BYTES,
};

/**
 * The course a run counts for. A course the browser names (an assignment link carries it) must be
 * one the user is a student of; staff trying an exercise of their own course practise outside it.
 * Named none: a student of exactly one course works for it, anyone else practises.
 */
export async function courseOfRun(
  store: Store,
  user: { id: string } | null,
  asked: string | undefined,
): Promise<{ ok: true; courseId: string | null } | RunRefusal> {
  if (!user) return { ok: true, courseId: null };
  if (asked) {
    const role = await store.enrollmentRole(asked, user.id);
    if (role === 'student') return { ok: true, courseId: asked };
    if (role) return { ok: true, courseId: null };
    return {
      ok: false,
      code: 'not-in-course',
      message:
        'This run was made for a course you are not a student of (any more): open the exercise from your exercise list.',
    };
  }
  const taken = (await store.listCourses(user.id))
    .filter((m) => m.role === 'student')
    .map((m) => m.course.id);
  return { ok: true, courseId: taken.length === 1 ? taken[0] : null };
}

export function createRunRecorder(
  store: Store,
  limits: RunLimits = DEFAULT_RUN_LIMITS,
): RunRecorder {
  return {
    async recordRunAccepted({ runId, exerciseId, code, user, courseId: asked }) {
      const bytes = Buffer.byteLength(code, 'utf8');
      if (bytes > limits.maxSourceBytes) {
        return {
          ok: false,
          code: 'too-large',
          message: `Your file is ${Math.ceil(bytes / 1024)} KiB; submissions are limited to ${Math.floor(limits.maxSourceBytes / 1024)} KiB.`,
        };
      }
      // Counted from the store, so the limit holds across restarts and is the same on every node.
      const userId = user?.id ?? null;
      const perMinute = user ? limits.runsPerMinute : limits.anonymousRunsPerMinute;
      if (perMinute !== null) {
        const recent = await store.countRunsSince(userId, new Date(Date.now() - 60_000));
        if (recent >= perMinute) {
          return {
            ok: false,
            code: 'rate-limited',
            message: `Run limit reached: at most ${perMinute} run${perMinute === 1 ? '' : 's'} per minute. Wait a few seconds and run again.`,
          };
        }
      }
      const course = await courseOfRun(store, user, asked);
      if (!course.ok) return course;
      await store.recordRunQueued({
        id: runId,
        userId,
        courseId: course.courseId,
        exerciseId,
        code,
      });
      return course;
    },
    recordRerunAccepted: ({ runId, original, requestedBy }) =>
      store.recordRunQueued({
        id: runId,
        userId: original.userId,
        exerciseId: original.exerciseId,
        code: original.code,
        courseId: original.courseId,
        kind: 'rerun',
        rerunOf: original.id,
        requestedBy,
      }),
    recordRunStarted: (runId) => store.recordRunRunning(runId),
    async recordRunFinished(runId, result) {
      const stored = capStoredResult(result, limits.maxStoredResultBytes);
      await store.recordRunFinished(runId, stored.result, stored.json);
      return stored;
    },
    recordRunInterrupted: (runId) => store.recordRunInterrupted(runId),
  };
}
