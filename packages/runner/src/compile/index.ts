export {
  clearCompileCache,
  compile,
  compileServerPid,
  compileServerReady,
  compileWorkers,
  stopCompileServer,
} from './compile.ts';
export type { CompileOptions, CompileResult } from './compile.ts';
export { parseClangOutput } from './diagnostics.ts';
export { compileFlags, languageFlags, outputFlags, pchFlags, STUDENT_FILE } from './flags.ts';
export { LIMIT_MESSAGES, MAX_COMPILE_DIAGNOSTICS } from './outcome.ts';
export { COMPILE_LIMITS } from './sandbox.ts';
