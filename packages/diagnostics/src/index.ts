// @ebpf-lab/diagnostics: verifier logs, attach errors and clang messages in plain words.
export { explainAttachError, closestHook, sectionLine } from './attach-errors.ts';
export type { ExplainAttachOptions } from './attach-errors.ts';
export { explainClangMessage } from './clang-explanations.ts';
export type { ClangExplanation } from './clang-explanations.ts';
export { explainVerifierLog, UNRECOGNISED_CODE } from './explain-verifier.ts';
export type { ExplainVerifierOptions, UnrecognisedVerifierLog } from './explain-verifier.ts';
export { createUnrecognisedLogRecorder, MAX_RECORDED_LOG_CHARS } from './unrecognised-logs.ts';
export type { UnrecognisedLogRecorder } from './unrecognised-logs.ts';
export { VERIFIER_CLASSES } from './verifier-classes.ts';
export { programsOf, refusedProgram } from './refused-program.ts';
export { explainUnopenedObject } from './unopened-object.ts';
export { parseVerifierLog } from './verifier-log.ts';
export type { ParsedVerifierLog } from './verifier-log.ts';
