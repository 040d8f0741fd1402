// Where a run's life is written to the store, every state once: accepted (stored as `queued`,
// after a student's limits are checked), running, and finished or interrupted. The run
// lifecycle (run-lifecycle.ts) is its only caller. Signed-out single-user runs are stored too,
// with no user; an instructor's re-run is stored as a new run of kind `rerun` pointing at the
// original, so the student's own history is never rewritten.
import { MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import type { RunResult } from '@ebpf-lab/protocol';
import type { Run, Store } from '@ebpf-lab/store';
import { capStoredResult, MAX_STORED_RESULT_BYTES } from './stored-result.ts';

export type RunRefusal = { ok: false; code: 'rate-limited' | 'too-large'; message: string };

export interface RunRecorder {
  /** Checks the limits, then stores the run as `queued`. A refusal names the limit hit. */
  recordRunAccepted(run: {
    runId: string;
    exerciseId: string;
    code: string;
    user: { id: string } | null;
  }): Promise<{ ok: true } | RunRefusal>;
  /** Stores a re-run of `original` as `queued`, in the original author's name; no limits. */
  recordRerunAccepted(run: { runId: string; original: Run; requestedBy: string }): Promise<void>;
  recordRunStarted(runId: string): Promise<void>;
  /** Stores the result, capped in size (capStoredResult); returns the copy stored, to show. */
  recordRunFinished(runId: string, result: RunResult): Promise<RunResult>;
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

export function createRunRecorder(
  store: Store,
  limits: RunLimits = DEFAULT_RUN_LIMITS,
): RunRecorder {
  return {
    async recordRunAccepted({ runId, exerciseId, code, user }) {
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
      await store.recordRunQueued({ id: runId, userId, exerciseId, code });
      return { ok: true };
    },
    recordRerunAccepted: ({ runId, original, requestedBy }) =>
      store.recordRunQueued({
        id: runId,
        userId: original.userId,
        exerciseId: original.exerciseId,
        code: original.code,
        kind: 'rerun',
        rerunOf: original.id,
        requestedBy,
      }),
    recordRunStarted: (runId) => store.recordRunRunning(runId),
    async recordRunFinished(runId, result) {
      const stored = capStoredResult(result, limits.maxStoredResultBytes);
      await store.recordRunFinished(runId, stored);
      return stored;
    },
    recordRunInterrupted: (runId) => store.recordRunInterrupted(runId),
  };
}
