// Step 1 of a run: the student's C becomes a BPF object, inside the sandbox (sandbox.ts), with
// the precompiled lab.h. Student-caused failures, limits included, are data in the result.
import { existsSync } from 'node:fs';
import type { Diagnostic } from '@ebpf-lab/protocol';
import { MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import { paths } from '../paths.ts';
import { parseClangOutput } from './diagnostics.ts';
import { compileFlags } from './flags.ts';
import { runProcess } from './run-process.ts';
import { COMPILE_LIMITS, sandboxCommand } from './sandbox.ts';

export interface CompileOptions {
  includeDir?: string;
  /** Precompiled lab.h; `null` compiles without one (slower: vmlinux.h is parsed each time). */
  pch?: string | null;
  signal?: AbortSignal;
}

export interface CompileResult {
  ok: boolean;
  object?: Buffer;
  diagnostics: Diagnostic[];
  log: string;
  durationMs: number;
  /** Set when a sandbox limit stopped the compiler, naming the limit for the student. */
  limit?: string;
  /** The compiler's messages passed what the lab keeps: `log` is their start only. */
  logTruncated?: boolean;
}

/** Diagnostics a compile keeps; the rest are counted in one more. */
export const MAX_COMPILE_DIAGNOSTICS = 50;

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
  if (pch && !existsSync(pch)) {
    throw new Error(`precompiled header ${pch} is missing: run the set-up (npm run setup)`);
  }

  const { command, args } = await sandboxCommand(compileFlags({ includeDir, pch: pch ?? undefined }), {
    includeDir,
  });
  // clang calls stdin `<stdin>`; parseClangOutput renames it. (A `# 1 "student.bpf.c"` line
  // marker would rename it too, but clang 14 then prints ranges with the physical line.)
  const res = await runProcess({
    command,
    args,
    stdin: source,
    timeoutMs: COMPILE_LIMITS.wallMs,
    maxStdoutBytes: COMPILE_LIMITS.objectBytes,
    maxStderrBytes: COMPILE_LIMITS.stderrBytes,
    signal: opts.signal,
  });
  const stderr = res.stderr.toString('utf8');
  // Errors without a location come from clang itself, never from the student's text. A PCH
  // that does not match its headers (the set-up is rebuilding them) is the platform's fault.
  const pchError = /^(?:fatal error|error): .*(?:precompiled header|PCH file)/m.exec(stderr);
  if (pchError) throw new Error(`the precompiled lab.h is unusable (${pchError[0]}): run npm run setup`);
  const parsed = parseClangOutput(stderr);
  const diagnostics = keepFirst(parsed.diagnostics, res.stderrTruncated, res.stderrTail);
  // Renaming <stdin> lengthens the log a little: cut it again, at a line.
  const over = parsed.log.length > COMPILE_LIMITS.stderrBytes;
  const logTruncated = res.stderrTruncated || over || undefined;
  const log = logTruncated
    ? `${over ? parsed.log.slice(0, parsed.log.lastIndexOf('\n', COMPILE_LIMITS.stderrBytes)) : parsed.log}\n` +
      `[the compiler's messages passed ${COMPILE_LIMITS.stderrBytes / 1024} KiB; the rest is not shown]`
    : parsed.log;
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
    return done({ ok: false, diagnostics: [...diagnostics, d], log: [log, limit].filter(Boolean).join('\n'), limit });
  }
  if (killedBy === SIGSEGV || killedBy === SIGABRT || (killedBy !== undefined && res.code !== 0)) {
    const d = limitDiagnostic('the compiler crashed on this program; change the line it stopped at');
    d.code = 'compile/crash';
    return done({ ok: false, diagnostics: [...diagnostics, d], log: [log, d.message].filter(Boolean).join('\n') });
  }
  if (res.code !== 0 || res.stdout.length === 0) {
    if (!diagnostics.some((d) => d.severity === 'error') && res.stderrTruncated) {
      diagnostics.push({
        source: 'clang',
        severity: 'error',
        line: 0,
        column: 0,
        message: `compilation failed; the error came after the first ${COMPILE_LIMITS.stderrBytes / 1024} KiB of messages, which is all the lab keeps: fix the warnings above first`,
        code: 'compile/too-many-messages',
      });
    } else if (!diagnostics.some((d) => d.severity === 'error')) {
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
    return done({ ok: false, diagnostics, log, logTruncated });
  }
  return done({ ok: true, object: res.stdout, diagnostics, log, logTruncated });
}

/**
 * The first MAX_COMPILE_DIAGNOSTICS messages (errors first: a flood of warnings must not hide
 * the error that stopped the compile), and one more that counts the rest. Clang's own count at
 * the end of its output ("29595 warnings generated.") survives a cut of the messages.
 */
function keepFirst(all: Diagnostic[], cut: boolean, tail: string): Diagnostic[] {
  const counted = /(?:(\d+) warnings? )?(?:and )?(?:(\d+) errors? )?generated\.\s*$/.exec(tail);
  const exact = (counted && (counted[1] || counted[2])) || !cut;
  const clangCount = counted ? Number(counted[1] ?? 0) + Number(counted[2] ?? 0) : 0;
  const total = Math.max(all.filter((d) => d.severity !== 'info').length, clangCount);
  if (all.length <= MAX_COMPILE_DIAGNOSTICS && !cut) return all;
  const errors = all.filter((d) => d.severity === 'error').slice(0, MAX_COMPILE_DIAGNOSTICS);
  const rest = all.filter((d) => d.severity !== 'error');
  const kept = [...errors, ...rest.slice(0, MAX_COMPILE_DIAGNOSTICS - errors.length)];
  const shown = kept.filter((d) => d.severity !== 'info').length;
  const more = Math.max(total - shown, 0);
  if (more === 0 && !cut) return kept;
  const many = exact ? `${more}` : `more than ${more}`;
  kept.push({
    source: 'clang',
    severity: 'info',
    line: 0,
    column: 0,
    code: 'compile/more-messages',
    message: `${many} more compiler message${more === 1 ? '' : 's'} not shown (the lab shows the first ${MAX_COMPILE_DIAGNOSTICS})`,
  });
  return kept;
}
