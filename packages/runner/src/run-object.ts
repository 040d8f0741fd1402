// Where a run's object waits for the loader: one file in the temporary directory, named for the
// server process that wrote it. A server killed mid-run cannot remove it; the next one to start
// removes every such file whose server is gone, as it removes their runs' cgroups.
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './loader/cgroups.ts';

const NAME = /^ebpf-lab-run-p(\d+)-[0-9a-f-]{36}\.bpf\.o$/;

/** A fresh, unguessable path for this process's next run's object. */
export function runObjectPath(dir = tmpdir()): string {
  return join(dir, `ebpf-lab-run-p${process.pid}-${randomUUID()}.bpf.o`);
}

/** Removes the run objects of servers that are no longer running. Returns the paths removed. */
export function sweepStaleRunObjects(dir = tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = NAME.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}
