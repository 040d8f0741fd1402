// A grader worker: takes runs from the shared BullMQ queue and grades them with the local runner
// on this host's kernel (the result's versions name it), publishing each run's progress on its
// Redis channel. A worker that dies mid-run stops renewing its job's lock; another worker finds
// the job stalled and runs it again, once (BullMQ's maxStalledCount); a second stall fails the
// job and the web node that asked marks the run interrupted.
import type { RunResult } from '@ebpf-lab/protocol';
import type { LabRunner, RunRequest } from '@ebpf-lab/runner';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { QUEUE_NAME, cancelChannelPattern, runChannel, runIdOfCancel } from './channels.ts';
import type { CancelMessage, RunMessage } from './channels.ts';

export interface GraderWorkerOptions {
  redisUrl: string;
  runner: LabRunner;
  logger: Logger;
  /** Shown in logs and kept on each job as the worker that processed it. */
  name: string;
  concurrency: number;
  /** A run is cancelled after this long. */
  runTimeoutMs: number;
  /** A dead worker's runs are taken back after about this long (its lock expires). */
  lockMs: number;
}

export interface GraderWorker {
  close(): Promise<void>;
}

export async function startGraderWorker(options: GraderWorkerOptions): Promise<GraderWorker> {
  const { redisUrl, runner, logger, name } = options;
  // ioredis reconnects by itself; its errors are logged, not left unhandled.
  const redis = (role: string) =>
    new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: `lab-worker-${role}` }).on(
      'error',
      (err: Error) => logger.warn({ err, connection: role }, 'redis connection error'),
    );
  const publisher = redis('publish');
  const cancels = redis('cancels');
  const running = new Map<string, AbortController>();

  cancels.on('pmessage', (_pattern: string, channel: string, text: string) => {
    const runId = runIdOfCancel(channel);
    const controller = running.get(runId);
    if (!controller) return;
    let reason = 'the run was cancelled';
    try {
      reason = (JSON.parse(text) as CancelMessage).reason || reason;
    } catch {
      // keep the default reason
    }
    controller.abort(new Error(reason));
  });
  await cancels.psubscribe(cancelChannelPattern);

  // Commands on one connection keep their order, so `done` always follows the progress.
  const publish = (runId: string, message: RunMessage) =>
    publisher.publish(runChannel(runId), JSON.stringify(message));

  const worker = new Worker<RunRequest, RunResult>(
    QUEUE_NAME,
    async (job) => {
      const request = job.data;
      const controller = new AbortController();
      running.set(request.runId, controller);
      const timeout = setTimeout(
        () =>
          controller.abort(new Error(`the run took longer than ${options.runTimeoutMs / 1000} s`)),
        options.runTimeoutMs,
      );
      try {
        void publish(request.runId, {
          kind: 'started',
          worker: name,
          attempt: job.attemptsStarted,
        });
        const result = await runner.run(
          request,
          (progress) => void publish(request.runId, { kind: 'progress', progress }),
          controller.signal,
        );
        await publish(request.runId, { kind: 'done', worker: name, result });
        return result;
      } finally {
        clearTimeout(timeout);
        running.delete(request.runId);
      }
    },
    {
      connection: redis('jobs'),
      name,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(1000, Math.floor(options.lockMs / 2)),
      maxStalledCount: 1,
    },
  );
  worker.on('failed', (job, err) =>
    logger.error({ err, runId: job?.id }, 'run failed on this worker'),
  );
  worker.on('error', (err) => logger.error({ err }, 'grader worker error'));
  await worker.waitUntilReady();

  return {
    async close() {
      for (const controller of running.values())
        controller.abort(new Error('the worker is stopping'));
      await worker.close();
      cancels.disconnect();
      publisher.disconnect();
    },
  };
}
