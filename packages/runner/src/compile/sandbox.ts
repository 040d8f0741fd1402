// The compile sandbox: bubblewrap with an empty root that holds clang, its shared libraries,
// its resource dir, the libbpf headers and the lab's generated headers, all read-only, under
// prlimit. A student's `#include "/etc/shadow"`, `__has_include` probe or `.incbin` finds no
// host file because none is there. See DESIGN.md section 4.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export const COMPILE_LIMITS = {
  addressSpaceBytes: 1024 * 1024 * 1024,
  cpuSeconds: 10,
  fileSizeBytes: 16 * 1024 * 1024,
  openFiles: 64,
  wallMs: 30_000,
  objectBytes: 16 * 1024 * 1024,
  stderrBytes: 256 * 1024,
} as const;

export interface ClangInstall {
  /** The real clang binary (symlinks resolved). */
  clang: string;
  resourceDir: string;
  /** Each shared library: where the loader looks for it, and the real file. */
  libraries: { path: string; real: string }[];
}

let cached: ClangInstall | undefined;

/** Finds clang, its resource dir and its libraries (ldd) once per process. */
export function findClang(command = 'clang'): ClangInstall {
  if (cached && command === 'clang') return cached;
  const which = execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' }).trim();
  if (!which) throw new Error(`${command} is not installed`);
  const clang = realpathSync(which);
  const resourceDir = realpathSync(
    execFileSync(clang, ['-print-resource-dir'], { encoding: 'utf8' }).trim(),
  );
  const libraries: ClangInstall['libraries'] = [];
  const ldd = execFileSync('ldd', [clang], { encoding: 'utf8' });
  for (const line of ldd.split('\n')) {
    // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (!m) continue;
    const path = m[1];
    if (!existsSync(path)) continue;
    libraries.push({ path, real: realpathSync(path) });
  }
  const install = { clang, resourceDir, libraries };
  if (command === 'clang') cached = install;
  return install;
}

/** Top-level symlinks of a merged-/usr system (/lib → usr/lib), mirrored inside the sandbox. */
function rootSymlinks(): string[] {
  const args: string[] = [];
  for (const name of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    try {
      if (lstatSync(name).isSymbolicLink()) args.push('--symlink', readlinkSync(name), name);
    } catch {
      // Not present on this system.
    }
  }
  return args;
}

/** A path with its directory's symlinks resolved, keeping the file name itself. */
function resolvedDir(path: string): string {
  return `${realpathSync(dirname(path))}/${basename(path)}`;
}

export interface SandboxOptions {
  includeDir: string;
  bpfHeaders?: string;
}

/** The sandbox's writable scratch dir (a size-capped tmpfs); must not hide a bound path. */
const WORK_DIR = '/compile-work';

/** prlimit + bwrap argv that runs `clang <args>` in the sandbox. */
export function sandboxCommand(clangArgs: string[], opts: SandboxOptions): { command: string; args: string[] } {
  if (opts.includeDir === WORK_DIR || opts.includeDir.startsWith(`${WORK_DIR}/`)) {
    throw new Error(`the include dir may not live under ${WORK_DIR}`);
  }
  const install = findClang();
  const bpfHeaders = opts.bpfHeaders ?? '/usr/include/bpf';
  const binds: string[] = [];
  const seen = new Set<string>();
  const bind = (src: string, dest: string): void => {
    if (seen.has(dest)) return;
    seen.add(dest);
    binds.push('--ro-bind', src, dest);
  };
  bind(install.clang, install.clang);
  bind(install.resourceDir, install.resourceDir);
  for (const lib of install.libraries) {
    // The dynamic loader looks the library up by its ldd path; with /lib a symlink to usr/lib
    // that path lives in the real directory, under the name ldd printed.
    bind(lib.real, resolvedDir(lib.path));
  }
  bind(bpfHeaders, bpfHeaders);
  // Same path as outside: the PCH records the headers' paths and refuses to load otherwise.
  bind(opts.includeDir, opts.includeDir);

  const L = COMPILE_LIMITS;
  const prlimit = [
    `--as=${L.addressSpaceBytes}`,
    `--cpu=${L.cpuSeconds}`,
    `--fsize=${L.fileSizeBytes}`,
    `--nofile=${L.openFiles}`,
    '--core=0',
  ];
  const bwrap = [
    '--unshare-all',
    '--cap-drop', 'ALL',
    '--uid', '65534',
    '--gid', '65534',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv', 'PATH', '/nonexistent',
    '--setenv', 'TMPDIR', WORK_DIR,
    '--tmpfs', '/',
    ...rootSymlinks(),
    '--dev', '/dev',
    ...binds,
    '--size', String(L.fileSizeBytes),
    '--tmpfs', WORK_DIR,
    '--chdir', WORK_DIR,
    '--remount-ro', '/',
  ];
  return {
    command: 'prlimit',
    args: [...prlimit, '--', 'bwrap', ...bwrap, '--', install.clang, ...clangArgs],
  };
}
