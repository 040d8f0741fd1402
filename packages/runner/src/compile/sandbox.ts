// The compile sandbox (the jail of ../sandbox.ts): an empty root that holds clang, its shared
// libraries, its resource dir, the libbpf headers and the lab's generated headers, all
// read-only, under prlimit. A student's `#include "/etc/shadow"`, `__has_include` probe or `.incbin` finds no
// host file because none is there. See docs/architecture.md, section 4.
import { realpathSync } from 'node:fs';
import { commandOutput, installedCommand, sandboxArgs, sharedLibraries } from '../sandbox.ts';
import type { SharedLibrary } from '../sandbox.ts';

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
  libraries: SharedLibrary[];
}

let cached: Promise<ClangInstall> | undefined;

async function probe(): Promise<ClangInstall> {
  const clang = installedCommand('clang');
  const resourceDir = realpathSync((await commandOutput(clang, ['-print-resource-dir'])).trim());
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

export interface SandboxOptions {
  includeDir: string;
  bpfHeaders?: string;
  /**
   * Runs this binary instead of clang (the compile server), with its own shared libraries and
   * clang's resource dir, plus `readOnly` files bound at the same path and `socketDir`, a tiny
   * tmpfs of the sandbox's own for its socket. The server sets memory and CPU limits per
   * worker, so the sandbox-wide ones are left out, and it gets no scratch dir: nothing in it
   * may write files.
   */
  server?: { binary: string; readOnly: string[]; socketDir: string };
}

/** The sandbox's writable scratch dir (a size-capped tmpfs); must not hide a bound path. */
const WORK_DIR = '/compile-work';

/** prlimit + bwrap argv that runs `clang <args>` (or the compile server) in the sandbox. */
export async function sandboxCommand(
  clangArgs: string[],
  opts: SandboxOptions,
): Promise<{ command: string; args: string[] }> {
  const install = await findClang();
  const server = opts.server;
  const program = server ? realpathSync(server.binary) : install.clang;
  const L = COMPILE_LIMITS;
  return sandboxArgs({
    program,
    args: clangArgs,
    libraries: server ? await sharedLibraries(program) : install.libraries,
    // Same path as outside: the PCH records the headers' paths and refuses to load otherwise.
    readOnly: [
      install.resourceDir,
      opts.bpfHeaders ?? '/usr/include/bpf',
      opts.includeDir,
      ...(server?.readOnly ?? []),
    ],
    // Room for a socket's inode, no more.
    tmpfs: server ? [{ path: server.socketDir, bytes: 64 * 1024 }] : undefined,
    // The same working directory either way: clang records it in the debug info.
    workDir: WORK_DIR,
    workDirBytes: server ? undefined : L.fileSizeBytes,
    limits: {
      ...(server ? {} : { addressSpaceBytes: L.addressSpaceBytes, cpuSeconds: L.cpuSeconds }),
      fileSizeBytes: L.fileSizeBytes,
      openFiles: L.openFiles,
    },
  });
}
