// clangd in the same jail as the compiler (the runner's sandboxArgs): an empty root holding
// clangd, its libraries, clang's resource dir, the libbpf headers and the lab's generated
// headers, read-only; a tmpfs work dir with compile_flags.txt; no network; no /proc (it would
// show the host's kernel symbols and settings); under prlimit.
import { realpathSync } from 'node:fs';
import {
  commandOutput,
  installedCommand,
  languageFlags,
  outputFlags,
  sandboxArgs,
  sharedLibraries,
} from '@ebpf-lab/runner';
import type { SharedLibrary } from '@ebpf-lab/runner';

/** Where the student's file lives inside the sandbox; the only path the browser ever sees. */
export const LSP_WORK_DIR = '/lsp-work';
export const LSP_STUDENT_FILE = 'student.bpf.c';
export const LSP_STUDENT_URI = `file://${LSP_WORK_DIR}/${LSP_STUDENT_FILE}`;

export const CLANGD_LIMITS = {
  /** clangd holds vmlinux.h's AST (135k lines) and its preamble in memory: ~0.5 GiB. */
  addressSpaceBytes: 4 * 1024 * 1024 * 1024,
  /** CPU seconds over the whole session; parses of the student's file cost ~0.1-1 s each. */
  cpuSeconds: 600,
  fileSizeBytes: 16 * 1024 * 1024,
  openFiles: 256,
} as const;

export interface ClangdInstall {
  clangd: string;
  resourceDir: string;
  libraries: SharedLibrary[];
}

let cached: Promise<ClangdInstall> | undefined;

async function probe(): Promise<ClangdInstall> {
  let clangd: string;
  try {
    clangd = installedCommand('clangd');
  } catch {
    throw new Error('clangd is not installed (Debian: apt-get install clangd)');
  }
  // clangd finds the resource dir next to its own binary through /proc/self/exe, which the
  // sandbox does not have: the flags name it (the same dir clang uses by default).
  const clang = installedCommand('clang');
  const resourceDir = realpathSync((await commandOutput(clang, ['-print-resource-dir'])).trim());
  return { clangd, resourceDir, libraries: await sharedLibraries(clangd) };
}

/** Finds clangd, clang's resource dir and clangd's libraries once per process, without blocking. */
export function findClangd(): Promise<ClangdInstall> {
  cached ??= probe().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

/**
 * The lab's compile flags (packages/runner/src/compile/flags.ts), one per line for clangd, with
 * lab.h from the flags, so every session's preamble is the same (preamble-shape.ts). Through
 * `-Xclang`: the driver turns a plain `-include lab.h` into `-include-pch lab.h.pch` when
 * set-up's PCH sits beside it, and clangd's preamble cannot build on that PCH (the
 * student's file then sees no kernel types at all).
 */
export function labCompileFlags(includeDir: string, resourceDir: string): string[] {
  return [
    '-xc',
    ...languageFlags({ includeDir }),
    // Only the warning flags: the others shape clang's output for the compile stage's parser.
    ...outputFlags.filter((f) => f.startsWith('-W')),
    `-resource-dir=${resourceDir}`,
    '-Xclang',
    '-include',
    '-Xclang',
    `${includeDir}/lab.h`,
  ];
}

export interface ClangdSandboxOptions {
  includeDir: string;
  bpfHeaders?: string;
  /** The child's fd from which bwrap reads compile_flags.txt. */
  flagsFd: number;
}

/** Host directories bound into the sandbox: paths under them are shown by file name only. */
export function boundRoots(
  install: ClangdInstall,
  opts: { includeDir: string; bpfHeaders?: string },
): string[] {
  return [opts.includeDir, opts.bpfHeaders ?? '/usr/include/bpf', install.resourceDir];
}

export function clangdCommand(
  install: ClangdInstall,
  opts: ClangdSandboxOptions,
): { command: string; args: string[] } {
  const L = CLANGD_LIMITS;
  return sandboxArgs({
    program: install.clangd,
    args: [
      '--log=error',
      '--pch-storage=memory',
      '--background-index=false',
      '--clang-tidy=false',
      '--header-insertion=never',
      '--limit-results=50',
      '-j=1',
    ],
    libraries: install.libraries,
    readOnly: [install.resourceDir, opts.bpfHeaders ?? '/usr/include/bpf', opts.includeDir],
    workDir: LSP_WORK_DIR,
    workDirBytes: L.fileSizeBytes,
    files: [{ fd: opts.flagsFd, path: `${LSP_WORK_DIR}/compile_flags.txt` }],
    limits: L,
  });
}
