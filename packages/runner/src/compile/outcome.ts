// What a compile produced, read the same way whichever compiler ran it (clang in the sandbox or
// a compile server worker), so the student gets the same result and the same limit messages.
import type { Diagnostic } from '@ebpf-lab/protocol';
import { MAX_SOURCE_BYTES } from '@ebpf-lab/protocol';
import { parseClangOutput } from './diagnostics.ts';
import { COMPILE_LIMITS } from './sandbox.ts';

export interface CompileResult {
  ok: boolean;
  object?: Buffer;
  diagnostics: Diagnostic[];
  log: string;
  durationMs: number;
  /** Set when a sandbox limit stopped the compiler, naming the limit for the student. */
  limit?: string;
  /** Which compiler answered: a server worker, plain clang, or the cache of earlier compiles. */
  via?: 'server' | 'clang' | 'cache';
  /** The compiler's messages passed what the lab keeps: `log` is their start only. */
  logTruncated?: boolean;
}

/** Diagnostics a compile keeps; the rest are counted in one more. */
export const MAX_COMPILE_DIAGNOSTICS = 50;

/** Bytes of the end of the compiler's messages kept apart from their capped start. */
export const STDERR_TAIL_BYTES = 1024;

/** How a compiler process ended, before any interpretation. */
export interface RawCompile {
  object: Buffer;
  stderr: string;
  /** Exit status; null when a signal ended it. */
  code: number | null;
  /** The signal number that ended the compiler, if one did. */
  signal?: number;
  /** The object passed COMPILE_LIMITS.objectBytes. */
  objectTooBig: boolean;
  /** The wall-clock limit ran out. */
  timedOut: boolean;
  aborted: boolean;
  /** The messages passed COMPILE_LIMITS.stderrBytes and `stderr` holds their start only. */
  stderrTruncated?: boolean;
  /** The last bytes of the messages whatever was dropped before them: clang's count of them. */
  stderrTail?: string;
}

const MiB = 1024 * 1024;
export const SIGKILL = 9;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;

export const LIMIT_MESSAGES = {
  cpu: `your program took more than ${COMPILE_LIMITS.cpuSeconds} s of CPU to compile`,
  memory: `your program took more than ${COMPILE_LIMITS.addressSpaceBytes / 1024 / MiB} GiB of memory to compile`,
  wall: `your program took more than ${COMPILE_LIMITS.wallMs / 1000} s to compile`,
  object: `your program compiled to an object larger than ${COMPILE_LIMITS.objectBytes / MiB} MiB`,
  file: `the compiler tried to write a file larger than ${COMPILE_LIMITS.fileSizeBytes / MiB} MiB`,
  source: `your source is larger than ${MAX_SOURCE_BYTES / 1024} KiB`,
} as const;

export function limitDiagnostic(message: string): Diagnostic {
  return {
    source: 'clang',
    severity: 'error',
    line: 0,
    column: 0,
    message,
    code: 'compile/limit',
  };
}

/** Clang's own ways of saying it ran out of memory under the address-space limit. */
const OUT_OF_MEMORY = /out of memory|std::bad_alloc|Allocation failed|Cannot allocate memory/i;

/** A PCH that does not match its headers (set-up is rebuilding them): the platform's fault. */
export class UnusablePchError extends Error {}

export function interpretCompile(raw: RawCompile): Omit<CompileResult, 'durationMs'> {
  // Errors without a location come from clang itself, never from the student's text.
  const pchError = /^(?:fatal error|error): .*(?:precompiled header|PCH file)/m.exec(raw.stderr);
  if (pchError) {
    throw new UnusablePchError(
      `the precompiled lab.h is unusable (${pchError[0]}): run npm run setup`,
    );
  }
  let stderr = raw.stderr;
  let cut = raw.stderrTruncated ?? false;
  const tail = raw.stderrTail ?? stderr.slice(-STDERR_TAIL_BYTES);
  if (stderr.length > COMPILE_LIMITS.stderrBytes) {
    stderr = stderr.slice(0, COMPILE_LIMITS.stderrBytes);
    cut = true;
  }
  const parsed = parseClangOutput(stderr);
  const diagnostics = keepFirst(parsed.diagnostics, cut, tail);
  // Renaming <stdin> lengthens the log a little: cut it again, at a line.
  const over = parsed.log.length > COMPILE_LIMITS.stderrBytes;
  const logTruncated = cut || over || undefined;
  const log = logTruncated
    ? `${over ? parsed.log.slice(0, parsed.log.lastIndexOf('\n', COMPILE_LIMITS.stderrBytes)) : parsed.log}\n` +
      `[the compiler's messages passed ${COMPILE_LIMITS.stderrBytes / 1024} KiB; the rest is not shown]`
    : parsed.log;
  const killedBy = raw.signal;
  const failed = raw.code !== 0;

  let limit: string | undefined;
  if (raw.objectTooBig) limit = LIMIT_MESSAGES.object;
  else if (raw.timedOut) limit = LIMIT_MESSAGES.wall;
  else if (killedBy === SIGXCPU || killedBy === SIGKILL) limit = LIMIT_MESSAGES.cpu;
  else if (killedBy === SIGXFSZ) limit = LIMIT_MESSAGES.file;
  else if (failed && OUT_OF_MEMORY.test(raw.stderr)) limit = LIMIT_MESSAGES.memory;
  if (raw.aborted) {
    const d = limitDiagnostic('the compile was cancelled');
    return { ok: false, diagnostics: [d], log: d.message };
  }
  if (limit) {
    const d = limitDiagnostic(limit);
    const all = [...diagnostics, d];
    return {
      ok: false,
      diagnostics: all,
      log: [log, limit].filter(Boolean).join('\n'),
      limit,
    };
  }
  if (killedBy !== undefined) {
    const d = limitDiagnostic(
      'the compiler crashed on this program; change the line it stopped at',
    );
    d.code = 'compile/crash';
    const all = [...diagnostics, d];
    return {
      ok: false,
      diagnostics: all,
      log: [log, d.message].filter(Boolean).join('\n'),
    };
  }
  if (failed || raw.object.length === 0) {
    if (!diagnostics.some((d) => d.severity === 'error') && cut) {
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
    return { ok: false, diagnostics, log, logTruncated };
  }
  return { ok: true, object: raw.object, diagnostics, log, logTruncated };
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
