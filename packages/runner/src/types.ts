// What the server (or the command-line grader) sees of the runner.
import type { CheckResult, RunEvent, RunResult, StageName, StageResult } from '@ebpf-lab/protocol';

export interface RunRequest {
  runId: string;
  exerciseId: string;
  /** The student's single C file. */
  code: string;
  /**
   * Compile and check statically, and stop there: nothing is loaded. A file the checks accept
   * is a `pass` whose summary says that nothing ran.
   */
  checkOnly?: boolean;
}

/** Progress of one run, streamed while it happens. `result` is returned, not streamed. */
export type RunProgress =
  | { type: 'stage'; stage: StageName; state: 'started' }
  | { type: 'stage'; stage: StageName; state: 'finished'; result: StageResult }
  | { type: 'event'; event: RunEvent }
  | { type: 'check'; check: CheckResult };

export interface LabRunner {
  /** Runs one submission end to end. Student-caused failures are data in the result, never throws. */
  run(
    request: RunRequest,
    onProgress: (p: RunProgress) => void,
    signal?: AbortSignal,
  ): Promise<RunResult>;
}
