// Killing the server (SIGKILL) during a run loses no stored submission: the real server
// (`apps/server/src/main.ts`) is killed right after it accepted a run, then started again on
// the same data directory, where the run shows as interrupted, code intact.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@ebpf-lab/protocol';
import { openSqliteStore } from '@ebpf-lab/store';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const repoRoot = join(__dirname, '../../..');
let dataDir = '';
const children: ChildProcess[] = [];

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

/** Starts main.ts in its own process group and waits for /api/health. */
async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LAB_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${log}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      // Not yet listening.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start: ${log}`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
  return exited;
}

afterEach(async () => {
  for (const c of children.splice(0)) await killGroup(c, 'SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a killed server', () => {
  it('keeps the run it accepted and shows it as interrupted after a restart', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lab-kill-'));
    const port = await freePort();
    const first = await startServer(port);
    const code = '#include "lab.h"\n// killed mid-run\n';

    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    ws.on('error', () => {});
    const runId = await new Promise<string>((resolve, reject) => {
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.type === 'hello') {
          ws.send(
            JSON.stringify({ type: 'run', requestId: 'k', exerciseId: 'read-file-password', code }),
          );
        }
        if (m.type === 'accepted') resolve(m.runId);
        if (m.type === 'error') reject(new Error(m.message));
      });
    });
    // SIGKILL the moment the run is accepted: compiling alone takes tens of milliseconds.
    await killGroup(first, 'SIGKILL');

    const killed = openSqliteStore(join(dataDir, 'lab.sqlite'));
    const before = await killed.getRun(runId);
    await killed.close();
    expect(before?.code).toBe(code);
    expect(['queued', 'running']).toContain(before?.state);

    const second = await startServer(port);
    const store = openSqliteStore(join(dataDir, 'lab.sqlite'));
    const after = await store.getRun(runId);
    await store.close();
    expect(after).toMatchObject({ state: 'interrupted', code, exerciseId: 'read-file-password' });
    await killGroup(second, 'SIGTERM');
  }, 240_000);
});
