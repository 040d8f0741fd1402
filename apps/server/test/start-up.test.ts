// What `npm start` says when it starts: where it listens, which mode the lab is in and why. The
// real entry point (`apps/server/src/main.ts`) in its own process group, its log read as JSON.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../../..');
const running: { child: ChildProcess; dataDir: string }[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Starts main.ts with `env` and collects its log lines until `done` says it has seen enough. */
async function startUpLog(
  env: Record<string, string>,
  done: (messages: string[]) => boolean,
): Promise<{ msg: string; level: number }[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lab-start-up-'));
  const {
    HOST: _host,
    LAB_PUBLIC_URL: _url,
    LAB_ALLOW_ANONYMOUS_RUNS: _anon,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: { ...inherited, LAB_DATA_DIR: dataDir, LOG_LEVEL: 'info', LAB_LSP_WARM: '0', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push({ child, dataDir });
  const lines: { msg: string; level: number }[] = [];
  let raw = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no start-up log within 90 s:\n${raw}`)),
      90_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
      const complete = raw.split('\n').slice(0, -1);
      lines.length = 0;
      for (const line of complete) {
        try {
          lines.push(JSON.parse(line) as { msg: string; level: number });
        } catch {
          // Not a log line.
        }
      }
      if (done(lines.map((l) => l.msg))) {
        clearTimeout(timer);
        resolve(lines);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${raw}`)));
  });
}

afterEach(async () => {
  for (const { child, dataDir } of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('the start-up log', () => {
  it('says the lab listens on loopback only, and why, when HOST is unset', async () => {
    const port = await freePort();
    const lines = await startUpLog({ PORT: String(port) }, (m) =>
      m.some((x) => x.startsWith('mode:')),
    );
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain(
      `eBPF Lab is serving on http://127.0.0.1:${port} and http://[::1]:${port}`,
    );
    expect(messages).toContain(
      'mode: loopback only (HOST is unset): only this machine can reach the lab, so signed-out runs are allowed',
    );
  }, 120_000);

  it('says an exposed lab refuses signed-out runs, and warns that LAB_PUBLIC_URL is unset', async () => {
    const port = await freePort();
    const lines = await startUpLog({ PORT: String(port), HOST: '0.0.0.0' }, (m) =>
      m.some((x) => x.startsWith('LAB_PUBLIC_URL is not set')),
    );
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain(`eBPF Lab is serving on http://0.0.0.0:${port}`);
    expect(messages.find((m) => m.startsWith('mode:'))).toMatch(
      /^mode: open to the network \(HOST=0\.0\.0\.0\): signed-out runs and editor assistance are refused/,
    );
    // pino's warn level
    expect(lines.find((l) => l.msg.startsWith('LAB_PUBLIC_URL is not set'))?.level).toBe(40);
  }, 120_000);
});
