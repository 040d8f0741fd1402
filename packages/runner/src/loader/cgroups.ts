// The runs' cgroups, seen from the runner: where they live, and removing what a killed loader
// left behind. The loader creates and removes them itself on a normal run.
//
// This machine is hybrid (cgroup2 at /sys/fs/cgroup/unified without the memory and pids
// controllers, v1 hierarchies for those), elsewhere cgroup2 sits at /sys/fs/cgroup: the mounts
// come from /proc/mounts, never from a fixed path.
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { paths } from '../paths.ts';

export interface CgroupMounts {
  v2: string;
  memory?: string;
  pids?: string;
}

/** This host's, read once: cgroup hierarchies are mounted at boot and stay where they are. */
let hostMounts: CgroupMounts | undefined;

/** Where the cgroup hierarchies are mounted: this host's, or those of a /proc/mounts text. */
export function findCgroupMounts(mountsText?: string): CgroupMounts {
  if (mountsText !== undefined) return parseCgroupMounts(mountsText);
  hostMounts ??= parseCgroupMounts(readFileSync('/proc/mounts', 'utf8'));
  return hostMounts;
}

function parseCgroupMounts(mountsText: string): CgroupMounts {
  let v2: string | undefined;
  let memory: string | undefined;
  let pids: string | undefined;
  for (const line of mountsText.split('\n')) {
    const [, dir, type, opts] = line.split(' ');
    if (!dir || !type) continue;
    const options = (opts ?? '').split(',');
    if (type === 'cgroup2') v2 ??= dir;
    else if (type === 'cgroup' && options.includes('memory')) memory ??= dir;
    else if (type === 'cgroup' && options.includes('pids')) pids ??= dir;
  }
  if (!v2) throw new Error('no cgroup2 mount in /proc/mounts');
  return { v2, memory, pids };
}

/**
 * The owner's pid is part of the name, so a server sweeping at start-up removes only what dead
 * servers left and never a concurrent server's live run.
 */
export function cgroupForRun(runId: string, mounts = findCgroupMounts()): string {
  const safe = runId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return join(mounts.v2, paths.cgroupParentName, `p${process.pid}-${safe}`);
}

function readEvents(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'cgroup.events'), 'utf8');
  } catch {
    return undefined;
  }
}

async function rmdirRetry(dir: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw e;
      await sleep(20);
    }
  }
  rmdirSync(dir);
}

/**
 * Kills every process in a run's cgroup (v2 `cgroup.kill`), waits until it is empty and removes
 * it, with its v1 memory and pids counterparts. Harmless when they are already gone.
 */
export async function removeRunCgroup(cgroup: string, mounts = findCgroupMounts()): Promise<void> {
  if (existsSync(cgroup)) {
    try {
      writeFileSync(join(cgroup, 'cgroup.kill'), '1');
    } catch {
      // gone meanwhile
    }
    for (let i = 0; i < 100; i++) {
      const events = readEvents(cgroup);
      if (events === undefined || events.includes('populated 0')) break;
      await sleep(10);
    }
    await rmdirRetry(cgroup);
  }
  const rel = relative(mounts.v2, cgroup);
  for (const root of [mounts.memory, mounts.pids]) {
    if (root && !rel.startsWith('..')) await rmdirRetry(join(root, rel));
  }
}

/** True while a process with this pid exists (ours to signal or not). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes run cgroups whose owning server is dead. Returns the paths removed. */
export async function sweepStaleCgroups(mounts = findCgroupMounts()): Promise<string[]> {
  const removed: string[] = [];
  const names = new Set<string>();
  for (const root of [mounts.v2, mounts.memory, mounts.pids]) {
    if (!root) continue;
    try {
      for (const name of readdirSync(join(root, paths.cgroupParentName))) names.add(name);
    } catch {
      // no parent yet
    }
  }
  for (const name of names) {
    const m = /^p(\d+)-/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const cgroup = join(mounts.v2, paths.cgroupParentName, name);
    await removeRunCgroup(cgroup, mounts);
    removed.push(cgroup);
  }
  return removed;
}
