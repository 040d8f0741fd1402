// One run's life, for a student's run and an instructor's re-run alike:
//
//   accepted → queued → running → finished | interrupted
//
// Each state is recorded once, in this order (run-recorder.ts), and announced to whoever watches
// every run (`subscribe`: the instructor's desk); the run's own watcher (a student's WebSocket)
// hears its queue position and progress. The job queue decides when a run starts: re-runs wait in
// its background lane, so re-grading a class never takes every slot from students' live runs.
import { randomUUID } from 'node:crypto';
import { newErrorId } from '@ebpf-lab/protocol';
import type { RunResult } from '@ebpf-lab/protocol';
import type { RunProgress, RunRequest } from '@ebpf-lab/runner';
import type { Run } from '@ebpf-lab/store';
import type { Logger } from 'pino';
import type { JobHandle, JobQueue } from '../queue/job-queue.ts';
import type { RunRecorder, RunRefusal } from './run-recorder.ts';

/** A run may also report its place in a shared queue (the distributed transport does). */
export type RunnerProgress = RunProgress | { type: 'queued'; position: number };

/** The local LabRunner, or the distributed transport's remote one. */
export interface RunExecutor {
  run(
    request: RunRequest,
    onProgress: (p: RunnerProgress) => void,
    signal?: AbortSignal,
  ): Promise<RunResult>;
}

/** Whose run it is: a student's own submission, or an instructor's re-run of a stored one. */
export type RunOrigin =
  | { kind: 'student'; userId: string | null }
  | { kind: 'rerun'; userId: string | null; rerunOf: string; requestedBy: string };

export interface RunInfo {
  runId: string;
  exerciseId: string;
  origin: RunOrigin;
  /** The course the run counts for (null: practice, or no store); only its staff hear of it. */
  courseId: string | null;
}

/** A run the store holds as queued, ready to start. */
export interface AcceptedRun extends RunInfo {
  code: string;
}

/** One step of a run's life, as watchers of every run see it. */
export type RunTransition = RunInfo &
  (
    | { state: 'accepted' }
    | { state: 'queued'; position: number }
    | { state: 'running' }
    | { state: 'finished'; result: RunResult }
    | { state: 'interrupted'; reason: string }
  );

/**
 * How a run ended: its result as stored, with the JSON it was stored as when there is a store (sent
 * as it is), or why it stopped without one (logged under errorId).
 */
export type RunOutcome =
  { ok: true; result: RunResult; json?: string } | { ok: false; message: string; errorId: string };

/** What the run's own client hears. */
export interface RunWatcher {
  /** Its place in the queue: 1 = next to start. */
  onQueued?(position: number): void;
  /** Stages, events and checks, as the runner reports them. */
  onProgress?(progress: RunProgress): void;
}

export interface StartedRun {
  /** Removes the run from the queue, or stops it while it runs. */
  cancel(): void;
  /** Settles once the end is recorded; never rejects. */
  outcome: Promise<RunOutcome>;
}

export interface RunLifecycleDeps {
  queue: JobQueue;
  runner: RunExecutor;
  logger: Logger;
  /** Stores every state; absent when the lab keeps no runs (no accounts). */
  recorder?: RunRecorder;
}

export class RunLifecycle {
  private readonly listeners = new Set<(transition: RunTransition) => void>();
  private readonly unsettled = new Set<Promise<unknown>>();

  constructor(private readonly deps: RunLifecycleDeps) {}

