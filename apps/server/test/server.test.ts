// The server in-process on a random port, with the real compile sandbox and clang behind it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@ebpf-lab/protocol';
import { MAX_MESSAGE_BYTES } from '@ebpf-lab/protocol';
import { paths } from '@ebpf-lab/runner';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildRunner, createHealthProbe, exerciseMap } from '../src/create-deps.ts';
import type { LabServer } from '../src/server.ts';
import { startTestServer } from './test-server.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'exercises');

let server: LabServer;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'lab-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>eBPF Lab test page</title>');
  const logger = pino({ level: 'silent' });
  // The lab's own exercises plus a fixture whose listing the tests know exactly.
  const exercises = new Map([...exerciseMap(), ...exerciseMap(FIXTURES)]);
  server = await startTestServer({
    dir: webDir,
    exercises,
    // The runner main.ts uses: a syntax error stops it at the compile stage, before any kernel work.
    runner: buildRunner(exercises, logger),
    runnerKind: 'default',
    // Health as main.ts has it: its self-check is a real run of platform-tour's solution.
    system: createHealthProbe(exercises, logger),
    queue: { jobTimeoutMs: 30_000 },
    logger,
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(webDir, { recursive: true, force: true });
});

/** A WebSocket client that keeps every message so tests can wait for the one they expect. */
class Client {
  readonly messages: ServerMessage[] = [];
  readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  closed?: { code: number; reason: string };

