// The one list of clang flags. The precompiled header is only accepted when it was built with
// the same language options (target, defines, optimisation level, the zeroing of locals), so
// build-pch.ts and compile() both take their flags from here, and set-up rebuilds the PCH when
// this file changes.
import { paths } from '../paths.ts';

/** The name the student's file goes by in every message. */
export const STUDENT_FILE = 'student.bpf.c';

export interface FlagPaths {
  includeDir: string;
  pch?: string;
}

/**
 * Every local variable, its padding included, starts zeroed. The verifier lets root read stack
 * bytes never written, and those are left-overs of the kernel's stack: without this, a struct's
 * padding or a half-filled buffer would carry kernel data into a record the student sees. The
 * static checks refuse such reads too (static/uninitialised-stack); this makes C code pass them.
 * Clang 14 only accepts the option with its second flag (later versions drop that flag).
 */
const zeroedLocals = [
  '-ftrivial-auto-var-init=zero',
  '-enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang',
];

/** Flags shared by the PCH build and every compile: they define the language of the PCH. */
export function languageFlags(p: FlagPaths = paths): string[] {
  return [
    '-g',
    '-O2',
    '-target',
    'bpf',
    '-D__TARGET_ARCH_x86',
    ...zeroedLocals,
    '-I',
    p.includeDir,
  ];
}

/**
 * Flags that shape the compiler's output. `-fno-crash-diagnostics`: a crash must not write a
 * reproducer (it would copy the preprocessed source and headers into a temp dir).
 */
export const outputFlags = [
  '-fno-crash-diagnostics',
  '-fno-color-diagnostics',
  '-fdiagnostics-parseable-fixits',
  '-fdiagnostics-print-source-range-info',
  '-ferror-limit=50',
  // A misspelt helper is an error on its line here, as clangd shows it while typing, instead of
  // a warning now and an undefined-symbol refusal by the static checks later.
  '-Werror=implicit-function-declaration',
];

/** Compile the source from stdin to an object on stdout. */
export function compileFlags(p: FlagPaths = paths): string[] {
  const pch = p.pch ? ['-include-pch', p.pch] : [];
  return [...languageFlags(p), ...outputFlags, ...pch, '-x', 'c', '-', '-c', '-o', '-'];
}

/** Build the precompiled header of `header` into `out`. */
export function pchFlags(header: string, out: string, p: FlagPaths = paths): string[] {
  return [...languageFlags(p), ...outputFlags, '-x', 'c-header', header, '-o', out];
}
