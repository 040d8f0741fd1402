// Re-grading stored submissions after an exercise changed: each re-run is a new run of kind
// `rerun` pointing at the original, so the student's own history is never rewritten. One at a
// time: re-grading a whole class must not starve students' live runs on a small machine.
import { randomUUID } from 'node:crypto';
import type { RunResult } from '@ebpf-lab/protocol';
import type { LabRunner } from '@ebpf-lab/runner';
import type { Run, Store } from '@ebpf-lab/store';
import { capStoredResult } from '../submissions/stored-result.ts';

export interface RerunQueue {
  /** Records the re-run as queued (it is never lost) and schedules it; returns its id. */
  enqueue(original: Run, requestedBy: string): Promise<string>;
  /** Resolves when everything enqueued so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export function createRerunQueue(store: Store, runner: LabRunner | undefined): RerunQueue {
  let tail: Promise<void> = Promise.resolve();

  async function runOne(runId: string, original: Run): Promise<void> {
    await store.recordRunRunning(runId);
    let result: RunResult;
    try {
      if (!runner) throw new Error('no runner configured');
      result = await runner.run(
        { runId, exerciseId: original.exerciseId, code: original.code },
        () => {},
      );
    } catch (e) {
      result = infrastructureError(runId, original.exerciseId, (e as Error).message);
    }
    await store.recordRunFinished(runId, capStoredResult(result));
  }

  return {
    async enqueue(original, requestedBy) {
      const runId = randomUUID();
      await store.recordRunQueued({
        id: runId,
        userId: original.userId,
        exerciseId: original.exerciseId,
        code: original.code,
        kind: 'rerun',
        rerunOf: original.id,
        requestedBy,
      });
      tail = tail.then(() => runOne(runId, original)).catch(() => {});
      return runId;
    },
    idle: () => tail,
  };
}

function infrastructureError(runId: string, exerciseId: string, message: string): RunResult {
  return {
    runId,
    exerciseId,
    status: 'error',
    errorKind: 'infrastructure',
    gradable: false,
    summary: `The re-run could not be graded (${message}); it costs no attempt.`,
    stages: [],
    checks: [],
    diagnostics: [],
    observations: [],
    limits: [],
    versions: { kernel: '', clang: '', libbpf: '', exerciseHash: '' },
    startedAt: new Date().toISOString(),
    durationMs: 0,
  };
}
