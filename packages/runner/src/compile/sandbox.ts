// The compile sandbox: bubblewrap with an empty root that holds clang, its shared libraries,
// its resource dir, the libbpf headers and the lab's generated headers, all read-only, under
// prlimit. A student's `#include "/etc/shadow"`, `__has_include` probe or `.incbin` finds no
// host file because none is there. See docs/architecture.md, section 4.
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, delimiter, join } from 'node:path';
import { runProcess } from '../process.ts';

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

let cached: Promise<ClangInstall> | undefined;

async function output(command: string, args: string[]): Promise<string> {
  const r = await runProcess(command, args, { timeoutMs: 10_000 });
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${r.spawnError ?? r.stderr.toString()}`);
  return r.stdout.toString('utf8');
}

function which(command: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir, command);
    if (existsSync(p)) return p;
  }
  throw new Error(`${command} is not installed (not found in PATH)`);
}

/** Each shared library `binary` loads (ldd): where the loader looks for it, and the real file. */
async function sharedLibraries(binary: string): Promise<ClangInstall['libraries']> {
  const libraries: ClangInstall['libraries'] = [];
  for (const line of (await output('ldd', [binary])).split('\n')) {
    // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (!m || !existsSync(m[1])) continue;
    libraries.push({ path: m[1], real: realpathSync(m[1]) });
  }
  return libraries;
}

async function probe(): Promise<ClangInstall> {
  const clang = realpathSync(which('clang'));
  const resourceDir = realpathSync((await output(clang, ['-print-resource-dir'])).trim());
  return { clang, resourceDir, libraries: await sharedLibraries(clang) };
}

/** Finds clang, its resource dir and its libraries (ldd) once per process. */
export function findClang(): Promise<ClangInstall> {
  cached ??= probe().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

/** Top-level symlinks of a merged-/usr system (/lib → usr/lib), mirrored inside the sandbox. */
export function rootSymlinks(): string[] {
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
  /**
   * Runs this binary instead of clang (the compile server), with its own shared libraries and
   * clang's resource dir, plus `readOnly` files and `writable` directories bound at the same
   * path. The server sets memory and CPU limits per worker, so the sandbox-wide ones are left
   * out, and it gets no scratch dir: nothing in it may write files.
   */
  server?: { binary: string; readOnly: string[]; writable: string[] };
}

/** The sandbox's writable scratch dir (a size-capped tmpfs); must not hide a bound path. */
const WORK_DIR = '/compile-work';

/** prlimit + bwrap argv that runs `clang <args>` (or the compile server) in the sandbox. */
export async function sandboxCommand(
  clangArgs: string[],
  opts: SandboxOptions,
): Promise<{ command: string; args: string[] }> {
  if (opts.includeDir === WORK_DIR || opts.includeDir.startsWith(`${WORK_DIR}/`)) {
    throw new Error(`the include dir may not live under ${WORK_DIR}`);
  }
  const install = await findClang();
  const bpfHeaders = opts.bpfHeaders ?? '/usr/include/bpf';
  const binds: string[] = [];
  const seen = new Set<string>();
  const bind = (src: string, dest: string): void => {
    if (seen.has(dest)) return;
    seen.add(dest);
    binds.push('--ro-bind', src, dest);
  };
  const server = opts.server;
  const program = server ? realpathSync(server.binary) : install.clang;
  const libraries = server ? await sharedLibraries(program) : install.libraries;
  bind(program, program);
  bind(install.resourceDir, install.resourceDir);
  for (const lib of libraries) {
    // The dynamic loader looks the library up by its ldd path; with /lib a symlink to usr/lib
    // that path lives in the real directory, under the name ldd printed.
    bind(lib.real, resolvedDir(lib.path));
  }
  bind(bpfHeaders, bpfHeaders);
  // Same path as outside: the PCH records the headers' paths and refuses to load otherwise.
  bind(opts.includeDir, opts.includeDir);
  for (const path of server?.readOnly ?? []) bind(path, path);
  const writable = (server?.writable ?? []).flatMap((dir) => ['--bind', dir, dir]);

  const L = COMPILE_LIMITS;
  const perProcess = server ? [] : [`--as=${L.addressSpaceBytes}`, `--cpu=${L.cpuSeconds}`];
  const prlimit = [
    ...perProcess,
    `--fsize=${L.fileSizeBytes}`,
    `--nofile=${L.openFiles}`,
    '--core=0',
  ];
  const bwrap = [
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
    WORK_DIR,
    '--tmpfs',
    '/',
    ...rootSymlinks(),
    '--dev',
    '/dev',
    ...binds,
    ...writable,
    // The same working directory either way: clang records it in the debug info.
    ...(server ? ['--dir', WORK_DIR] : ['--size', String(L.fileSizeBytes), '--tmpfs', WORK_DIR]),
    '--chdir',
    WORK_DIR,
    '--remount-ro',
    '/',
  ];
  return {
    command: 'prlimit',
    args: [...prlimit, '--', 'bwrap', ...bwrap, '--', program, ...clangArgs],
  };
}
