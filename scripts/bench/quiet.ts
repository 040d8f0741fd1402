// Waits until a process and everything under it have gone quiet. A freshly started lab server
// keeps working for seconds after it says it is healthy: its spare clangd parses lab.h and
// vmlinux.h (~2.4 s of CPU here) and the compile server warms its workers. A load section that
// starts at once measures that work as the runs' own; a class meets a server started long before.
import { descendsFrom, processTable } from './processes.ts';

/** CPU used so far by `root` and every live process under it, in ms. */
export function cpuOfTree(root: number): number {
  const table = processTable();
  let total = 0;
  for (const [pid, p] of table)
    if (pid === root || descendsFrom(pid, root, table)) total += p.cpuMs;
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
