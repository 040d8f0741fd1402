// How the whole HTTP API answers problems, through the app as main.ts builds it: one JSON body
// limit (LAB_JSON_BODY_BYTES) for every route, one 404 for every /api path, one error handler
// that names a client's mistake and hides our own faults behind an error id.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '@ebpf-lab/runner';
import type { Store } from '@ebpf-lab/store';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { errorHandler } from '../src/http-error.ts';
import { JobQueue } from '../src/queue/job-queue.ts';
import { createAccounts } from '../src/routes/auth/index.ts';
import { RunLifecycle } from '../src/runs/run-lifecycle.ts';
import { createSystemProbe } from '../src/system/system-info.ts';
import { Client, fakeRunner } from './auth-harness.ts';
import { openTestStore } from './test-store.ts';

const BODY_LIMIT = 2048;
let dir: string;
let store: Store;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-http-errors-'));
  store = await openTestStore(dir);
  const config = loadConfig(
    {},
    { logLevel: 'silent', webDistDir: dir, dataDir: dir, jsonBodyBytes: BODY_LIMIT },
  );
  const logger = pino({ level: 'silent' });
  const queue = new JobQueue({
    concurrency: 1,
    jobTimeoutMs: 10_000,
    watchdogMs: 1000,
    maxQueued: 10,
  });
  const accounts = createAccounts({ store });
  const app = createApp(
    {
      config,
      logger,
      exercises: new Map(),
      runner: fakeRunner,
      runnerKind: 'fake',
      queue,
      system: createSystemProbe({ loaderPath: paths.loader, grades: false }),
      accounts,
    },
    new RunLifecycle({ queue, runner: fakeRunner, logger, recorder: accounts.recorder }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP errors', () => {
  it('applies LAB_JSON_BODY_BYTES to the account routes and the drafts alike', async () => {
    const c = new Client(base);
    await c.get('/api/auth/me');
    const big = 'x'.repeat(BODY_LIMIT);
    const login = await c.post('/api/auth/login', { email: big, password: 'p' });
    expect(login.status).toBe(413);
    expect(String(login.json.error)).toMatch(/too large/i);
    const draft = await c.request('PUT', '/api/drafts/any', { code: big, editedAt: 'now' });
    expect(draft.status).toBe(413);
    // Under the limit, the same route answers for itself.
    const small = await c.post('/api/auth/login', {
      email: 'nobody@lab.org',
      password: 'wrong-password',
    });
    expect(small.status).toBe(401);
  });

  it('answers every unknown /api path with the same JSON 404, account paths included', async () => {
    const c = new Client(base);
    for (const path of ['/api/nope', '/api/auth/nope', '/api/instructor/nope', '/api/drafts']) {
      const res = await c.get(path);
      expect(res.status, path).toBe(404);
      expect(res.json, path).toEqual({ error: 'No such API route.' });
    }
  });

  it('names a bad or missing CSRF token', async () => {
    const c = new Client(base);
    const res = await c.post('/api/auth/login', { email: 'a@b.c', password: 'x' });
    expect(res.status).toBe(403);
    expect(String(res.json.error)).toMatch(/CSRF token/);
  });

  it('hides a fault of our own behind an error id it logs', async () => {
    const logged: unknown[] = [];
    const logger = pino(
      { level: 'error' },
      { write: (line: string) => logged.push(JSON.parse(line)) },
    );
    const app = express();
    app.get('/boom', () => {
      throw new Error('a secret detail');
    });
    app.use(errorHandler(logger));
    const boom = app.listen(0, '127.0.0.1');
    await new Promise((r) => boom.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(boom.address() as AddressInfo).port}/boom`);
      expect(res.status).toBe(500);
      const { error } = (await res.json()) as { error: string };
      const id = /error id ([0-9a-f]{8})/.exec(error)?.[1];
      expect(id).toBeDefined();
      expect(error).not.toContain('a secret detail');
      expect(logged).toMatchObject([{ errorId: id, err: { message: 'a secret detail' } }]);
    } finally {
      await new Promise((r) => boom.close(r));
    }
  });
});
