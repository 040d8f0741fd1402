// The lab on a network: where it listens by default, what an exposed lab lets signed-out
// visitors do, which pages may open its WebSockets, and the fair shares of sockets and runs per
// client. The real server in-process, with accounts over a temporary store and a runner that
// stands in for the kernel (these tests are about the server, not about BPF).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@ebpf-lab/protocol';
import type { LabRunner } from '@ebpf-lab/runner';
import { openStore } from '@ebpf-lab/store';
import type { Store } from '@ebpf-lab/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ConfigInput } from '../src/config.ts';
import { createAccounts, hashPassword } from '../src/routes/auth/index.ts';
import type { LabServer } from '../src/server.ts';
import { Client, fakeResult } from './auth-harness.ts';
import { startTestServer } from './test-server.ts';

/** A runner whose runs finish only when the test says so: runs stay "queued or running". */
class GatedRunner implements LabRunner {
  private gates: (() => void)[] = [];
  async run(request: { runId: string; exerciseId: string; code: string }) {
    await new Promise<void>((resolve) => this.gates.push(resolve));
    return fakeResult(request.runId, request.exerciseId, request.code.includes('solved'));
  }
  openAll(): void {
    for (const open of this.gates.splice(0)) open();
  }
}

let dir: string;
let store: Store;
const servers: LabServer[] = [];
const runner = new GatedRunner();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-network-'));
  store = (await openStore(dir)).store;
  const passwordHash = await hashPassword('student-pass');
  for (const name of ['ana', 'ben']) {
    await store.createUser({ email: `${name}@lab.org`, name, role: 'student', passwordHash });
  }
});

