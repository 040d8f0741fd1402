// How many CPUs a per-CPU map keeps a value for: the kernel's "possible" CPUs, not the online
// ones (a per-CPU map allocates for every CPU that could ever come up).
import { readFileSync } from 'node:fs';

let cached: number | undefined;

/** Counts a sysfs CPU list such as `0-3,8-11`. */
export function countCpuList(list: string): number {
  let n = 0;
  for (const part of list.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}

export function possibleCpus(): number {
  cached ??= countCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
  return cached;
}
