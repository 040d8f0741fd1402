// Runs submitted over the WebSocket: a tab's own limits checked, then through the run lifecycle
// (run-lifecycle.ts), with its progress turned into protocol messages for the connection that
// asked.
import { randomUUID } from 'node:crypto';
import type { Exercise } from '@ebpf-lab/exercises';
import { newErrorId } from '@ebpf-lab/protocol';
import type { OutgoingMessage } from '@ebpf-lab/protocol';
import type { Logger } from 'pino';
import type { LabClient } from '../identity.ts';
import { SIGN_IN_REQUIRED } from '../network/mode.ts';
import type { FairShare } from '../network/fair-share.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { AcceptedRun, RunLifecycle } from './run-lifecycle.ts';

export interface RunServiceDeps {
  lifecycle: RunLifecycle;
  queue: JobQueue;
  exercises: Map<string, Exercise>;
  logger: Logger;
  runsPerConnection: number;
  /** Per-client shares of the queue: active runs per user or address, signed-out rate. */
  fairShare: FairShare;
  /** False when the lab is open to the network without LAB_ALLOW_ANONYMOUS_RUNS. */
  anonymousRuns: boolean;
}

export interface RunSubmission {
  requestId: string;
  exerciseId: string;
  code: string;
  courseId?: string;
}

/** One connection's view: it sends messages and tracks its own runs. */
export interface RunClient {
  /**
   * With `resultJson`, a `result` message's result is sent as that text, which must be
   * `JSON.stringify(message.result)` (the JSON the store was given).
   */
  send(message: OutgoingMessage, resultJson?: string): void;
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
    const { lifecycle, fairShare } = this.deps;
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
      const verdict = await lifecycle.accept({
        runId,
        exerciseId: sub.exerciseId,
        code: sub.code,
        user: client.who.user,
        courseId: sub.courseId,
      });
      client.active.delete(runId);
      if (verdict.ok) return this.start(client, sub.requestId, verdict.run, release);
      await release();
      client.send({ type: 'error', code: verdict.code, message: verdict.message });
    })().catch((e: unknown) => {
      client.active.delete(runId);
      void release();
      const errorId = newErrorId();
      logger.error({ err: e, runId, errorId }, 'could not store the run');
      client.send({
        type: 'error',
        code: 'internal',
        message: `The run could not be stored (error id ${errorId}); try again.`,
      });
    });
  }

  /** Starts an accepted run; `release` gives its fair-share slot back when it ends. */
  private start(
    client: RunClient,
    requestId: string,
    run: AcceptedRun,
    release: () => Promise<void>,
  ): void {
    const { runId } = run;
    // `accepted` goes out before the queue can report a position for this run.
    client.send({ type: 'accepted', runId, requestId });
    const started = this.deps.lifecycle.start(run, {
      onQueued: (position) => client.send({ type: 'queued', runId, position }),
      onProgress: (p) => {
        if (p.type === 'stage') client.send({ ...p, runId });
        else if (p.type === 'event') client.send({ type: 'event', runId, event: p.event });
        else client.send({ type: 'check', runId, check: p.check });
      },
    });
    client.active.set(runId, started.cancel);
    void started.outcome.then(async (outcome) => {
      // The run's slots are given back before its end is shown, so a client that runs again as
      // soon as it sees the result is never refused for the run that just ended.
      client.active.delete(runId);
      await release();
      if (outcome.ok) {
        client.send({ type: 'result', runId, result: outcome.result }, outcome.json);
        return;
      }
      client.send({
        type: 'error',
        runId,
        code: 'internal',
        message: `The run stopped (${outcome.message}; error id ${outcome.errorId}). It does not count; try again.`,
      });
    });
  }

  cancel(client: RunClient, runId: string): void {
    client.active.get(runId)?.();
  }
}
