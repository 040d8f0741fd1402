// What the bench left behind, counted on the machine before it starts and again after it ends:
// BPF programs, links and maps that nothing holds, the run cgroups of the bench's own processes,
// and processes that carry the bench's mark. The machine is shared, so other engineers' runs come
// and go meanwhile: a BPF object counts only when it is newer than everything seen at the start
// and stays unheld (no process holds it, no held link or program uses it) for two looks in a
// row; the kernel frees objects after an RCU grace period, so a freshly closed one may still be
// listed for a moment.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import { findCgroupMounts } from '../../packages/runner/src/loader/index.ts';

export interface Leftovers {
  bpfPrograms: number;
  bpfLinks: number;
  bpfMaps: number;
  cgroups: number;
  processes: number;
}

/** Set in the bench's environment: every process it starts inherits it, unless it clears it. */
export const BENCH_MARK = 'LAB_BENCH_RUN';

interface BpfObject {
  id: number;
  type?: string;
  pids?: { pid: number; comm: string }[];
  prog_id?: number;
  map_ids?: number[];
}

type Kind = 'prog' | 'map' | 'link';

function bpftool(kind: Kind): BpfObject[] {
  const out = execFileSync('bpftool', [kind, 'show', '--json'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out || '[]') as BpfObject[];
}

interface BpfSnapshot {
  prog: BpfObject[];
  map: BpfObject[];
  link: BpfObject[];
}

const snapshotBpf = (): BpfSnapshot => ({
  prog: bpftool('prog'),
  map: bpftool('map'),
  link: bpftool('link'),
});

/** Objects no process holds, directly or through a held link or program. */
export function unheld(s: BpfSnapshot): { prog: Set<number>; map: Set<number>; link: Set<number> } {
  const held = (o: BpfObject) => (o.pids?.length ?? 0) > 0;
  const liveLinks = s.link.filter(held);
  const liveProgIds = new Set([
    ...s.prog.filter(held).map((p) => p.id),
    ...liveLinks.map((l) => l.prog_id ?? -1),
  ]);
  const liveMapIds = new Set([
    ...s.map.filter(held).map((m) => m.id),
    ...s.prog.filter((p) => liveProgIds.has(p.id)).flatMap((p) => p.map_ids ?? []),
  ]);
  return {
    prog: new Set(s.prog.filter((p) => !liveProgIds.has(p.id)).map((p) => p.id)),
    map: new Set(s.map.filter((m) => !liveMapIds.has(m.id)).map((m) => m.id)),
    link: new Set(s.link.filter((l) => !held(l)).map((l) => l.id)),
  };
}

export interface Baseline {
  /** The highest id of each kind at the start: anything newer was made while the bench ran. */
  maxId: Record<Kind, number>;
  /** What was already left before the bench, reported for the record. */
  before: Leftovers;
}

/** Run cgroups whose names start with one of `prefixes` (`p<pid>-`, cgroups.ts). */
function countCgroups(prefixes: string[]): number {
  const mounts = findCgroupMounts();
  let n = 0;
  for (const root of [mounts.v2, mounts.memory, mounts.pids]) {
    if (!root) continue;
    const parent = join(root, paths.cgroupParentName);
    if (!existsSync(parent)) continue;
    for (const d of readdirSync(parent, { withFileTypes: true }))
      if (d.isDirectory() && prefixes.some((p) => d.name.startsWith(p))) n++;
  }
  return n;
}

/** Live processes, other than this one, whose environment carries `mark`. */
export function markedProcesses(mark: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (env.split('\0').includes(mark)) found.push(Number(name));
    } catch {
      // Gone meanwhile, or a kernel thread.
    }
  }
  return found;
}

export function takeBaseline(mark: string): Baseline {
  const s = snapshotBpf();
  const max = (xs: BpfObject[]) => xs.reduce((m, o) => Math.max(m, o.id), 0);
  const free = unheld(s);
  return {
    maxId: { prog: max(s.prog), map: max(s.map), link: max(s.link) },
    before: {
      bpfPrograms: free.prog.size,
      bpfLinks: free.link.size,
      bpfMaps: free.map.size,
      cgroups: 0,
      processes: markedProcesses(mark).length,
    },
  };
}

/**
 * Counts what the bench left, once every process it started has been stopped. `cgroupPrefixes`
 * name the run cgroups of the processes that ran (this one and the servers it started).
 */
export async function countLeftovers(
  baseline: Baseline,
  mark: string,
  cgroupPrefixes: string[],
): Promise<Leftovers> {
  const newUnheld = () => {
    const free = unheld(snapshotBpf());
    const newer = (kind: Kind) =>
      new Set([...free[kind]].filter((id) => id > baseline.maxId[kind]));
    return { prog: newer('prog'), map: newer('map'), link: newer('link') };
  };
  let left = newUnheld();
  // Unheld twice, a second apart and for up to ten seconds: RCU frees them meanwhile.
  for (let attempt = 0; attempt < 10; attempt++) {
    if (left.prog.size + left.map.size + left.link.size === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
    const again = newUnheld();
    const both = (kind: Kind) => new Set([...left[kind]].filter((id) => again[kind].has(id)));
    left = { prog: both('prog'), map: both('map'), link: both('link') };
  }
  return {
    bpfPrograms: left.prog.size,
    bpfLinks: left.link.size,
    bpfMaps: left.map.size,
    cgroups: countCgroups(cgroupPrefixes),
    processes: markedProcesses(mark).length,
  };
}

export const totalLeftovers = (l: Leftovers) =>
  l.bpfPrograms + l.bpfLinks + l.bpfMaps + l.cgroups + l.processes;
