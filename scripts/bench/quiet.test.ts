import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuOfTree, waitUntilQuiet } from './quiet.ts';

// A child that spins for `cpuMs` of its own CPU (not of the clock, so a loaded machine only makes
// it take longer), says so, then sleeps.
const BURN = `
  const until = Number(process.argv[1]) * 1000;
  while (process.cpuUsage().user < until);
  process.stdout.write('done\\n');
  setTimeout(() => {}, 600000);
`;

let children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children = [];
});

function burner(cpuMs: number): { child: ChildProcess; done: () => boolean } {
  // Under a parent process of its own, so the tree has a level between the root and the burner.
  const child = spawn('sh', ['-c', `exec "$0" -e "$1" ${cpuMs}`, process.execPath, BURN], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let done = false;
  child.stdout!.on('data', (d: Buffer) => {
    if (d.toString().includes('done')) done = true;
  });
  return { child, done: () => done };
}

describe('waitUntilQuiet', () => {
  it('waits while a process works and resolves once it went quiet', async () => {
    const b = burner(600);
    // A spinning process gets at least 1% of a core even on a machine loaded far past its cores.
    const quiet = await waitUntilQuiet(b.child.pid!, {
      share: 0.01,
      windowMs: 300,
      maxMs: 120_000,
    });
    expect(quiet).toBe(true);
    expect(b.done()).toBe(true);
    expect(cpuOfTree(b.child.pid!)).toBeGreaterThanOrEqual(600);
  });

  it('says so when a process never goes quiet', async () => {
    const b = burner(600_000);
    expect(await waitUntilQuiet(b.child.pid!, { share: 0.01, windowMs: 500, maxMs: 2000 })).toBe(
      false,
    );
  });
});
