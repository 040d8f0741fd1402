// clangd in the same kind of sandbox as the compiler: bubblewrap with an empty root holding
// clangd, its libraries, clang's resource dir, the libbpf headers and the lab's generated
// headers, read-only; a tmpfs work dir with compile_flags.txt; no network; no /proc (it would
// show the host's kernel symbols and settings); under prlimit.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { languageFlags, outputFlags, rootSymlinks } from '@ebpf-lab/runner';

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
  libraries: { path: string; real: string }[];
}

let cached: ClangdInstall | undefined;

export function findClangd(): ClangdInstall {
  if (cached) return cached;
  const which = execFileSync('sh', ['-c', 'command -v clangd'], { encoding: 'utf8' }).trim();
  if (!which) throw new Error('clangd is not installed (Debian: apt-get install clangd)');
  const clangd = realpathSync(which);
  // clangd finds the resource dir next to its own binary through /proc/self/exe, which the
  // sandbox does not have: the flags name it (the same dir clang uses by default).
  const clang = execFileSync('sh', ['-c', 'command -v clang'], { encoding: 'utf8' }).trim();
  const resourceDir = realpathSync(
    execFileSync(clang, ['-print-resource-dir'], { encoding: 'utf8' }).trim(),
  );
  const libraries: ClangdInstall['libraries'] = [];
  for (const line of execFileSync('ldd', [clangd], { encoding: 'utf8' }).split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m && existsSync(m[1])) libraries.push({ path: m[1], real: realpathSync(m[1]) });
  }
  cached = { clangd, resourceDir, libraries };
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
export function boundRoots(opts: { includeDir: string; bpfHeaders?: string }): string[] {
  const install = findClangd();
  return [opts.includeDir, opts.bpfHeaders ?? '/usr/include/bpf', install.resourceDir];
}

export function clangdCommand(opts: ClangdSandboxOptions): { command: string; args: string[] } {
  const install = findClangd();
  const bpfHeaders = opts.bpfHeaders ?? '/usr/include/bpf';
  const binds: string[] = [];
  const seen = new Set<string>();
  const bind = (src: string, dest: string) => {
    if (seen.has(dest)) return;
    seen.add(dest);
    binds.push('--ro-bind', src, dest);
  };
  bind(install.clangd, install.clangd);
  bind(install.resourceDir, install.resourceDir);
  for (const lib of install.libraries) {
    bind(lib.real, `${realpathSync(dirname(lib.path))}/${basename(lib.path)}`);
  }
  bind(bpfHeaders, bpfHeaders);
  bind(opts.includeDir, opts.includeDir);
  const L = CLANGD_LIMITS;
  return {
    command: 'prlimit',
    args: [
      `--as=${L.addressSpaceBytes}`,
      `--cpu=${L.cpuSeconds}`,
      `--fsize=${L.fileSizeBytes}`,
      `--nofile=${L.openFiles}`,
      '--core=0',
      '--',
      'bwrap',
      '--unshare-all',
      '--cap-drop',
      'ALL',
      '--uid',
      '65534',
      '--gid',
      '65534',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
      '--setenv',
      'PATH',
      '/nonexistent',
      '--setenv',
      'TMPDIR',
      LSP_WORK_DIR,
      '--tmpfs',
      '/',
      ...rootSymlinks(),
      '--dev',
      '/dev',
      ...binds,
      '--size',
      String(L.fileSizeBytes),
      '--tmpfs',
      LSP_WORK_DIR,
      '--file',
      String(opts.flagsFd),
      `${LSP_WORK_DIR}/compile_flags.txt`,
      '--chdir',
      LSP_WORK_DIR,
      '--remount-ro',
      '/',
      '--',
      install.clangd,
      '--log=error',
      '--pch-storage=memory',
      '--background-index=false',
      '--clang-tidy=false',
      '--header-insertion=never',
      '--limit-results=50',
      '-j=1',
    ],
  };
}
