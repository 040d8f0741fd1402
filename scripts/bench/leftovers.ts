// What the bench left behind, counted on the machine before it starts and again after it ends:
// BPF programs, links and maps that nothing holds, the run cgroups of the bench's own processes,
// and processes that carry the bench's mark or were seen descending from it. The machine is
// shared, so other engineers' runs come and go meanwhile: a BPF object counts only when it is
// newer than everything seen at the start and stays unheld (no process holds it, no held link
// or program uses it) for two looks in a row; the kernel frees objects after an RCU grace
// period, so a freshly closed one may still be listed for a moment.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import { findCgroupMounts } from '../../packages/runner/src/loader/index.ts';
import { descendsFrom, processInfo, processTable } from './processes.ts';

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
  /** Paths in bpffs (with `--bpffs`): a pinned object lives on without a process. */
  pinned?: string[];
  prog_id?: number;
  map_ids?: number[];
}

type Kind = 'prog' | 'map' | 'link';

function bpftool<T>(args: string[]): T[] {
  const out = execFileSync('bpftool', ['--bpffs', ...args, '--json'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out || '[]') as T[];
}

export interface BpfSnapshot {
  prog: BpfObject[];
  map: BpfObject[];
  link: BpfObject[];
  /** Programs attached through a perf event (a tracepoint's legacy attach): its holder holds them. */
  perf: { prog_id: number }[];
  /** Programs in each program array (the dispatcher tail-calls into them), by map id. */
  progArrays: Map<number, number[]>;
}

/** A program array's values are program ids, printed as a number or as little-endian bytes. */
function progIds(entries: { value?: unknown }[]): number[] {
  return entries
    .map(({ value }) =>
      typeof value === 'number'
        ? value
        : Array.isArray(value)
          ? value
              .slice(0, 4)
              .reduce((n: number, b: unknown, i) => n + (parseInt(String(b), 16) << (8 * i)), 0)
          : 0,
    )
    .filter((id) => id > 0);
}

function snapshotBpf(): BpfSnapshot {
  const map = bpftool<BpfObject>(['map', 'show']);
  const progArrays = new Map<number, number[]>();
  for (const m of map.filter((m) => m.type === 'prog_array')) {
    try {
      progArrays.set(
        m.id,
        progIds(bpftool<{ value?: unknown }>(['map', 'dump', 'id', String(m.id)])),
      );
    } catch {
      // Freed meanwhile.
    }
  }
  return {
    prog: bpftool<BpfObject>(['prog', 'show']),
    map,
    link: bpftool<BpfObject>(['link', 'show']),
    perf: bpftool<{ prog_id: number }>(['perf', 'show']),
    progArrays,
  };
}

/**
 * Objects nothing keeps alive. Held: what a process holds or bpffs pins, the program of a held
 * link or perf event, the maps a held program uses, and the programs in a held program array;
 * followed until nothing more is found.
 */
export function unheld(s: BpfSnapshot): { prog: Set<number>; map: Set<number>; link: Set<number> } {
  const held = (o: BpfObject) => (o.pids?.length ?? 0) > 0 || (o.pinned?.length ?? 0) > 0;
  const links = new Set(s.link.filter(held).map((l) => l.id));
  const progs = new Set([
    ...s.prog.filter(held).map((p) => p.id),
    ...s.link.filter((l) => links.has(l.id)).map((l) => l.prog_id ?? -1),
    ...s.perf.map((p) => p.prog_id),
  ]);
  const maps = new Set(s.map.filter(held).map((m) => m.id));
  for (let grew = true; grew;) {
    const before = progs.size + maps.size;
    for (const p of s.prog) if (progs.has(p.id)) for (const m of p.map_ids ?? []) maps.add(m);
    for (const [m, ids] of s.progArrays) if (maps.has(m)) for (const id of ids) progs.add(id);
    grew = progs.size + maps.size > before;
  }
  return {
    prog: new Set(s.prog.filter((p) => !progs.has(p.id)).map((p) => p.id)),
    map: new Set(s.map.filter((m) => !maps.has(m.id)).map((m) => m.id)),
    link: new Set(s.link.filter((l) => !links.has(l.id)).map((l) => l.id)),
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

/** `pid:starttime` of a live process (a pid alone may be reused), or null when it is gone. */
function identity(pid: number): string | null {
  const p = processInfo(pid);
  return p && `${pid}:${p.startTime}`;
}

/**
 * Every process that descends from this one, seen while the bench runs. Sandboxed processes (the
 * compile server, clang) start with a cleared environment and carry no mark; this finds them
 * by ancestry instead, looked at every second: what lives that long is what could be left.
 */
export class Descendants {
  private readonly seen = new Set<string>();
  /** Those already there at the start: what runs the bench itself (tsx's esbuild service). */
  private readonly before: Set<string>;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 1000) {
    this.look();
    this.before = new Set(this.seen);
    this.timer = setInterval(() => this.look(), intervalMs);
    this.timer.unref();
  }

  look(): void {
    const table = processTable();
    for (const [pid, p] of table)
      if (descendsFrom(pid, process.pid, table)) this.seen.add(`${pid}:${p.startTime}`);
  }

  /** Those seen that still live (reparented or not), by pid. */
  alive(): number[] {
    clearInterval(this.timer);
    return [...this.seen]
      .filter((id) => !this.before.has(id) && identity(Number(id.split(':')[0])) === id)
      .map((id) => Number(id.split(':')[0]));
  }
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
  descendants: Descendants,
): Promise<Leftovers> {
  const newUnheld = () => {
    const free = unheld(snapshotBpf());
    const newer = (kind: Kind) =>
      new Set([...free[kind]].filter((id) => id > baseline.maxId[kind]));
    return { prog: newer('prog'), map: newer('map'), link: newer('link') };
  };
  let left = newUnheld();
  // Unheld at every look, a second apart, for up to thirty seconds: RCU frees closed objects
  // meanwhile, and others' runs let go of theirs. A leak stays.
  for (let attempt = 0; attempt < 30; attempt++) {
    if (left.prog.size + left.map.size + left.link.size === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
    const again = newUnheld();
    const both = (kind: Kind) => new Set([...left[kind]].filter((id) => again[kind].has(id)));
    left = { prog: both('prog'), map: both('map'), link: both('link') };
  }
  // Processes just told to stop may take a moment to exit: up to ten seconds.
  const processes = () => [...new Set([...markedProcesses(mark), ...descendants.alive()])];
  let alive = processes();
  for (let attempt = 0; attempt < 20 && alive.length; attempt++) {
    await new Promise((r) => setTimeout(r, 500));
    alive = processes();
  }
  for (const pid of alive) console.log(`  left running: ${pid} ${commandLine(pid)}`);
  for (const kind of ['prog', 'map', 'link'] as Kind[])
    if (left[kind].size) console.log(`  left in the kernel: ${kind} ${[...left[kind]].join(', ')}`);
  return {
    bpfPrograms: left.prog.size,
    bpfLinks: left.link.size,
    bpfMaps: left.map.size,
    cgroups: countCgroups(cgroupPrefixes),
    processes: alive.length,
  };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').slice(0, 200);
  } catch {
    return '(gone)';
  }
}

export const totalLeftovers = (l: Leftovers) =>
  l.bpfPrograms + l.bpfLinks + l.bpfMaps + l.cgroups + l.processes;
