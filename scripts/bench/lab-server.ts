// The real lab server, started by the bench as `npm start` runs it (apps/server/src/main.ts, the
// built bundle in apps/web/dist), on a free loopback port with a data directory of its own.
//
// Fifty bench clients connect from one address, signed out, which the lab's per-address shares
// would refuse (16 sockets, 3 runs in progress, 20 runs a minute). The bench raises exactly those
// through their ordinary settings (README, Configuration), as a classroom behind one address
// would, and nothing else: the server is reachable from this machine only.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import { findCgroupMounts } from '../../packages/runner/src/loader/index.ts';
import { waitUntilQuiet } from './quiet.ts';

export interface BenchServer {
  url: string;
  /** The server process (its run cgroups are named `p<pid>-…`). */
  pid: number;
  /** What it printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The per-address shares raised so `clients` signed-out clients on loopback all get in. */
export function classroomEnv(clients: number): Record<string, string> {
  return {
    LAB_SOCKETS_PER_ADDRESS: String(clients * 2),
    LAB_RUNS_ACTIVE_PER_CLIENT: '100',
    LAB_RUNS_PER_MINUTE_PER_ADDRESS: '10000',
  };
}

/** The server's runs still cleaning up: their cgroups (`p<pid>-…`) are still there. */
function runsCleaningUp(pid: number): number {
  const v2 = findCgroupMounts().v2;
  const parent = v2 && join(v2, paths.cgroupParentName);
  if (!parent || !existsSync(parent)) return 0;
  return readdirSync(parent).filter((name) => name.startsWith(`p${pid}-`)).length;
}

export async function startBenchServer(
  clients: number,
  options: { env?: Record<string, string>; startTimeoutMs?: number } = {},
): Promise<BenchServer> {
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ebpf-lab-bench-'));
  let log = '';
  // node itself, not npx or tsx's wrapper, so `pid` is the server's own.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join('apps', 'server', 'src', 'main.ts')],
    {
      cwd: paths.repoRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LAB_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...classroomEnv(clients),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 64 * 1024) log = log.slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // A result goes out before its loader has detached and removed the run's cgroup, and the
      // server does not wait for that when it is stopped (its next start sweeps what is left).
      // Stopped right after the last result, it would leave that run's cgroup: wait for the
      // clean-up first, so the leftovers counted afterwards are leaks, not this race.
      const deadline = Date.now() + 30_000;
      while (child.pid && runsCleaningUp(child.pid) > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the lab server exited with ${child.exitCode} before answering:\n${log}`);
    }
    try {
      const health = (await (await fetch(`${url}/api/health`)).json()) as { status?: string };
      // `starting` until its first self-check: a run before it would compete with that check.
      if (health.status === 'ok') {
        // What it still does after its first self-check (a spare clangd parsing its headers, the
        // compile server's workers warming up) is not the work of the runs about to be measured.
        if (!(await waitUntilQuiet(child.pid!)))
          console.error('bench: the lab server did not go quiet within 60 s of starting');
        return { url, pid: child.pid!, output: () => log, stop };
      }
      if (health.status === 'degraded') {
        await stop();
        throw new Error(`the lab server is degraded: ${JSON.stringify(health)}`);
      }
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('the lab server')) throw e;
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the lab server was not healthy within ${startTimeoutMs / 1000} s:\n${log}`);
}
