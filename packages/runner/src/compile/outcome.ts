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
}

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
  const { diagnostics, log } = parseClangOutput(raw.stderr);
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
    return { ok: false, diagnostics, log };
  }
  return { ok: true, object: raw.object, diagnostics, log };
}
