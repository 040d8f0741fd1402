// Waits until a process and everything under it have gone quiet. A freshly started lab server
// keeps working for seconds after it says it is healthy: its spare clangd parses lab.h and
// vmlinux.h (~2.4 s of CPU here) and the compile server warms its workers. A load section that
// starts at once measures that work as the runs' own; a class meets a server started long before.
import { readdirSync, readFileSync } from 'node:fs';

/** Milliseconds of CPU a Linux clock tick stands for (USER_HZ is 100 on every kernel we run). */
const TICK_MS = 10;

interface Stat {
  ppid: number;
  /** Its own CPU and that of its children it has waited for, in ms. */
  cpuMs: number;
}

function statOf(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces and parentheses.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      cpuMs: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** CPU used so far by `root` and every live process under it, in ms. */
export function cpuOfTree(root: number): number {
  const stats = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = statOf(Number(name));
    if (s) stats.set(Number(name), s);
  }
  let total = 0;
  for (const [pid, s] of stats) {
    for (let up: number | undefined = pid; up !== undefined && up > 1; up = stats.get(up)?.ppid) {
      if (up === root) {
        total += s.cpuMs;
        break;
      }
    }
  }
  return total;
}

export interface QuietOptions {
  /** Quiet: less than this share of one core over `windowMs` (default 0.05). */
  share?: number;
  windowMs?: number;
  /** Gives up after this long, saying so (default 60 s). */
  maxMs?: number;
}

/** Resolves true once the tree was quiet for a whole window, false if it never was by `maxMs`. */
export async function waitUntilQuiet(root: number, options: QuietOptions = {}): Promise<boolean> {
  const { share = 0.05, windowMs = 1000, maxMs = 60_000 } = options;
  const deadline = performance.now() + maxMs;
  let before = cpuOfTree(root);
  let since = performance.now();
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = cpuOfTree(root);
    const elapsed = performance.now() - since;
    // A child that exits between two looks takes its CPU with it: a drop is not quiet either.
    if (now >= before && now - before < share * elapsed) return true;
    before = now;
    since = performance.now();
  }
  return false;
}
