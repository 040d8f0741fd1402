// The machine's processes as /proc shows them: what the bench needs to find what runs under it.
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds of CPU a Linux clock tick stands for (USER_HZ is 100 on every kernel we run). */
const TICK_MS = 10;

export interface ProcessInfo {
  ppid: number;
  /** When it started, in clock ticks since boot: with the pid, names it (a pid alone is reused). */
  startTime: string;
  /** Its own CPU and that of its children it has waited for, in ms. */
  cpuMs: number;
  /** Its own CPU alone (all its threads), in ms. */
  ownCpuMs: number;
}

/** One process's line of /proc/PID/stat, or null when it is gone. */
export function processInfo(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name, in parentheses, may hold spaces: fields count from after it.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      startTime: f[19],
      cpuMs: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS,
      ownCpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
    };
  } catch {
    return null;
  }
}

/** Every live process, by pid. */
export function processTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = processInfo(Number(name));
    if (p) table.set(Number(name), p);
  }
  return table;
}

/** Whether `pid` is a child, grandchild, … of `root` in `table` (not `root` itself). */
export function descendsFrom(pid: number, root: number, table: Map<number, ProcessInfo>): boolean {
  for (let up = table.get(pid)?.ppid; up !== undefined && up > 1; up = table.get(up)?.ppid)
    if (up === root) return true;
  return false;
}
