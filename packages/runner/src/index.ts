export * from './types.ts';
export type { RunnerDeps, CompileOutcome, StaticOutcome } from './deps.ts';
export { paths } from './paths.ts';
export { CHECK_ONLY_SUMMARY, createRunner } from './run.ts';
export {
  createDefaultDeps,
  createDefaultRunner,
  exerciseHash,
  toolVersions,
} from './default-runner.ts';
export type { DefaultRunnerOptions } from './default-runner.ts';
export {
  clearCompileCache,
  compile,
  compileFlags,
  compileServerReady,
  languageFlags,
  outputFlags,
  stopCompileServer,
  COMPILE_LIMITS,
  LIMIT_MESSAGES,
  STUDENT_FILE,
} from './compile/index.ts';
export type { CompileOptions, CompileResult } from './compile/index.ts';
export { ALLOWED_HELPERS, checkObject, contextSizes, rulesFor } from './static-check/index.ts';
export type {
  MapInfo,
  ProgramInfo,
  StaticLimits,
  StaticResult,
  StaticRules,
} from './static-check/index.ts';
export {
  runLoader,
  sweepStaleCgroups,
  cgroupForRun,
  residentDispatcherEnabled,
  residentDispatcherPid,
  residentDispatcherReady,
  residentSockets,
  stopResidentDispatcher,
} from './loader/index.ts';
export type { LoaderOptions, ResidentSockets } from './loader/index.ts';
export { sweepStaleRunObjects } from './run-object.ts';
export {
  commandOutput,
  installedCommand,
  rootSymlinks,
  sandboxArgs,
  sharedLibraries,
} from './sandbox.ts';
export type { SandboxLimits, SandboxSpec, SharedLibrary } from './sandbox.ts';
export { runProcess, startProcess } from './process.ts';
export type { ProcessOptions, ProcessResult, RunningProcess } from './process.ts';
