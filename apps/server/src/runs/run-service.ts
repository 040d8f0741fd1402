// Runs submitted over the WebSocket: validated, queued, executed by the LabRunner, and their
// progress turned into protocol messages for the connection that asked.
import { randomUUID } from 'node:crypto';
import type { Exercise } from '@ebpf-lab/exercises';
import type { OutgoingMessage, RunResult } from '@ebpf-lab/protocol';
import type { LabRunner } from '@ebpf-lab/runner';
import type { Logger } from 'pino';
import type { JobQueue } from '../queue/job-queue.ts';

export interface RunServiceDeps {
  runner: LabRunner;
  queue: JobQueue;
  exercises: Map<string, Exercise>;
  logger: Logger;
  runsPerConnection: number;
}

export interface RunSubmission {
  requestId: string;
  exerciseId: string;
  code: string;
}

/** One connection's view: it sends messages and tracks its own runs. */
export interface RunClient {
  send(message: OutgoingMessage): void;
  readonly active: Map<string, () => void>;
}

export class RunService {
  constructor(private readonly deps: RunServiceDeps) {}

  /** Starts a run for `client`; problems are answered as `error` messages, never thrown. */
  submit(client: RunClient, sub: RunSubmission): void {
    const { exercises, runsPerConnection, queue, runner, logger } = this.deps;
    if (!exercises.has(sub.exerciseId)) {
      client.send({ type: 'error', code: 'unknown-exercise', message: `There is no exercise "${sub.exerciseId}".` });
      return;
    }
    if (client.active.size >= runsPerConnection) {
      client.send({
        type: 'error',
        code: 'rate-limited',
        message: `You already have ${runsPerConnection} runs in progress: wait for one to finish.`,
      });
      return;
    }
    if (!queue.hasRoom()) {
      client.send({ type: 'error', code: 'rate-limited', message: 'The lab is busy (its run queue is full): try again in a minute.' });
      return;
    }
    const runId = randomUUID();
    // `accepted` goes out before the queue can report a position for this run.
    client.send({ type: 'accepted', runId, requestId: sub.requestId });
    const handle = queue.enqueue<RunResult>(
      (signal) =>
        runner.run(
          { runId, exerciseId: sub.exerciseId, code: sub.code },
          (p) => {
            if (p.type === 'stage') client.send({ ...p, runId });
            else if (p.type === 'event') client.send({ type: 'event', runId, event: p.event });
            else client.send({ type: 'check', runId, check: p.check });
          },
          signal,
        ),
      (position) => {
        if (position > 0) client.send({ type: 'queued', runId, position });
      },
    );
    client.active.set(runId, handle.cancel);
    handle.result.then(
      (result) => client.send({ type: 'result', runId, result }),
      (e: unknown) => {
        const errorId = randomUUID().slice(0, 8);
        logger.error({ err: e, runId, errorId }, 'run failed outside the runner');
        client.send({
          type: 'error',
          runId,
          code: 'internal',
          message: `The run stopped (${(e as Error).message ?? 'unknown error'}; error id ${errorId}). It does not count; try again.`,
        });
      },
    ).finally(() => client.active.delete(runId));
  }

  cancel(client: RunClient, runId: string): void {
    client.active.get(runId)?.();
  }
}
