// Fair shares across web nodes: two web processes (main.ts) on one temporary PostgreSQL and one
// temporary Redis. No grader worker runs, so an accepted run stays queued in the shared queue
// until its socket cancels it: the client's active runs are exactly the ones it has not
// cancelled. A signed-out client spreading its runs over both nodes still gets one share.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@ebpf-lab/protocol';
import { freePort, startTemporaryPostgres } from '@ebpf-lab/store/testing';
import type { TemporaryPostgres } from '@ebpf-lab/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTemporaryRedis } from './temporary-redis.ts';
import type { TemporaryRedis } from './temporary-redis.ts';

const repoRoot = join(__dirname, '../../..');

let postgres: TemporaryPostgres;
let redis: TemporaryRedis;
let dataDir: string;
const children: { child: ChildProcess; log: () => string }[] = [];

async function startWeb(databaseUrl: string): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LAB_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LAB_DATABASE_URL: databaseUrl,
      LAB_REDIS_URL: redis.url,
      LAB_RUNS_ACTIVE_PER_CLIENT: '2',
      LAB_RUNS_PER_MINUTE_PER_ADDRESS: '3',
      LOG_LEVEL: 'warn',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  children.push({ child, log: () => log });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`web node exited (${child.exitCode}): ${log}`);
    const up = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return port;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`web node did not start: ${log}`);
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

/** One signed-out tab on one node, keeping every message. */
class Tab {
  readonly messages: ServerMessage[] = [];
  private waiters: (() => void)[] = [];
  private readonly ws: WebSocket;

  constructor(port: number) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async until<T>(find: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async ready(): Promise<void> {
    await this.until(() => this.messages.find((m) => m.type === 'hello'), 'hello');
  }

  /** Sends a run and returns its answer: `accepted`, or the `error` that refused it. */
  async run(requestId: string): Promise<ServerMessage> {
    this.ws.send(
      JSON.stringify({ type: 'run', requestId, exerciseId: 'platform-tour', code: 'int x;' }),
    );
    return this.until(
      () =>
        this.messages.find(
          (m) =>
            (m.type === 'accepted' && m.requestId === requestId) ||
            (m.type === 'error' && !('runId' in m && m.runId)),
        ),
      `the answer to ${requestId}`,
    ).then((answer) => {
      // An error answer is consumed, so the next run waits for its own.
      if (answer.type === 'error') this.messages.splice(this.messages.indexOf(answer), 1);
      return answer;
    });
  }

  /** Cancels an accepted run and waits until the node has ended it. */
  async cancel(runId: string): Promise<void> {
    this.ws.send(JSON.stringify({ type: 'cancel', runId }));
    await this.until(
      () =>
        this.messages.find(
          (m) => (m.type === 'error' || m.type === 'result') && 'runId' in m && m.runId === runId,
        ),
      `the end of ${runId}`,
    );
  }

  close(): void {
    this.ws.close();
  }
}

const accepted = (m: ServerMessage): string => {
  if (m.type !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(m)}`);
  return m.runId;
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lab-shared-limits-'));
  [postgres, redis] = await Promise.all([startTemporaryPostgres(), startTemporaryRedis()]);
});

afterAll(async () => {
  await Promise.all(children.splice(0).map((c) => killGroup(c.child)));
  await redis?.stop();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('fair shares across two web nodes', () => {
  it("holds a signed-out client's active and per-minute limits over both nodes", async () => {
    const databaseUrl = await postgres.newDatabase();
    const [portA, portB] = await Promise.all([startWeb(databaseUrl), startWeb(databaseUrl)]);
    const a = new Tab(portA);
    const b = new Tab(portB);
    await Promise.all([a.ready(), b.ready()]);

    // Two queued runs, one on each node, are the client's whole active share on both.
    const first = accepted(await a.run('a1'));
    accepted(await b.run('b1'));
    for (const [tab, id] of [
      [a, 'a2'],
      [b, 'b2'],
    ] as const) {
      expect(await tab.run(id)).toMatchObject({
        type: 'error',
        code: 'rate-limited',
        message: expect.stringMatching(/already have 2 runs queued or running/),
      });
    }

    // Cancelling one frees a share on the other node: the third run of the minute.
    await a.cancel(first);
    const third = accepted(await b.run('b3'));
    await b.cancel(third);

    // Only one run is active now, but three started within the minute, over both nodes.
    for (const [tab, id] of [
      [a, 'a4'],
      [b, 'b4'],
    ] as const) {
      expect(await tab.run(id)).toMatchObject({
        type: 'error',
        code: 'rate-limited',
        message: expect.stringMatching(/at most 3 runs per minute from one address/),
      });
    }
    a.close();
    b.close();
  }, 180_000);
});
