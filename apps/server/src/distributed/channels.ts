// What web nodes and grader workers say to each other through Redis. Runs travel as BullMQ jobs
// on one queue (the job id is the run id); what happens during a run travels back on the run's
// own pub/sub channel, in order, ending with `done`; cancels go the other way.
import type { RunResult } from '@ebpf-lab/protocol';
import type { RunProgress } from '@ebpf-lab/runner';

export const QUEUE_NAME = 'lab-runs';
const RUN_PREFIX = 'lab:run:';
const CANCEL_PREFIX = 'lab:cancel:';

export const runChannel = (runId: string) => `${RUN_PREFIX}${runId}`;
export const runChannelPattern = `${RUN_PREFIX}*`;
export const runIdOfChannel = (channel: string) => channel.slice(RUN_PREFIX.length);
export const cancelChannel = (runId: string) => `${CANCEL_PREFIX}${runId}`;
export const cancelChannelPattern = `${CANCEL_PREFIX}*`;
export const runIdOfCancel = (channel: string) => channel.slice(CANCEL_PREFIX.length);

export type RunMessage =
  /** A worker took the run (again, after a worker died: `attempt` 2). */
  | { kind: 'started'; worker: string; attempt: number }
  | { kind: 'progress'; progress: RunProgress }
  | { kind: 'done'; worker: string; result: RunResult };

/** Cancel messages carry the reason shown in logs. */
export interface CancelMessage {
  reason: string;
}