afterEach(async () => {
  runner.openAll();
  for (const s of servers.splice(0)) await s.close();
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(overrides: Partial<ConfigInput>): Promise<LabServer> {
  const server = await startTestServer({
    dir,
    runner,
    // Where the lab listens by default is one of the things tested here: no loopback pin. No
    // spare clangd: these servers only refuse /lsp.
    config: { host: undefined, lspWarmSessions: 0, ...overrides },
    queue: { concurrency: 8, jobTimeoutMs: 20_000, maxQueued: 100 },
    accounts: createAccounts({ store }),
  });
  servers.push(server);
  return server;
}

/** The session cookie of a signed-in student, as a browser would send it on the upgrade. */
async function signIn(server: LabServer, name: string): Promise<string> {
  const client = new Client(server.url);
  const res = await client.login(`${name}@lab.org`, 'student-pass');
  expect(res.status).toBe(200);
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** A /ws connection that keeps every message, as the page's socket does. */
class Socket {
  readonly messages: ServerMessage[] = [];
  closed?: { code: number; reason: string };
  refused?: number;
  private waiters: (() => void)[] = [];

  constructor(
    readonly ws: WebSocket,
    private readonly label: string,
  ) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('unexpected-response', (_req, res) => {
      this.refused = res.statusCode;
      this.closed = { code: 0, reason: `HTTP ${res.statusCode}` };
      ws.terminate();
      this.wake();
    });
    ws.on('error', () => this.wake());
  }

  static open(
    server: LabServer,
    path: '/ws' | '/lsp' | string,
    headers: Record<string, string> = {},
  ): Socket {
    return new Socket(new WebSocket(server.url.replace(/^http/, 'ws') + path, { headers }), path);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.label}: timed out waiting for ${what}; got ${JSON.stringify(this.messages)} closed ${JSON.stringify(this.closed)}`,
        );
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** `hello` when the server took the socket, else how it was refused or closed. */
  async settled(): Promise<'hello' | 'refused'> {
    return this.until(() => {
      if (this.messages.some((m) => m.type === 'hello')) return 'hello' as const;
      if (this.closed) return 'refused' as const;
      return undefined;
    }, 'hello or a refusal');
  }

  run(code = 'int x;'): void {
    this.ws.send(JSON.stringify({ type: 'run', requestId: 'r', exerciseId: 'ex-one', code }));
  }

  /** The answer to the latest run: `accepted` or the `error` that refused it. */
  async answer(after: number): Promise<ServerMessage> {
    return this.until(
      () => this.messages.slice(after).find((m) => m.type === 'accepted' || m.type === 'error'),
      'accepted or error',
    );
  }

  close(): void {
    this.ws.close();
  }
}

async function runOnce(socket: Socket, code?: string): Promise<ServerMessage> {
  const before = socket.messages.length;
  socket.run(code);
  return socket.answer(before);
}

/** Resolves true when a TCP connection to host:port is accepted, false when refused. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('where the lab listens', () => {
  it('listens on loopback only when HOST is unset, and says it is in loopback mode', async () => {
    const server = await start({});
    expect(server.mode).toMatchObject({ exposed: false, anonymousRuns: true });
    expect(server.mode.summary).toMatch(/^loopback only \(HOST is unset\)/);
    const hosts = server.urls.map((u) => new URL(u).hostname);
    expect(hosts[0]).toBe('127.0.0.1');
    expect(hosts.every((h) => h === '127.0.0.1' || h === '[::1]')).toBe(true);
    expect(await reachable('127.0.0.1', server.port)).toBe(true);
    if (hosts.includes('[::1]')) expect(await reachable('::1', server.port)).toBe(true);
    // The machine's own non-loopback addresses do not answer.
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && !a.address.startsWith('fe80'));
    expect(others.length, 'this test needs one non-loopback address').toBeGreaterThan(0);
    for (const a of others) expect(await reachable(a!.address, server.port)).toBe(false);
  });

  it('runs signed-out work on a loopback lab', async () => {
    const server = await start({});
    const socket = Socket.open(server, '/ws');
    expect(await socket.settled()).toBe('hello');
    expect(await runOnce(socket)).toMatchObject({ type: 'accepted' });
    socket.close();
  });
});

describe('a lab open to the network (HOST=0.0.0.0)', () => {
  it('refuses signed-out runs with a message that says to sign in, and runs signed-in ones', async () => {
    const server = await start({ host: '0.0.0.0' });
    expect(server.mode).toMatchObject({ exposed: true, anonymousRuns: false });
    expect(server.mode.summary).toMatch(/signed-out runs and editor assistance are refused/);
    expect(server.mode.warnings.join(' ')).toMatch(/LAB_PUBLIC_URL is not set/);

    const visitor = Socket.open(server, '/ws');
    expect(await visitor.settled()).toBe('hello');
    const refused = await runOnce(visitor);
    expect(refused).toMatchObject({ type: 'error', code: 'sign-in-required' });
    expect(refused.type === 'error' && refused.message).toMatch(
      /open to the network, so only signed-in students may run programs: sign in/,
    );

    const ana = Socket.open(server, '/ws', { cookie: await signIn(server, 'ana') });
    expect(await ana.settled()).toBe('hello');
    const accepted = await runOnce(ana, 'int solved;');
    expect(accepted).toMatchObject({ type: 'accepted' });
    runner.openAll();
    const result = await ana.until(() => ana.messages.find((m) => m.type === 'result'), 'result');
    expect(result.type === 'result' && result.result.status).toBe('pass');
    visitor.close();
    ana.close();
  });

  it('runs signed-out work when the operator sets LAB_ALLOW_ANONYMOUS_RUNS', async () => {
    const server = await start({ host: '0.0.0.0', allowAnonymousRuns: '1' });
    expect(server.mode).toMatchObject({ exposed: true, anonymousRuns: true });
    expect(server.mode.summary).toMatch(/anyone who can reach this port can load programs/);
    const visitor = Socket.open(server, '/ws');
    expect(await visitor.settled()).toBe('hello');
    expect(await runOnce(visitor)).toMatchObject({ type: 'accepted' });
    visitor.close();
  });

  it('refuses /lsp to a signed-out visitor, naming why, and gives a signed-in student clangd', async () => {
    const server = await start({ host: '0.0.0.0' });
    const visitor = Socket.open(server, '/lsp');
    await visitor.until(() => visitor.closed, 'the close');
    expect(visitor.closed).toEqual({
      code: 4005,
      reason: 'sign in to get editor assistance on this lab',
    });
    // The session cookie on the upgrade is the page's session: clangd answers.
    const ws = new WebSocket(server.url.replace(/^http/, 'ws') + '/lsp', {
      headers: { cookie: await signIn(server, 'ana') },
    });
    const answer = new Promise<{ id?: number; result?: unknown }>((resolve, reject) => {
      ws.on('message', (data) => resolve(JSON.parse(data.toString()) as { id?: number }));
      ws.on('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } }),
    );
    expect(await answer).toMatchObject({ id: 1, result: { capabilities: expect.any(Object) } });
    ws.close();
  }, 120_000);
});

describe('which pages may open the WebSockets', () => {
  it('refuses a foreign Origin on /ws and on /lsp, and takes a loopback page', async () => {
    const server = await start({});
    for (const path of ['/ws', '/lsp']) {
      const foreign = Socket.open(server, path, { origin: 'http://evil.example' });
      await foreign.until(() => foreign.closed, `${path} refused`);
      expect(foreign.refused, path).toBe(403);
    }
    // A DNS-rebinding page reaches the loopback address under a foreign name: still foreign.
    const rebound = Socket.open(server, '/ws', {
      origin: `http://attacker.example:${server.port}`,
    });
    await rebound.until(() => rebound.closed, 'refused');
    expect(rebound.refused).toBe(403);
    const page = Socket.open(server, '/ws', { origin: `http://localhost:${server.port}` });
    expect(await page.settled()).toBe('hello');
    const dev = Socket.open(server, '/ws', { origin: 'http://127.0.0.1:5173' });
    expect(await dev.settled()).toBe('hello');
    page.close();
    dev.close();
  });

  it('with LAB_PUBLIC_URL, takes only pages from that origin', async () => {
    const server = await start({ publicUrl: 'https://lab.example.org' });
    const page = Socket.open(server, '/ws', { origin: 'https://lab.example.org' });
    expect(await page.settled()).toBe('hello');
    for (const origin of ['http://lab.example.org', `http://127.0.0.1:${server.port}`]) {
      const other = Socket.open(server, '/ws', { origin });
      await other.until(() => other.closed, 'refused');
      expect(other.refused, origin).toBe(403);
    }
    const lsp = Socket.open(server, '/lsp', { origin: 'https://evil.example' });
    await lsp.until(() => lsp.closed, 'refused');
    expect(lsp.refused).toBe(403);
    page.close();
  });

  it('answers an unknown WebSocket path with 404', async () => {
    const server = await start({});
    const socket = Socket.open(server, '/elsewhere');
    await socket.until(() => socket.closed, 'refused');
    expect(socket.refused).toBe(404);
  });
});