  /** Hears every run's every state change; returns the unsubscribe. */
  subscribe(listener: (transition: RunTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A student's run: checks the limits the store counts, then records it as queued. A refusal
   * names the limit hit; a store failure throws. The caller then `start`s it.
   */
  async accept(submission: {
    runId: string;
    exerciseId: string;
    code: string;
    user: { id: string } | null;
    /** The course the browser named for the run (see run-recorder.ts's courseOfRun). */
    courseId?: string;
  }): Promise<{ ok: true; run: AcceptedRun } | RunRefusal> {
    const verdict = await this.deps.recorder?.recordRunAccepted(submission);
    if (verdict && !verdict.ok) return verdict;
    const { runId, exerciseId, code, user } = submission;
    const run: AcceptedRun = {
      runId,
      exerciseId,
      code,
      origin: { kind: 'student', userId: user?.id ?? null },
      courseId: verdict?.courseId ?? null,
    };
    this.emit({ ...info(run), state: 'accepted' });
    return { ok: true, run };
  }

  /**
   * Re-grades a stored run as a new run in its author's name, attributed to `requestedBy`;
   * resolves with the new run's id once it is recorded and queued.
   */
  async rerun(original: Run, requestedBy: string): Promise<string> {
    const runId = randomUUID();
    await this.deps.recorder?.recordRerunAccepted({ runId, original, requestedBy });
    const run: AcceptedRun = {
      runId,
      exerciseId: original.exerciseId,
      code: original.code,
      origin: { kind: 'rerun', userId: original.userId, rerunOf: original.id, requestedBy },
      courseId: original.courseId,
    };
    this.emit({ ...info(run), state: 'accepted' });
    this.start(run, {}, { background: true });
    return runId;
  }

  /** Queues an accepted run; its end is recorded before `outcome` settles. */
  start(run: AcceptedRun, watcher: RunWatcher = {}, options: { background?: boolean } = {}) {
    const { queue, runner, recorder, logger } = this.deps;
    const about = info(run);
    const request: RunRequest = { runId: run.runId, exerciseId: run.exerciseId, code: run.code };
    let lastPosition = 0;
    const queued = (position: number) => {
      watcher.onQueued?.(position);
      // The queue repeats positions as others start; watchers of every run hear only changes.
      if (position !== lastPosition) this.emit({ ...about, state: 'queued', position });
      lastPosition = position;
    };
    const storeFailed = (err: unknown) => logger.error({ err, runId: run.runId }, 'store failed');
    let recordedRunning: Promise<void> = Promise.resolve();
    let handle: JobHandle<RunResult>;
    try {
      handle = queue.enqueue<RunResult>(
        (signal) => {
          recordedRunning =
            recorder?.recordRunStarted(run.runId).catch(storeFailed) ?? recordedRunning;
          this.emit({ ...about, state: 'running' });
          return runner.run(
            request,
            (p) => (p.type === 'queued' ? queued(p.position) : watcher.onProgress?.(p)),
            signal,
          );
        },
        (position) => {
          if (position > 0) queued(position);
        },
        options,
      );
    } catch (e) {
      // The queue filled up between the caller's check and now: the run ends here.
      handle = { result: Promise.reject(e), cancel: () => {} };
    }
    const outcome = handle.result.then(
      async (result): Promise<RunOutcome> => {
        await recordedRunning;
        // Stored before it is shown, and shown as stored (capped in size): what the student saw
        // is what the instructor sees.
        const stored = await recorder
          ?.recordRunFinished(run.runId, result)
          .catch((err: unknown) => {
            storeFailed(err);
            return undefined;
          });
        const shown = stored?.result ?? result;
        this.emit({ ...about, state: 'finished', result: shown });
        return stored ? { ok: true, ...stored } : { ok: true, result };
      },
      async (e: unknown): Promise<RunOutcome> => {
        await recordedRunning;
        await recorder?.recordRunInterrupted(run.runId).catch(storeFailed);
        const errorId = newErrorId();
        const message = e instanceof Error ? e.message : 'unknown error';
        logger.error({ err: e, runId: run.runId, errorId }, 'run failed outside the runner');
        this.emit({ ...about, state: 'interrupted', reason: message });
        return { ok: false, message, errorId };
      },
    );
    this.unsettled.add(outcome);
    void outcome.finally(() => this.unsettled.delete(outcome));
    return { cancel: handle.cancel, outcome };
  }

  /** Resolves once every run started so far has ended and been recorded (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.unsettled.size > 0) await Promise.allSettled([...this.unsettled]);
  }

  /** A watcher's bug is logged; it never stops a run or another watcher. */
  private emit(transition: RunTransition): void {
    for (const listener of this.listeners) {
      try {
        listener(transition);
      } catch (err) {
        this.deps.logger.error({ err, runId: transition.runId }, 'a run watcher failed');
      }
    }
  }
}

function info(run: AcceptedRun): RunInfo {
  return {
    runId: run.runId,
    exerciseId: run.exerciseId,
    origin: run.origin,
    courseId: run.courseId,
  };
}
