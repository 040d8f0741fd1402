// Starts the real lab server (`npx tsx apps/server/src/main.ts`) on a random free port for a
// browser test, and stops its whole process group afterwards.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const webRoot = join(repoRoot, 'apps', 'web');
/** Screenshots the browser tests take, for a person to look at (gitignored). */
export const artifactsDir = join(repoRoot, 'artifacts');

export interface LabServer {
  url: string;
  port: number;
  /** The server's LAB_DATA_DIR (its SQLite store), for the admin CLI. */
  dataDir: string;
  /** The server's stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
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

let builtDir: string | null = null;

/** A private build's directory name: the test process's pid, then mkdtemp's letters. */
const BUILD_PREFIX = 'ebpf-lab-web-dist-p';

/**
 * The builds of test processes that are gone: their exit hook does not run when the test runner
 * ends its workers, and a build is ~5 MB.
 */
function removeBuildsOfDeadProcesses(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(BUILD_PREFIX)) continue;
    const pid = Number(name.slice(BUILD_PREFIX.length).split('-')[0]);
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH')
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/**
 * Builds the bundle once per test process into a private directory and serves that one: browser
 * tests of several checkouts may run at once, and a shared apps/web/dist being rebuilt under a running
 * server would pull its chunks away mid-test. The product build (`npm start`) still uses dist/.
 */
export function buildWeb(): string {
  if (builtDir) return builtDir;
  removeBuildsOfDeadProcesses();
  const out = mkdtempSync(join(tmpdir(), `${BUILD_PREFIX}${process.pid}-`));
  const result = spawnSync(
    'npx',
    ['vite', 'build', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'],
    {
      cwd: webRoot,
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`vite build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  builtDir = out;
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  return out;
}

/** Removes the private builds (the exit hook is a fallback: test workers may be killed). */
export function removeWebBuild(): void {
  if (builtDir) rmSync(builtDir, { recursive: true, force: true });
  builtDir = null;
}

export async function startLabServer(
  timeoutMs = 90_000,
  options: { webDir?: string; env?: Record<string, string> } = {},
): Promise<LabServer> {
  const webDir = options.webDir ?? builtDir;
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ebpf-lab-web-e2e-'));
  let log = '';
  const child: ChildProcess = spawn('npx', ['tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LAB_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...(webDir ? { LAB_WEB_DIST_DIR: webDir } : {}),
      ...options.env,
    },
    // Its own process group, so stopping it also stops tsx's child node process.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the lab server exited with ${child.exitCode} before answering:\n${log}`);
    }
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return { url, port, dataDir, output: () => log, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the lab server did not answer /api/health within ${timeoutMs} ms:\n${log}`);
}
