// The compile server writes nothing on the host: its socket lives in a tmpfs of its sandbox's
// own, reached from outside through /proc. So a killed process that started it (a test worker,
// a crashed lab) leaves no directory in /tmp, and the sandbox goes with it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paths } from '../src/paths.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'compile-server', 'start-and-wait.ts');

async function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the compile server on the host', () => {
  it(
    'leaves nothing behind when the process that started it is SIGKILLed',
    { timeout: 120_000 },
    async () => {
      const before = new Set(readdirSync(tmpdir()));
      // Node itself with tsx's loader (not the tsx wrapper): the killed process is the one that
      // started the server.
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        cwd: paths.repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(
        'the server to start',
        () => /^ready /m.test(out) || child.exitCode !== null,
        90_000,
      );
      const [, pidText, objectBytes] = /^ready (\d+) (-?\d+)$/m.exec(out) ?? [];
      expect(Number(objectBytes)).toBeGreaterThan(0);
      const sandbox = Number(pidText);
      const inside = readFileSync(`/proc/${sandbox}/task/${sandbox}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .map(Number);
      expect(inside.length).toBeGreaterThan(0);

      // Nothing of the host is writable in its sandbox; the socket's tmpfs is its own.
      const args = readFileSync(`/proc/${sandbox}/cmdline`, 'utf8').split('\0');
      expect(args).not.toContain('--bind');
      const tmpfs = args.flatMap((a, i) => (a === '--tmpfs' ? [args[i + 1]] : []));
      expect(tmpfs).toContain('/compile-socket');

      child.kill('SIGKILL');
      await waitFor('the sandbox to go', () =>
        [sandbox, ...inside].every((pid) => !existsSync(`/proc/${pid}`)),
      );
      const added = readdirSync(tmpdir()).filter(
        (name) => !before.has(name) && name.startsWith('ebpf-lab-compile'),
      );
      expect(added).toEqual([]);
    },
  );
});
