// The WebSocket run path with accounts wired in: every run stored under the user of the session
// cookie (or none, signed out), the per-user run limit named, the result stored before it is sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerMessage } from '@ebpf-lab/protocol';
import type { Store } from '@ebpf-lab/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createAccounts, hashPassword } from '../src/routes/auth/index.ts';
import type { LabServer } from '../src/server.ts';
import { Client, dig, fakeRunner } from './auth-harness.ts';
import { openTestStore } from './test-store.ts';
import { startTestServer } from './test-server.ts';

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
  server = await startTestServer({ dir, runner: fakeRunner, accounts });
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
async function runOver(
  cookie: string,
  code: string,
  extra: { courseId?: string } = {},
): Promise<ServerMessage[]> {
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + '/ws', { headers: { cookie } });
  const messages: ServerMessage[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      messages.push(m);
      if (m.type === 'hello')
        ws.send(
          JSON.stringify({ type: 'run', requestId: 'q', exerciseId: 'ex-one', code, ...extra }),
        );
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

  it('stores a run against the course it names, and refuses a course the student is not in', async () => {
    const prof = new Client(server.url);
    await prof.login('prof@lab.org', 'instructor-pass');
    const course = async (title: string) => {
      const res = await prof.post('/api/courses', { title });
      return {
        id: String(dig(res.json, 'course', 'id')),
        joinCode: String(dig(res.json, 'course', 'joinPath'))
          .split('/')
          .pop(),
      };
    };
    const [one, two, three] = [await course('One'), await course('Two'), await course('Three')];
    const student = new Client(server.url);
    await student.get('/api/auth/me');
    await student.post('/api/auth/signup', {
      joinCode: one.joinCode,
      email: 'two-courses@uni.edu',
      name: 'Sam',
      password: 'student-pass',
    });
    await student.post('/api/courses/join', { joinCode: two.joinCode });
    const cookie = [...student.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

    const made = await runOver(cookie, 'int solved;', { courseId: two.id });
    const accepted = made.find((m) => m.type === 'accepted');
    expect((await store.getRun(String(dig(accepted, 'runId'))))?.courseId).toBe(two.id);
    const refused = await runOver(cookie, 'int x;', { courseId: three.id });
    expect(refused.find((m) => m.type === 'error')).toMatchObject({ code: 'not-in-course' });
    expect(refused.some((m) => m.type === 'accepted')).toBe(false);
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