describe('fair shares', () => {
  it('caps one signed-out client opening many sockets, and its runs, whatever the sockets', async () => {
    const server = await start({});
    const sockets = Array.from({ length: 30 }, () => Socket.open(server, '/ws'));
    const outcomes = await Promise.all(sockets.map((s) => s.settled()));
    const open = sockets.filter((_, i) => outcomes[i] === 'hello');
    expect(open).toHaveLength(16);
    const refused = sockets.find((s) => s.closed?.code === 1008);
    expect(refused?.messages.find((m) => m.type === 'error')).toMatchObject({
      code: 'rate-limited',
      message: expect.stringMatching(/at most 16 connections per address for signed-out visitors/),
    });
    // One run per open socket: only the client's share is accepted.
    const answers = await Promise.all(open.map((s) => runOnce(s)));
    expect(answers.filter((a) => a.type === 'accepted')).toHaveLength(3);
    const limited = answers.find((a) => a.type === 'error');
    expect(limited).toMatchObject({ code: 'rate-limited' });
    expect(limited?.type === 'error' && limited.message).toMatch(
      /already have 3 runs queued or running/,
    );
    // Closing a socket gives its share back.
    for (const s of sockets) s.close();
    await open[0].until(() => open[0].closed, 'closed');
    runner.openAll();
    const again = Socket.open(server, '/ws');
    expect(await again.settled()).toBe('hello');
    again.close();
  });

  it('counts a signed-in user across tabs, apart from signed-out visitors', async () => {
    const server = await start({ socketsPerUser: 2, socketsPerAddress: 1, runsActivePerClient: 2 });
    const cookie = await signIn(server, 'ben');
    const tabs = [0, 1, 2].map(() => Socket.open(server, '/ws', { cookie }));
    const outcomes = await Promise.all(tabs.map((t) => t.settled()));
    expect(outcomes.filter((o) => o === 'hello')).toHaveLength(2);
    const third = tabs[outcomes.indexOf('refused')];
    expect(JSON.stringify(third.messages)).toMatch(/at most 2 connections per signed-in user/);
    // The same address signed out has its own share.
    const visitor = Socket.open(server, '/ws');
    expect(await visitor.settled()).toBe('hello');
    const [a, b] = tabs.filter((_, i) => outcomes[i] === 'hello');
    expect(await runOnce(a)).toMatchObject({ type: 'accepted' });
    expect(await runOnce(b)).toMatchObject({ type: 'accepted' });
    const third_run = await runOnce(a);
    expect(third_run).toMatchObject({ type: 'error', code: 'rate-limited' });
    expect(third_run.type === 'error' && third_run.message).toMatch(/already have 2 runs/);
    // Another user is not held back by ben's runs.
    const ana = Socket.open(server, '/ws', { cookie: await signIn(server, 'ana') });
    expect(await ana.settled()).toBe('hello');
    expect(await runOnce(ana)).toMatchObject({ type: 'accepted' });
    for (const s of [...tabs, visitor, ana]) s.close();
  });

  it('limits signed-out runs per minute per address and names the limit', async () => {
    const server = await start({ runsPerMinutePerAddress: 3 });
    const socket = Socket.open(server, '/ws');
    expect(await socket.settled()).toBe('hello');
    for (let i = 0; i < 3; i++) {
      expect(await runOnce(socket)).toMatchObject({ type: 'accepted' });
      runner.openAll();
      await socket.until(
        () => (socket.messages.filter((m) => m.type === 'result').length > i ? true : undefined),
        `result ${i}`,
      );
    }
    const fourth = await runOnce(socket);
    expect(fourth).toMatchObject({ type: 'error', code: 'rate-limited' });
    expect(fourth.type === 'error' && fourth.message).toMatch(
      /at most 3 runs per minute from one address while signed out/,
    );
    socket.close();
  });

  it('sees the client behind a trusted proxy, and ignores X-Forwarded-For otherwise', async () => {
    const behind = await start({ socketsPerAddress: 1, trustProxy: 'loopback' });
    const one = Socket.open(behind, '/ws', { 'x-forwarded-for': '203.0.113.1' });
    const two = Socket.open(behind, '/ws', { 'x-forwarded-for': '203.0.113.2' });
    expect(await one.settled()).toBe('hello');
    expect(await two.settled()).toBe('hello');
    const again = Socket.open(behind, '/ws', { 'x-forwarded-for': '203.0.113.1' });
    expect(await again.settled()).toBe('refused');

    const direct = await start({ socketsPerAddress: 1 });
    const first = Socket.open(direct, '/ws', { 'x-forwarded-for': '203.0.113.1' });
    expect(await first.settled()).toBe('hello');
    // A forged header from an untrusted peer does not buy a second share.
    const forged = Socket.open(direct, '/ws', { 'x-forwarded-for': '203.0.113.9' });
    expect(await forged.settled()).toBe('refused');
    for (const s of [one, two, again, first, forged]) s.close();
  });
});
