// One clang process per compile, inside the sandbox: the path every compile took before the
// compile server, still the fallback when the server is down and the benchmark's baseline.
import { compileFlags } from './flags.ts';
import type { RawCompile } from './outcome.ts';
import { runCompilerProcess } from './compiler-process.ts';
import { COMPILE_LIMITS, sandboxCommand } from './sandbox.ts';

export interface PlainCompileOptions {
  includeDir: string;
  pch: string | null;
  signal?: AbortSignal;
}

export async function compileWithClang(
  source: string,
  opts: PlainCompileOptions,
): Promise<RawCompile> {
  const { command, args } = await sandboxCommand(
    compileFlags({ includeDir: opts.includeDir, pch: opts.pch ?? undefined }),
    { includeDir: opts.includeDir },
  );
  // clang calls stdin `<stdin>`; parseClangOutput renames it. (A `# 1 "student.bpf.c"` line
  // marker would rename it too, but clang 14 then prints ranges with the physical line.)
  const res = await runCompilerProcess({
    command,
    args,
    stdin: source,
    timeoutMs: COMPILE_LIMITS.wallMs,
    maxStdoutBytes: COMPILE_LIMITS.objectBytes,
    maxStderrBytes: COMPILE_LIMITS.stderrBytes,
    signal: opts.signal,
  });
  // bubblewrap reports a child killed by signal N as exit status 128 + N.
  const signal = res.code !== null && res.code > 128 ? res.code - 128 : undefined;
  return {
    object: res.stdout,
    stderr: res.stderr.toString('utf8'),
    code: signal === undefined ? res.code : null,
    signal,
    objectTooBig: res.stdoutTruncated,
    timedOut: res.timedOut,
    aborted: res.aborted,
    stderrTruncated: res.stderrTruncated,
    stderrTail: res.stderrTail,
  };
}
