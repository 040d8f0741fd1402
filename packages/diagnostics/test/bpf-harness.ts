// Compiles a fixture with the lab's flags and loads it WITHOUT attaching, to capture the real
// verifier log of this kernel. Loading runs the verifier only; nothing executes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const buildDir = process.env.LAB_BUILD_DIR
  ? resolve(process.env.LAB_BUILD_DIR)
  : join(repoRoot, 'build');

/** build/include when set-up has made vmlinux.h, else a vmlinux.h generated here once. */
export function includeDir(): string {
  const built = join(buildDir, 'include');
  if (existsSync(join(built, 'vmlinux.h'))) return built;
  const cache = join(tmpdir(), 'ebpf-lab-diagnostics-include');
  const header = join(cache, 'vmlinux.h');
  if (!existsSync(header)) {
    mkdirSync(cache, { recursive: true });
    const dump = spawnSync(
      'bpftool',
      ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'],
      { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
    );
    if (dump.status !== 0) throw new Error(`bpftool btf dump failed: ${dump.stderr}`);
    const partial = `${header}.${process.pid}`;
    writeFileSync(partial, dump.stdout);
    renameSync(partial, header);
  }
  return cache;
}

export const LAB_CFLAGS = ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86'];

export interface Compiled {
  object: string;
  dir: string;
}

export function compileFixture(source: string): Compiled {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-lab-diag-'));
  const object = join(dir, 'prog.bpf.o');
  const cc = spawnSync('clang', [...LAB_CFLAGS, '-I', includeDir(), '-c', source, '-o', object], {
    encoding: 'utf8',
    cwd: dirname(source),
  });
  if (cc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`clang failed on ${source}:\n${cc.stderr}`);
  }
  return { object, dir };
}

export interface LoadOutcome {
  loaded: boolean;
  /** The kernel's verifier log as libbpf printed it (empty when the load succeeded). */
  log: string;
  output: string;
}

/**
 * Loads every program of the object with bpftool into a bpffs mounted in a private mount
 * namespace: the pins, and with them the programs, vanish when the namespace does.
 * `unprivileged` drops CAP_PERFMON and CAP_SYS_ADMIN for the load (CAP_BPF stays), which is
 * how the verifier still treats uninitialised stack reads as errors on this kernel.
 */
export function loadWithoutAttaching(
  object: string,
  opts: { unprivileged?: boolean } = {},
): LoadOutcome {
  const mnt = mkdtempSync(join(tmpdir(), 'ebpf-lab-bpffs-'));
  const drop = opts.unprivileged
    ? 'setpriv --bounding-set -perfmon,-sys_admin --inh-caps -perfmon,-sys_admin '
    : '';
  const script = `mount -t bpf bpf "$1" && ${drop}bpftool prog loadall "$2" "$1/p"`;
  try {
    const run = spawnSync(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', script, 'load', mnt, object],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 },
    );
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    if (run.error) throw run.error;
    const begin = output.indexOf('-- BEGIN PROG LOAD LOG --');
    const end = output.indexOf('-- END PROG LOAD LOG --');
    const log = begin >= 0 && end > begin ? output.slice(output.indexOf('\n', begin) + 1, end) : '';
    if (run.status !== 0 && !log) {
      throw new Error(
        `bpftool failed without a verifier log (can this machine load BPF?):\n${output}`,
      );
    }
    return { loaded: run.status === 0, log, output };
  } finally {
    rmSync(mnt, { recursive: true, force: true });
  }
}
