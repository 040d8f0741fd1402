// The one place a bubblewrap jail's argument list is built, for the compiler, the compile server
// and clangd alike: prlimit around bwrap, an empty root holding only the program, its shared
// libraries and the read-only paths it needs, every namespace unshared, no capabilities, nobody's
// uid, a fresh session, an empty environment, no /proc, and one scratch work dir. What differs
// between them is data (SandboxSpec), never a second copy of the jail. See docs/architecture.md,
// section 4.
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { runProcess } from './process.ts';

/** A shared library: where the dynamic loader looks for it (ldd's path), and the real file. */
export interface SharedLibrary {
  path: string;
  real: string;
}

export interface SandboxLimits {
  /** Per process (prlimit --as); left out when the program sets its own per worker. */
  addressSpaceBytes?: number;
  /** Per process (prlimit --cpu); left out when the program sets its own per worker. */
  cpuSeconds?: number;
  fileSizeBytes: number;
  openFiles: number;
}

export interface SandboxSpec {
  /** The real path of the program run inside; bound at the same path. */
  program: string;
  args: string[];
  libraries: SharedLibrary[];
  /** Host paths bound read-only at the same path, in this order (duplicates once). */
  readOnly: string[];
  /**
   * Writable directories of the jail's own (size-capped tmpfs), not on the host: they go with
   * the jail, whatever becomes of the process that started it.
   */
  tmpfs?: { path: string; bytes: number }[];
  /** The working directory (and TMPDIR) inside; must not hide a bound path. */
  workDir: string;
  /** A tmpfs of this size at workDir; absent: an empty directory nothing may write to. */
  workDirBytes?: number;
  /** Files the jail reads from the child's inherited fds: `--file fd path`. */
  files?: { fd: number; path: string }[];
  limits: SandboxLimits;
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

/** The command (prlimit) and its arguments that run `spec.program` in its jail. */
export function sandboxArgs(spec: SandboxSpec): { command: string; args: string[] } {
  for (const path of [...spec.readOnly, ...(spec.tmpfs ?? []).map((t) => t.path)]) {
    if (path === spec.workDir || path.startsWith(`${spec.workDir}/`)) {
      throw new Error(`${path} may not live under the sandbox's work dir ${spec.workDir}`);
    }
  }
  const binds: string[] = [];
  const seen = new Set<string>();
  const bind = (src: string, dest: string): void => {
    if (seen.has(dest)) return;
    seen.add(dest);
    binds.push('--ro-bind', src, dest);
  };
  bind(spec.program, spec.program);
  // Each library where ldd said the dynamic loader looks for it: with /lib a symlink to usr/lib,
  // that path lives in the real directory, under the name ldd printed.
  for (const lib of spec.libraries) bind(lib.real, resolvedDir(lib.path));
  for (const path of spec.readOnly) bind(path, path);
  const tmpfs = (spec.tmpfs ?? []).flatMap((t) => ['--size', String(t.bytes), '--tmpfs', t.path]);
  const work =
    spec.workDirBytes === undefined
      ? ['--dir', spec.workDir]
      : ['--size', String(spec.workDirBytes), '--tmpfs', spec.workDir];
  const files = (spec.files ?? []).flatMap(({ fd, path }) => ['--file', String(fd), path]);

  const L = spec.limits;
  const prlimit = [
    ...(L.addressSpaceBytes === undefined ? [] : [`--as=${L.addressSpaceBytes}`]),
    ...(L.cpuSeconds === undefined ? [] : [`--cpu=${L.cpuSeconds}`]),
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
    spec.workDir,
    '--tmpfs',
    '/',
    ...rootSymlinks(),
    '--dev',
    '/dev',
    ...binds,
    ...tmpfs,
    ...work,
    ...files,
    '--chdir',
    spec.workDir,
    '--remount-ro',
    '/',
  ];
  return {
    command: 'prlimit',
    args: [...prlimit, '--', 'bwrap', ...bwrap, '--', spec.program, ...spec.args],
  };
}

/** A command's output; a failure names the command. */
export async function commandOutput(command: string, args: string[]): Promise<string> {
  const r = await runProcess(command, args, { timeoutMs: 10_000 });
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${r.spawnError ?? r.stderr.toString()}`);
  return r.stdout.toString('utf8');
}

/** The real path of an installed command, found in PATH. */
export function installedCommand(command: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(dir, command);
    if (existsSync(p)) return realpathSync(p);
  }
  throw new Error(`${command} is not installed (not found in PATH)`);
}

/** Each shared library `binary` loads (ldd). */
export async function sharedLibraries(binary: string): Promise<SharedLibrary[]> {
  const libraries: SharedLibrary[] = [];
  for (const line of (await commandOutput('ldd', [binary])).split('\n')) {
    // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (!m || !existsSync(m[1])) continue;
    libraries.push({ path: m[1], real: realpathSync(m[1]) });
  }
  return libraries;
}
