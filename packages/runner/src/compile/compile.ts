// Step 1 of a run: the student's C becomes a BPF object, inside the sandbox (sandbox.ts), with
// the precompiled lab.h. Student-caused failures, limits included, are data in the result.
import type { Diagnostic } from '@ebpf-lab/protocol';
import { MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import { paths } from '../paths.ts';
import { parseClangOutput } from './diagnostics.ts';
import { compileFlags } from './flags.ts';
import { runProcess } from './run-process.ts';
import type { ProcessResult } from './run-process.ts';
import { PCH_PROBE_SOURCE, repairPch } from './pch-repair.ts';
import { COMPILE_LIMITS, sandboxCommand } from './sandbox.ts';

export interface CompileOptions {
  includeDir?: string;
  /** Precompiled lab.h; `null` compiles without one (slower: vmlinux.h is parsed each time). */
  pch?: string | null;
  signal?: AbortSignal;
  /** Told when the PCH was found broken and rebuilt: the operator's business, not the student's. */
  log?: (message: string) => void;
}

export interface CompileResult {
  ok: boolean;
  object?: Buffer;
  diagnostics: Diagnostic[];
  log: string;
  durationMs: number;
  /** Set when a sandbox limit stopped the compiler, naming the limit for the student. */
  limit?: string;
}

const MiB = 1024 * 1024;
const SIGKILL = 9;
const SIGABRT = 6;
const SIGSEGV = 11;
const SIGXCPU = 24;
const SIGXFSZ = 25;

export const LIMIT_MESSAGES = {
  cpu: `your program took more than ${COMPILE_LIMITS.cpuSeconds} s of CPU to compile`,
  memory: `your program took more than ${COMPILE_LIMITS.addressSpaceBytes / 1024 / MiB} GiB of memory to compile`,
  wall: `your program took more than ${COMPILE_LIMITS.wallMs / 1000} s to compile`,
  object: `your program compiled to an object larger than ${COMPILE_LIMITS.objectBytes / MiB} MiB`,
  file: `the compiler tried to write a file larger than ${COMPILE_LIMITS.fileSizeBytes / MiB} MiB`,
  source: `your source is larger than ${MAX_SOURCE_BYTES / 1024} KiB`,
} as const;

function limitDiagnostic(message: string): Diagnostic {
  return { source: 'clang', severity: 'error', line: 0, column: 0, message, code: 'compile/limit' };
}

/** Clang's own ways of saying it ran out of memory under the address-space limit. */
const OUT_OF_MEMORY = /out of memory|std::bad_alloc|Allocation failed|Cannot allocate memory/i;

/** One clang run in the sandbox, the source on stdin, the object on stdout. */
async function runClang(
  source: string,
  includeDir: string,
  pch: string | null,
  signal?: AbortSignal,
): Promise<ProcessResult> {
  const { command, args } = await sandboxCommand(
    compileFlags({ includeDir, pch: pch ?? undefined }),
    {
      includeDir,
    },
  );
  // clang calls stdin `<stdin>`; parseClangOutput renames it. (A `# 1 "student.bpf.c"` line
  // marker would rename it too, but clang 14 then prints ranges with the physical line.)
  return runProcess({
    command,
    args,
    stdin: source,
    timeoutMs: COMPILE_LIMITS.wallMs,
    maxStdoutBytes: COMPILE_LIMITS.objectBytes,
    signal,
  });
}

/** clang's complaint about the PCH itself (it names the precompiled header or the PCH file). */
function pchComplaint(stderr: string): string | undefined {
  return /^(?:fatal error|error): .*(?:precompiled header|PCH file|\.pch).*$/m.exec(stderr)?.[0];
}

/**
 * A compile that clang refused (exit 1: no limit, no crash) without one error in the student's
 * file failed in a header the lab provides, or on the PCH itself.
 */
function failedOutsideStudentFile(res: ProcessResult, stderr: string): boolean {
  if (res.code !== 1 || res.aborted || res.timedOut || res.stdoutTruncated) return false;
  if (pchComplaint(stderr)) return true;
  return !parseClangOutput(stderr).diagnostics.some((d) => d.severity === 'error');
}

export async function compile(source: string, opts: CompileOptions = {}): Promise<CompileResult> {
  const t0 = performance.now();
  const includeDir = opts.includeDir ?? paths.includeDir;
  const pch = opts.pch === undefined ? paths.pch : opts.pch;
  const done = (r: Omit<CompileResult, 'durationMs'>): CompileResult => ({
    ...r,
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
  });

  if (Buffer.byteLength(source) > MAX_SOURCE_BYTES) {
    const d = limitDiagnostic(LIMIT_MESSAGES.source);
    return done({ ok: false, diagnostics: [d], log: d.message, limit: LIMIT_MESSAGES.source });
  }

  let res = await runClang(source, includeDir, pch, opts.signal);
  let stderr = res.stderr.toString('utf8');
  if (pch && failedOutsideStudentFile(res, stderr)) {
    // A stale PCH (set-up interrupted, a header touched, the checkout moved) is rebuilt and the
    // compile retried once; a PCH that works means the header error is the student's doing.
    const probe = async () => {
      const r = await runClang(PCH_PROBE_SOURCE, includeDir, pch);
      const err = r.stderr.toString('utf8');
      return r.code === 0
        ? null
        : (pchComplaint(err) ?? (err.trim().split('\n')[0] || `exit ${r.code}`));
    };
    if (await repairPch({ pch, includeDir, probe, log: opts.log })) {
      res = await runClang(source, includeDir, pch, opts.signal);
      stderr = res.stderr.toString('utf8');
    }
  }
  // Errors without a location come from clang itself, never from the student's text.
  const unusable = pchComplaint(stderr);
  if (pch && unusable)
    throw new Error(`the precompiled lab.h is unusable (${unusable}): run npm run setup`);
  const { diagnostics, log } = parseClangOutput(stderr);
  // bubblewrap reports a child killed by signal N as exit status 128 + N.
  const killedBy = res.code !== null && res.code > 128 ? res.code - 128 : undefined;

  let limit: string | undefined;
  if (res.stdoutTruncated) limit = LIMIT_MESSAGES.object;
  else if (res.timedOut) limit = LIMIT_MESSAGES.wall;
  else if (killedBy === SIGXCPU || killedBy === SIGKILL) limit = LIMIT_MESSAGES.cpu;
  else if (killedBy === SIGXFSZ) limit = LIMIT_MESSAGES.file;
  else if (res.code !== 0 && OUT_OF_MEMORY.test(stderr)) limit = LIMIT_MESSAGES.memory;
  if (res.aborted) {
    const d = limitDiagnostic('the compile was cancelled');
    return done({ ok: false, diagnostics: [d], log: d.message });
  }
  if (limit) {
    const d = limitDiagnostic(limit);
    return done({
      ok: false,
      diagnostics: [...diagnostics, d],
      log: [log, limit].filter(Boolean).join('\n'),
      limit,
    });
  }
  if (killedBy === SIGSEGV || killedBy === SIGABRT || (killedBy !== undefined && res.code !== 0)) {
    const d = limitDiagnostic(
      'the compiler crashed on this program; change the line it stopped at',
    );
    d.code = 'compile/crash';
    return done({
      ok: false,
      diagnostics: [...diagnostics, d],
      log: [log, d.message].filter(Boolean).join('\n'),
    });
  }
  if (res.code !== 0 || res.stdout.length === 0) {
    if (!diagnostics.some((d) => d.severity === 'error')) {
      // An error clang placed outside the student's file (a header): say so without quoting it.
      diagnostics.push({
        source: 'clang',
        severity: 'error',
        line: 0,
        column: 0,
        message: 'compilation failed in a header the lab provides (its text is not shown)',
        code: 'compile/header',
      });
    }
    return done({ ok: false, diagnostics, log });
  }
  return done({ ok: true, object: res.stdout, diagnostics, log });
}
