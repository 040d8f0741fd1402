// A memory limit for one clangd. clangd parses whatever the student types, and a 400-byte macro
// file drove one to 2.3 GiB: each gets a cgroup with a memory limit, the cgroup v2 memory
// controller where the machine delegates it, else the v1 memory hierarchy (hybrid machines like
// this one, as the run loader does), else an address-space limit. The cgroups sit beside the
// runs' ones (`ebpf-lab/p<server pid>-clangd-<n>`), so the start-up sweep that removes what a
// killed server left behind removes these too.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { paths } from '@ebpf-lab/runner';

export type MemoryLimitKind = 'cgroup v2' | 'cgroup v1' | 'address space';

export interface MemoryCage {
  kind: MemoryLimitKind;
  bytes: number;
  /** The cgroup directory holding the limit (absent for an address-space limit). */
  cgroup?: string;
  /** The command that enters the cage, then runs `command` (with prlimit's limits for `--as`). */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /** Kills whatever is still in the cgroup. */
  kill(): void;
  /** How many times the kernel killed a process of this cage for its memory (0 if unknown). */
  oomKills(): number;
  /** Removes the cgroup once its processes are gone. */
  remove(): Promise<void>;
}

export interface CgroupMounts {
  v2?: string;
  memory?: string;
}

function findMounts(): CgroupMounts {
  const found: CgroupMounts = {};
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, dir, type, opts] = line.split(' ');
    if (type === 'cgroup2') found.v2 ??= dir;
    else if (type === 'cgroup' && (opts ?? '').split(',').includes('memory')) found.memory ??= dir;
  }
  return found;
}

function hasWord(file: string, word: string): boolean {
  try {
    return readFileSync(file, 'utf8').split(/\s+/).includes(word);
  } catch {
    return false;
  }
}

let sequence = 0;

/**
 * A new cage for one clangd; never throws (the address-space limit is the last resort).
 * `mounts` defaults to this machine's, from /proc/mounts.
 */
export function createMemoryCage(bytes: number, mounts: CgroupMounts = findMounts()): MemoryCage {
  const name = `p${process.pid}-clangd-${++sequence}`;
  try {
    if (mounts.v2 && hasWord(join(mounts.v2, 'cgroup.controllers'), 'memory')) {
      const parent = join(mounts.v2, paths.cgroupParentName);
      mkdirSync(parent, { recursive: true });
      writeFileSync(join(mounts.v2, 'cgroup.subtree_control'), '+memory');
      writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory');
      const dir = join(parent, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.max'), String(bytes));
      // Swap would let it grow past the limit, slowly, on everyone's disk.
      if (existsSync(join(dir, 'memory.swap.max')))
        writeFileSync(join(dir, 'memory.swap.max'), '0');
      return cgroupCage('cgroup v2', dir, bytes);
    }
    if (mounts.memory) {
      const dir = join(mounts.memory, paths.cgroupParentName, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes));
      const memsw = join(dir, 'memory.memsw.limit_in_bytes');
      if (existsSync(memsw)) writeFileSync(memsw, String(bytes));
      return cgroupCage('cgroup v1', dir, bytes);
    }
  } catch {
    // No cgroup we may write: the address-space limit below still bounds it.
  }
  return {
    kind: 'address space',
    bytes,
    wrap: (command, args) => ({
      command,
      args: args.map((a) => (a.startsWith('--as=') ? `--as=${bytes}` : a)),
    }),
    kill: () => undefined,
    oomKills: () => 0,
    remove: async () => undefined,
  };
}

function cgroupCage(kind: MemoryLimitKind, dir: string, bytes: number): MemoryCage {
  const pids = (): number[] => {
    try {
      return readFileSync(join(dir, 'cgroup.procs'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  return {
    kind,
    bytes,
    cgroup: dir,
    // The shell joins the cgroup before exec, so the limit holds from clangd's first allocation.
    wrap: (command, args) => ({
      command: 'sh',
      args: ['-c', 'echo $$ > "$0" && exec "$@"', join(dir, 'cgroup.procs'), command, ...args],
    }),
    kill() {
      if (existsSync(join(dir, 'cgroup.kill'))) {
        try {
          writeFileSync(join(dir, 'cgroup.kill'), '1');
          return;
        } catch {
          // Fall through to one signal per process.
        }
      }
      for (const pid of pids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
    oomKills() {
      // v2: memory.events; v1: memory.oom_control. Both have an `oom_kill N` line.
      for (const file of ['memory.events', 'memory.oom_control']) {
        try {
          const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'));
          if (m) return Number(m[1]);
        } catch {
          // Not this version's file.
        }
      }
      return 0;
    },
    async remove() {
      for (let i = 0; i < 100; i++) {
        try {
          rmdirSync(dir);
          return;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return;
          if (code !== 'EBUSY') throw e;
          this.kill();
          await sleep(20);
        }
      }
      rmdirSync(dir);
    },
  };
}
