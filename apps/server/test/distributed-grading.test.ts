// Department set-up end to end, on the real kernel: two web processes (main.ts) and two grader
// worker processes (worker-main.ts) share a temporary PostgreSQL and a temporary Redis. 50 runs of
// correct solutions arrive over WebSockets spread across both web nodes; one worker is killed
// (its whole process group, as a dying container would be) once half have been answered.
// Every run must end in a verdict or "interrupted", answered on the socket that asked.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult, ServerMessage } from '@ebpf-lab/protocol';
import { sweepStaleCgroups } from '@ebpf-lab/runner';
import { openStore } from '@ebpf-lab/store';
import { freePort, startTemporaryPostgres } from '@ebpf-lab/store/testing';
import type { TemporaryPostgres } from '@ebpf-lab/store/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { QUEUE_NAME } from '../src/distributed/channels.ts';
import { startTemporaryRedis } from './temporary-redis.ts';
import type { TemporaryRedis } from './temporary-redis.ts';

const repoRoot = join(__dirname, '../../..');
const RUNS = 50;
const solution = (id: string) =>
  readFileSync(join(repoRoot, 'bpf-templates', id, 'solution.bpf.c'), 'utf8');
const EXERCISES = ['read-file-password', 'platform-tour'];

let postgres: TemporaryPostgres;
let redis: TemporaryRedis;
let databaseUrl: string;
let dataDir: string;
const children: { child: ChildProcess; log: () => string }[] = [];

function spawnLab(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env: { ...process.env, LAB_DATA_DIR: dataDir, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const entry = { child, log: () => log };
  children.push(entry);
  return entry;
}

async function waitFor(
  what: string,
  ready: () => Promise<boolean>,
  entry: { child: ChildProcess; log: () => string },
) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (entry.child.exitCode !== null)
      throw new Error(`${what} exited (${entry.child.exitCode}): ${entry.log()}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not start: ${entry.log()}`);
}

async function startWeb(): Promise<number> {
  const port = await freePort();
  const web = spawnLab('apps/server/src/main.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    LAB_DATABASE_URL: databaseUrl,
    LAB_REDIS_URL: redis.url,
    // Every tab is the same signed-out address, counted over both nodes: room for all 50 runs.
    LAB_RUNS_ACTIVE_PER_CLIENT: String(RUNS),
    LAB_RUNS_PER_MINUTE_PER_ADDRESS: String(RUNS),
    LOG_LEVEL: 'warn',
  });
  await waitFor(
    'web node',
    async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok,
    web,
  );
  return port;
}

async function startWorker(name: string) {
  const worker = spawnLab('apps/server/src/worker-main.ts', {
    LAB_REDIS_URL: redis.url,
    LAB_WORKER_NAME: name,
    LAB_RUN_CONCURRENCY: '2',
    LAB_WORKER_LOCK_MS: '3000',
    LOG_LEVEL: 'info',
  });
  await waitFor('worker', async () => worker.log().includes('grader worker ready'), worker);
  return worker;
}

function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  return exited;
}

interface Outcome {
  runId: string;
  exerciseId: string;
  result?: RunResult;
  interrupted?: string;
}

/** One browser tab: sends two runs and collects what comes back for them. */
function tab(
  port: number,
  n: number,
  onDone: () => void,
): Promise<{ outcomes: Outcome[]; strays: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const requested = new Map<string, string>();
  const outcomes = new Map<string, Outcome>();
  const strays: string[] = [];
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      if (m.type === 'hello') {
        for (const i of [0, 1]) {
          const exerciseId = EXERCISES[(n + i) % EXERCISES.length];
          const requestId = `tab${n}-${i}`;
          requested.set(requestId, exerciseId);
          ws.send(
            JSON.stringify({ type: 'run', requestId, exerciseId, code: solution(exerciseId) }),
          );
        }
        return;
      }
      if (m.type === 'accepted') {
        outcomes.set(m.runId, { runId: m.runId, exerciseId: requested.get(m.requestId) ?? '?' });
        return;
      }
      const runId = 'runId' in m ? m.runId : undefined;
      if (m.type === 'error' && !runId) return reject(new Error(`tab ${n}: ${m.message}`));
      if (!runId) return;
      const outcome = outcomes.get(runId);
      if (!outcome) return void strays.push(runId);
      if (m.type === 'result') outcome.result = m.result;
      else if (m.type === 'error') outcome.interrupted = m.message;
      else return;
      onDone();
      if ([...outcomes.values()].filter((o) => o.result || o.interrupted).length === 2) {
        ws.close();
        resolve({ outcomes: [...outcomes.values()], strays });
      }
    });
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lab-distributed-'));
  [postgres, redis] = await Promise.all([startTemporaryPostgres(), startTemporaryRedis()]);
  databaseUrl = await postgres.newDatabase();
});

afterAll(async () => {
  await Promise.all(children.splice(0).map((c) => killGroup(c.child)));
  // The killed worker could not remove its runs' cgroups; their owner is dead now.
  await sweepStaleCgroups();
  await redis?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('distributed grading across two web nodes and two grader workers', () => {
  it('answers 50 runs on the sockets that asked, spread over both workers, through a worker dying', async () => {
    const workerA = await startWorker('worker-a');
    await startWorker('worker-b');
    const ports = [await startWeb(), await startWeb()];

    let answered = 0;
    let killed: Promise<void> | undefined;
    const onDone = () => {
      answered++;
      if (answered === RUNS / 2) killed = killGroup(workerA.child);
    };
    const tabs = await Promise.all(
      Array.from({ length: RUNS / 2 }, (_, n) => tab(ports[n % 2], n, onDone)),
    );
    await killed;

    const outcomes = tabs.flatMap((t) => t.outcomes);
    expect(tabs.flatMap((t) => t.strays)).toEqual([]);
    expect(outcomes).toHaveLength(RUNS);
    expect(new Set(outcomes.map((o) => o.runId)).size).toBe(RUNS);
    for (const o of outcomes) {
      if (o.interrupted) continue;
      expect(o.result).toMatchObject({ runId: o.runId, exerciseId: o.exerciseId, status: 'pass' });
      expect(o.result?.versions.kernel).toContain(release());
    }
    const interrupted = outcomes.filter((o) => o.interrupted);
    console.log(`${RUNS - interrupted.length} verdicts, ${interrupted.length} interrupted`);

    const queue = new Queue(QUEUE_NAME, { connection: { url: redis.url } });
    const jobs = await Promise.all(
      outcomes.filter((o) => o.result).map((o) => queue.getJob(o.runId)),
    );
    await queue.close();
    const perWorker: Record<string, number> = {};
    for (const job of jobs)
      perWorker[job?.processedBy ?? 'unknown'] =
        (perWorker[job?.processedBy ?? 'unknown'] ?? 0) + 1;
    // A run the dead worker held was taken again by the other one (attempt 2) or interrupted.
    const retried = jobs.filter((job) => (job?.attemptsStarted ?? 0) > 1).length;
    console.log('runs per worker:', perWorker, `retried after the kill: ${retried}`);
    expect(Object.keys(perWorker).sort()).toEqual(['worker-a', 'worker-b']);
    expect(retried + interrupted.length).toBeGreaterThan(0);

    const { store } = await openStore(dataDir, { databaseUrl, interruptUnfinished: false });
    const stored = await store.listRuns({});
    await store.close();
    expect(stored).toHaveLength(RUNS);
    for (const run of stored) {
      const outcome = outcomes.find((o) => o.runId === run.id);
      expect(run.state).toBe(outcome?.interrupted ? 'interrupted' : 'finished');
    }
  }, 300_000);
});
