// What a run needs from the rest of the platform. Passed in, so tests and the server can build a
// runner around the real pieces (or a failing one, to test infrastructure errors).
import type { Exercise, ExerciseMeta } from '@ebpf-lab/exercises';
import type {
  CheckResult,
  Diagnostic,
  LoaderConfig,
  LoaderLine,
  LoaderMapView,
  RunResult,
  ScenarioObservation,
} from '@ebpf-lab/protocol';

export interface CompileOutcome {
  ok: boolean;
  object?: Buffer;
  diagnostics: Diagnostic[];
  log: string;
  /** Set when a sandbox limit stopped the compiler, naming the limit. */
  limit?: string;
  /** `log` is only the start of the compiler's messages. */
  logTruncated?: boolean;
}

export interface StaticOutcome {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** What the checks learnt about the object that the grader may use (e.g. map key layouts). */
  facts?: unknown;
  /** Every map and global section as the checks accepted them; the loader holds libbpf to it. */
  maps?: LoaderMapView[];
}

export interface RunnerDeps {
  exercises: Map<string, Exercise>;
  versions(exercise: Exercise | undefined): RunResult['versions'] | Promise<RunResult['versions']>;
  compile(source: string, signal?: AbortSignal): Promise<CompileOutcome>;
  /** `source` is the student's file, to place refusals of a section on its SEC line. */
  checkObject(object: Buffer, meta: ExerciseMeta, source?: string): Promise<StaticOutcome>;
  /** Resolves once the loader reported `done` (or died); cleans up after itself. */
  runLoader(
    config: LoaderConfig,
    onLine: (line: LoaderLine) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** The cgroup v2 directory a run's target lives in. */
  cgroupFor(runId: string): string;
  /** `program` is empty when libbpf could not open the object (nothing reached the verifier). */
  explainVerifierLog(
    log: string,
    where: { program: string; errno: number; source?: string },
  ): Diagnostic;
  /** `source` is the student's file, to place the diagnostic on the SEC line. */
  explainAttachError(
    line: Extract<LoaderLine, { type: 'attach_error' }>,
    source: string,
  ): Diagnostic;
  grade(
    meta: ExerciseMeta,
    input: { observations: ScenarioObservation[]; object: unknown },
  ): CheckResult[];
  log?(message: string, error: unknown): void;
}
