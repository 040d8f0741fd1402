// Runs submitted over the WebSocket: validated, queued, executed by the LabRunner, and their
// progress turned into protocol messages for the connection that asked.
import { randomUUID } from 'node:crypto';
import type { Exercise } from '@ebpf-lab/exercises';
import type { OutgoingMessage, RunResult } from '@ebpf-lab/protocol';
import type { RunProgress, RunRequest } from '@ebpf-lab/runner';
import type { Logger } from 'pino';
import { SIGN_IN_REQUIRED } from '../network/mode.ts';
import type { FairShare, LabClient } from '../network/fair-share.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { RunRecorder } from '../routes/auth/index.ts';

/** A run may also report its place in a shared queue (the distributed transport does). */
export type RunnerProgress = RunProgress | { type: 'queued'; position: number };

/** The local LabRunner, or the distributed transport's remote one. */
export interface RunServiceRunner {
  run(
    request: RunRequest,
    onProgress: (p: RunnerProgress) => void,
    signal?: AbortSignal,
  ): Promise<RunResult>;
}

export interface RunServiceDeps {
  runner: RunServiceRunner;
  queue: JobQueue;
  exercises: Map<string, Exercise>;
  logger: Logger;
  runsPerConnection: number;
  /** Per-client shares of the queue: active runs per user or address, signed-out rate. */
  fairShare: FairShare;
  /** False when the lab is open to the network without LAB_ALLOW_ANONYMOUS_RUNS. */
  anonymousRuns: boolean;
  /** Stores every run; checks the per-user rate and size limits. */
  recorder?: RunRecorder;
}

export interface RunSubmission {
  requestId: string;
  exerciseId: string;
  code: string;
  courseId?: string;
}

/** One connection's view: it sends messages and tracks its own runs. */
export interface RunClient {
  send(message: OutgoingMessage): void;
  readonly active: Map<string, () => void>;
  /** The signed-in user (null: signed out) and address, settled when the socket opened. */
  readonly who: LabClient;
}

export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /** Starts a run for `client`; problems are answered as `error` messages, never thrown. */
  submit(client: RunClient, sub: RunSubmission): void {
    const { exercises, runsPerConnection, queue, logger } = this.deps;
    if (!exercises.has(sub.exerciseId)) {
      client.send({
        type: 'error',
        code: 'unknown-exercise',
        message: `There is no exercise "${sub.exerciseId}".`,
      });
      return;
    }
    if (!client.who.user && !this.deps.anonymousRuns) {
      client.send({ type: 'error', code: 'sign-in-required', message: SIGN_IN_REQUIRED });
      return;
    }
    if (client.active.size >= runsPerConnection) {
      client.send({
        type: 'error',
        code: 'rate-limited',
        message: `You already have ${runsPerConnection} runs in progress in this tab: wait for one to finish.`,
      });
      return;
    }
    if (!queue.hasRoom()) {
      client.send({
        type: 'error',
        code: 'rate-limited',
        message: 'The lab is busy (its run queue is full): try again in a minute.',
      });
      return;
    }
    const runId = randomUUID();
    // The tab's slot is held while the fair share and the store answer. The run is stored as
    // queued before it is accepted, so a killed server cannot lose it.
    const { recorder, fairShare } = this.deps;
    client.active.set(runId, () => {});
    let release = async () => {};
    void (async () => {
      const share = await fairShare.startRun(client.who, runId);
      if (!share.ok) {
        client.active.delete(runId);
        client.send({ type: 'error', code: 'rate-limited', message: share.message });
        return;
      }
      release = share.release;
      if (!recorder) {
        client.active.delete(runId);
        return this.start(client, sub, runId, release);
      }
      const verdict = await recorder.recordRunAccepted({
        runId,
        exerciseId: sub.exerciseId,
        code: sub.code,
        user: client.who.user,
        courseId: sub.courseId,
      });
      client.active.delete(runId);
      if (verdict.ok) return this.start(client, sub, runId, release);
      await release();
      client.send({ type: 'error', code: verdict.code, message: verdict.message });
    })().catch((e: unknown) => {
      client.active.delete(runId);
      void release();
      const errorId = randomUUID().slice(0, 8);
      logger.error({ err: e, runId, errorId }, 'could not store the run');
      client.send({
        type: 'error',
        code: 'internal',
        message: `The run could not be stored (error id ${errorId}); try again.`,
      });
    });
  }

  /** Queues an accepted run; `release` gives its fair-share slot back when it ends. */
  private start(
    client: RunClient,
    sub: RunSubmission,
    runId: string,
    release: () => Promise<void>,
  ): void {
    const { queue, runner, logger, recorder } = this.deps;
    // `accepted` goes out before the queue can report a position for this run.
    client.send({ type: 'accepted', runId, requestId: sub.requestId });
    const handle = queue.enqueue<RunResult>(
      (signal) => {
        void recorder
          ?.recordRunStarted(runId)
          .catch((err: unknown) => logger.error({ err, runId }, 'store failed'));
        return runner.run(
          { runId, exerciseId: sub.exerciseId, code: sub.code },
          (p) => {
            if (p.type === 'stage') client.send({ ...p, runId });
            else if (p.type === 'queued')
              client.send({ type: 'queued', runId, position: p.position });
            else if (p.type === 'event') client.send({ type: 'event', runId, event: p.event });
            else client.send({ type: 'check', runId, check: p.check });
          },
          signal,
        );
      },
      (position) => {
        if (position > 0) client.send({ type: 'queued', runId, position });
      },
    );
    client.active.set(runId, handle.cancel);
    // The run's slots are given back before its end is shown, so a client that runs again as
    // soon as it sees the result is never refused for the run that just ended.
    const end = async () => {
      client.active.delete(runId);
      await release();
    };
    handle.result
      .then(
        async (result) => {
          // Stored before it is shown, and shown as stored (capped in size): what the student saw
          // is what the instructor sees.
          const stored = await recorder?.recordRunFinished(runId, result).catch((err: unknown) => {
            logger.error({ err, runId }, 'store failed');
            return undefined;
          });
          await end();
          client.send({ type: 'result', runId, result: stored ?? result });
        },
        async (e: unknown) => {
          void recorder
            ?.recordRunInterrupted(runId)
            .catch((err: unknown) => logger.error({ err, runId }, 'store failed'));
          const errorId = randomUUID().slice(0, 8);
          logger.error({ err: e, runId, errorId }, 'run failed outside the runner');
          await end();
          client.send({
            type: 'error',
            runId,
            code: 'internal',
            message: `The run stopped (${(e as Error).message ?? 'unknown error'}; error id ${errorId}). It does not count; try again.`,
          });
        },
      )
      .finally(end);
  }

  cancel(client: RunClient, runId: string): void {
    client.active.get(runId)?.();
  }
}
