// The web node's side of distributed grading: a run is put on the shared BullMQ queue, its
// progress comes back on its Redis channel, its place in the queue is read from the queue's
// wait list while it waits. A run whose job finally fails (a worker died twice, or failed
// outside the run) rejects, and the run lifecycle marks it interrupted.
import type { RunResult } from '@ebpf-lab/protocol';
import type { RunRequest } from '@ebpf-lab/runner';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RunExecutor, RunnerProgress } from '../runs/run-lifecycle.ts';
import { QUEUE_NAME, cancelChannel, runChannelPattern, runIdOfChannel } from './channels.ts';
import type { CancelMessage, RunMessage } from './channels.ts';

export interface RemoteRunnerOptions {
  redisUrl: string;
  logger: Logger;
  /** How often waiting runs are told their place in the queue. */
  positionIntervalMs?: number;
}

export interface RemoteRunner extends RunExecutor {
  close(): Promise<void>;
}

interface Pending {
  onProgress: (p: RunnerProgress) => void;
  resolve: (result: RunResult) => void;
  reject: (err: Error) => void;
  /** Last position sent; 0 once a worker has it. */
  position: number;
}

/** How long a `completed` event waits for the run's own `done` message before it answers. */
const COMPLETED_GRACE_MS = 500;

export async function connectRemoteRunner(options: RemoteRunnerOptions): Promise<RemoteRunner> {
  const { redisUrl, logger } = options;
  // ioredis reconnects by itself; its errors are logged, not left unhandled.
  const redis = (name: string) =>
    new Redis(redisUrl, { maxRetriesPerRequest: null, connectionName: `lab-web-${name}` }).on(
      'error',
      (err: Error) => logger.warn({ err, connection: name }, 'redis connection error'),
    );
  const connection = redis('queue');
  const subscriber = redis('runs');
  const queue = new Queue<RunRequest, RunResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection: redis('events') });
  const pending = new Map<string, Pending>();

  const settle = (runId: string) => {
    const p = pending.get(runId);
    pending.delete(runId);
    return p;
  };

  subscriber.on('pmessage', (_pattern: string, channel: string, text: string) => {
    const runId = runIdOfChannel(channel);
    const p = pending.get(runId);
    if (!p) return;
    let message: RunMessage;
    try {
      message = JSON.parse(text) as RunMessage;
    } catch {
      logger.error({ runId }, 'unreadable message from a grader worker');
      return;
    }
    if (message.kind === 'started') {
      p.position = 0;
      logger.debug({ runId, worker: message.worker, attempt: message.attempt }, 'run started');
    } else if (message.kind === 'progress') {
      p.onProgress(message.progress);
    } else {
      settle(runId)?.resolve(message.result);
    }
  });
  await subscriber.psubscribe(runChannelPattern);

  events.on('failed', ({ jobId, failedReason }) => {
    settle(jobId)?.reject(new Error(`the grader failed: ${failedReason}`));
  });
  // The result normally arrives first on the run's channel; this covers a lost message.
  events.on('completed', ({ jobId }) => {
    setTimeout(() => {
      if (!pending.has(jobId)) return;
      void queue.getJob(jobId).then((job) => {
        if (job?.returnvalue) settle(jobId)?.resolve(job.returnvalue);
      });
    }, COMPLETED_GRACE_MS);
  });
  await events.waitUntilReady();

  // BullMQ pushes new jobs on the left of the wait list and workers take them from the right.
  const waitKey = queue.toKey('wait');
  const positions = setInterval(() => {
    const waiting = [...pending.entries()].filter(([, p]) => p.position !== 0);
    if (waiting.length === 0) return;
    void connection.lrange(waitKey, 0, -1).then(
      (ids) => {
        for (const [runId, p] of waiting) {
          const index = ids.indexOf(runId);
          if (index < 0) continue;
          const position = ids.length - index;
          if (position !== p.position) {
            p.position = position;
            p.onProgress({ type: 'queued', position });
          }
        }
      },
      (err: unknown) => logger.warn({ err }, 'could not read the queue positions'),
    );
  }, options.positionIntervalMs ?? 1000);

  return {
    run(request, onProgress, signal) {
      return new Promise<RunResult>((resolve, reject) => {
        const { runId } = request;
        pending.set(runId, { onProgress, resolve, reject, position: -1 });
        signal?.addEventListener('abort', () => {
          if (!pending.has(runId)) return;
          const reason = signal.reason instanceof Error ? signal.reason.message : 'cancelled';
          // A waiting job is removed; a running one is told to stop by its worker.
          void queue.remove(runId).catch(() => 0);
          const cancel: CancelMessage = { reason };
          void connection.publish(cancelChannel(runId), JSON.stringify(cancel));
          settle(runId)?.reject(signal.reason instanceof Error ? signal.reason : new Error(reason));
        });
        queue
          .add('run', request, {
            jobId: runId,
            // The result travels on the run's channel; the job is kept a while for operators.
            removeOnComplete: { age: 3600, count: 1000 },
            removeOnFail: { age: 24 * 3600 },
          })
          .catch((err: unknown) => settle(runId)?.reject(err as Error));
      });
    },
    async close() {
      clearInterval(positions);
      for (const runId of [...pending.keys()])
        settle(runId)?.reject(new Error('the web node is closing'));
      await events.close();
      await queue.close();
      subscriber.disconnect();
      connection.disconnect();
    },
  };
}
