// The WebSocket run path with accounts wired in: every run stored under the user of the session
// cookie (or none, signed out), the per-user run limit named, the result stored before it is sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExerciseMeta } from '@ebpf-lab/exercises';
import type { Exercise } from '@ebpf-lab/exercises';
import type { ServerMessage } from '@ebpf-lab/protocol';
import type { Store } from '@ebpf-lab/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.ts';
import { JobQueue } from '../src/queue/job-queue.ts';
import { createAccounts, hashPassword } from '../src/routes/auth/index.ts';
import { startServer } from '../src/server.ts';
import type { LabServer } from '../src/server.ts';
import { paths } from '@ebpf-lab/runner';
import { createSystemProbe } from '../src/system/system-info.ts';
import { Client, dig, fakeRunner } from './auth-harness.ts';
import { openTestStore } from './test-store.ts';

const meta = ExerciseMeta.parse({
  id: 'ex-one',
  chapter: 1,
  chapterTitle: 'One',
  order: 1,
  title: 'First',
  summary: 's',
  sections: ['tracepoint/syscalls/sys_enter_openat'],
  scenarios: [{ id: 'base', title: 'Base' }],
  checks: [{ id: 'answer', title: 'Answer', kind: 'answer-equals', hint: 'h' }],
});
const exercise: Exercise = {
  meta,
  dir: '/nonexistent',
  instructions: '',
  starter: 'int main;\n',
  solution: '',
};

let dir: string;
let store: Store;
let server: LabServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-ws-accounts-'));
  store = await openTestStore(dir);
  const accounts = createAccounts({
    store,
    runLimits: { runsPerMinute: 2 },
  });
  const config = loadConfig(
    {},
    { port: 0, host: '127.0.0.1', logLevel: 'silent', webDistDir: dir, dataDir: dir },
  );
  server = await startServer({
    config,
    logger: pino({ level: 'silent' }),
    exercises: new Map([['ex-one', exercise]]),
    runner: fakeRunner,
    runnerKind: 'fake',
    queue: new JobQueue({ concurrency: 1, jobTimeoutMs: 10_000, watchdogMs: 1000, maxQueued: 10 }),
    system: createSystemProbe({ loaderPath: paths.loader }),
    accounts,
  });
  await store.createUser({
    email: 'prof@lab.org',
    name: 'Prof',
    role: 'instructor',
    passwordHash: await hashPassword('instructor-pass'),
  });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens /ws with the given cookies, runs `code`, and returns every message up to the end. */
async function runOver(cookie: string, code: string): Promise<ServerMessage[]> {
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + '/ws', { headers: { cookie } });
  const messages: ServerMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      messages.push(m);
      if (m.type === 'hello')
        ws.send(JSON.stringify({ type: 'run', requestId: 'q', exerciseId: 'ex-one', code }));
      if (m.type === 'result' || m.type === 'error') resolve();
    });
  });
  ws.close();
  return messages;
}

describe('WebSocket runs with accounts', () => {
  it('stores a signed-in run under its user, finished before the result is sent', async () => {
    const prof = new Client(server.url);
    expect((await prof.login('prof@lab.org', 'instructor-pass')).status).toBe(200);
    const cookie = [...prof.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const messages = await runOver(cookie, 'int solved;');
    const result = messages.find((m) => m.type === 'result');
    expect(result?.type === 'result' && result.result.status).toBe('pass');
    const runId = String(dig(result, 'runId'));
    const stored = await store.getRun(runId);
    expect(stored).toMatchObject({ state: 'finished', status: 'pass', code: 'int solved;' });
    expect(stored?.userId).toBe((await store.getUserByEmail('prof@lab.org'))?.id);

    // The third run in a minute is refused, and the message names the limit.
    await runOver(cookie, 'int two;');
    const third = await runOver(cookie, 'int three;');
    expect(third.find((m) => m.type === 'error')).toMatchObject({ code: 'rate-limited' });
    expect(JSON.stringify(third)).toMatch(/at most 2 runs per minute/);
  });

  it('stores a signed-out run with no user', async () => {
    const messages = await runOver('', 'int local;');
    const accepted = messages.find((m) => m.type === 'accepted');
    const runId = accepted?.type === 'accepted' ? accepted.runId : '';
    expect(await store.getRun(runId)).toMatchObject({
      userId: null,
      state: 'finished',
      code: 'int local;',
    });
  });
});
