import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runObjectPath, sweepStaleRunObjects } from './run-object.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('run objects left in the temporary directory', () => {
  it('names each for the server that wrote it, never twice the same', () => {
    dir = mkdtempSync(join(tmpdir(), 'run-object-'));
    const a = runObjectPath(dir);
    expect(basename(a)).toMatch(
      new RegExp(`^ebpf-lab-run-p${process.pid}-[0-9a-f-]{36}\\.bpf\\.o$`),
    );
    expect(runObjectPath(dir)).not.toBe(a);
  });

  it('removes those of servers that are gone, and only those', () => {
    dir = mkdtempSync(join(tmpdir(), 'run-object-'));
    const mine = runObjectPath(dir);
    const uuid = '0b1e6c2a-51f7-4c0e-9d52-7f3c9a2e8d41';
    const gone = join(dir, `ebpf-lab-run-p${deadPid()}-${uuid}.bpf.o`);
    const other = join(dir, 'ebpf-lab-run-notes.txt');
    for (const f of [mine, gone, other]) writeFileSync(f, 'x');
    expect(sweepStaleRunObjects(dir)).toEqual([gone]);
    expect(existsSync(gone)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });
});