  constructor(url: string) {
    this.ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws');
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    this.ws.on('error', () => {});
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async until<T>(find: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  next<K extends ServerMessage['type']>(
    type: K,
    after = 0,
  ): Promise<Extract<ServerMessage, { type: K }>> {
    return this.until(
      () =>
        this.messages.slice(after).find((m) => m.type === type) as
          Extract<ServerMessage, { type: K }> | undefined,
      `a "${type}" message`,
    );
  }

  async open(): Promise<this> {
    await this.next('hello');
    return this;
  }

  send(text: string | Buffer) {
    this.ws.send(text);
  }

  close() {
    this.ws.close();
  }
}

describe('HTTP', () => {
  it('reports the versions, that BPF loads and that a real run passes end to end', async () => {
    // The checks run in the background from start-up: wait for their first results.
    let res = await fetch(`${server.url}/api/health`);
    let body = await res.json();
    const deadline = Date.now() + 60_000;
    while (body.status === 'starting' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await fetch(`${server.url}/api/health`);
      body = await res.json();
    }
    expect(res.status).toBe(200);
    expect(body.kernel).toBe(release());
    expect(body.clang).toMatch(/^\d+\.\d+/);
    expect(body.libbpf).toMatch(/^\d+\.\d+/);
    // The lab needs BPF: a machine that cannot load it fails here rather than skip.
    expect(body.bpf.ok).toBe(true);
    expect(body.selfCheck).toMatchObject({ ok: true, exerciseId: 'platform-tour' });
    expect(body.status).toBe('ok');
    expect(body.queue).toMatchObject({ running: 0, queued: 0 });
  });

  it('lists exercises and serves one without its solution', async () => {
    const list = await (await fetch(`${server.url}/api/exercises`)).json();
    expect(list).toContainEqual({
      id: 'count-opens',
      chapter: 0,
      chapterTitle: 'Server test fixtures',
      order: 1,
      title: 'Count opens (fixture)',
      summary: "A fixture exercise for the server's tests.",
    });
    expect(list.map((e: { id: string }) => e.id)).toContain('read-file-password');
    const res = await fetch(`${server.url}/api/exercises/count-opens`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain('SOLUTION-MARKER');
    const detail = JSON.parse(text);
    expect(detail.starter).toContain('TODO');
    expect(detail.instructions).toContain('openat');
    expect(detail.checks).toEqual([{ id: 'counts', title: 'Counts the opens', required: true }]);
    expect(detail.helpers).toHaveLength(1);
    expect(detail.helpers[0]).toMatchObject({ name: 'SUBMIT_NUM', signature: 'SUBMIT_NUM(n)' });
  });

  it('answers unknown exercises and API routes with a JSON 404', async () => {
    const res = await fetch(`${server.url}/api/exercises/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'There is no exercise "nope".' });
    const other = await fetch(`${server.url}/api/does-not-exist`);
    expect(other.status).toBe(404);
    expect((await other.json()).error).toMatch(/No such API route/);
  });

  it('refuses JSON bodies above the cap with 413', async () => {
    const res = await fetch(`${server.url}/api/exercises`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x'.repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/too large/i);
  });

  it('serves the web app for any other page, with security headers', async () => {
    const res = await fetch(`${server.url}/exercises/count-opens`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('eBPF Lab test page');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('WebSocket', () => {
  it('answers bad JSON and unknown messages with errors and keeps the connection', async () => {
    const c = await new Client(server.url).open();
    c.send('{not json');
    const bad = await c.next('error');
    expect(bad.code).toBe('bad-json');
    const n = c.messages.length;
    c.send(JSON.stringify({ type: 'launch-missiles' }));
    expect((await c.next('error', n)).code).toBe('bad-message');
    const m = c.messages.length;
    c.send(JSON.stringify({ type: 'run', requestId: 'r1', exerciseId: 'count-opens' }));
    const missing = await c.next('error', m);
    expect(missing.code).toBe('bad-message');
    expect(missing.message).toMatch(/code/);
    c.send(JSON.stringify({ type: 'ping' }));
    await c.next('pong');
    // seq increases by one per message on this connection.
    expect(c.messages.map((x) => x.seq)).toEqual(c.messages.map((_, i) => i));
    c.close();
  });

  it('answers a 10 MB message with too-large, closes with 1009, and stays up', async () => {
    const c = await new Client(server.url).open();
    c.send(Buffer.alloc(10 * 1024 * 1024, 'a'));
    const err = await c.next('error');
    expect(err.code).toBe('too-large');
    expect(err.message).toContain(`${MAX_MESSAGE_BYTES / 1024} KiB`);
    await c.until(() => c.closed, 'the close');
    expect(c.closed?.code).toBe(1009);
    expect(c.closed?.reason).toContain('KiB');

    const again = await new Client(server.url).open();
    again.send(JSON.stringify({ type: 'ping' }));
    await again.next('pong');
    again.close();
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('refuses a run of an exercise that does not exist', async () => {
    const c = await new Client(server.url).open();
    c.send(JSON.stringify({ type: 'run', requestId: 'r2', exerciseId: 'no-such', code: 'int x;' }));
    expect((await c.next('error')).code).toBe('unknown-exercise');
    c.close();
  });

  it('reports a syntax error as a compile error on its line', async () => {
    const c = await new Client(server.url).open();
    const code = [
      '#include "lab.h"',
      '',
      'SEC("tracepoint/syscalls/sys_enter_openat")',
      'int count_opens(void *ctx)',
      '{',
      '\tint n = 1',
      '\treturn n;',
      '}',
      '',
    ].join('\n');
    c.send(JSON.stringify({ type: 'run', requestId: 'syntax', exerciseId: 'count-opens', code }));
    const accepted = await c.next('accepted');
    expect(accepted.requestId).toBe('syntax');
    const { result } = await c.next('result');
    expect(result.runId).toBe(accepted.runId);
    expect(result.status).toBe('error');
    expect(result.errorKind).toBe('compile');
    expect(result.gradable).toBe(true);
    const error = result.diagnostics.find((d) => d.severity === 'error');
    expect(error).toMatchObject({ source: 'clang', line: 6 });
    expect(error?.message).toMatch(/expected ';'/);
    expect(result.summary).toContain('Line 6');
    const stages = c.messages.filter((m) => m.type === 'stage' && m.runId === accepted.runId);
    expect(stages.map((m) => m.type === 'stage' && `${m.stage}:${m.state}`)).toEqual([
      'compile:started',
      'compile:finished',
    ]);
    expect(result.stages[0]).toMatchObject({ name: 'compile', status: 'failed' });
    c.close();
  });

  it('streams a whole passing run of the flagship solution, stage by stage, then its result', async () => {
    const c = await new Client(server.url).open();
    const code = readFileSync(
      join(paths.templatesDir, 'read-file-password', 'solution.bpf.c'),
      'utf8',
    );
    c.send(
      JSON.stringify({
        type: 'run',
        requestId: 'solution',
        exerciseId: 'read-file-password',
        code,
      }),
    );
    const { runId } = await c.next('accepted');
    const { result } = await c.next('result');
    expect(result.summary).toMatch(/passed/);
    expect(result.status).toBe('pass');
    const mine = c.messages.filter((m) => 'runId' in m && m.runId === runId);
    const finished = mine.flatMap((m) =>
      m.type === 'stage' && m.state === 'finished' ? [m.stage] : [],
    );
    expect(finished).toEqual(['compile', 'static', 'verifier', 'attach', 'target', 'checks']);
    expect(mine.some((m) => m.type === 'event' && m.event.kind === 'submit')).toBe(true);
    expect(mine.filter((m) => m.type === 'check')).toHaveLength(result.checks.length);
    expect(mine.at(-1)?.type).toBe('result');
    c.close();
  });
});
