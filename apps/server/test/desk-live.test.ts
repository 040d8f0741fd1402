// The live desk over /ws, with a real server: an instructor's connection follows their course and
// hears each run of its students as it changes state (re-runs too), and never a run of another
// course's student; students and other instructors cannot follow the course; a student's own
// connection hears when a comment on their run changes.
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
  dir = mkdtempSync(join(tmpdir(), 'lab-desk-live-'));
  store = await openTestStore(dir);
  server = await startTestServer({ dir, runner: fakeRunner, accounts: createAccounts({ store }) });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A /ws connection under a client's session, keeping every message it receives. */
class Socket {
  readonly messages: ServerMessage[] = [];
  private readonly ws: WebSocket;
  private waiters: (() => void)[] = [];
  constructor(client: Client) {
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    this.ws = new WebSocket(server.url.replace(/^http/, 'ws') + '/ws', { headers: { cookie } });
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      for (const w of this.waiters) w();
    });
  }
  send(message: unknown) {
    this.ws.send(JSON.stringify(message));
  }
  /** Resolves with the first message (already here or still to come) that `match` accepts. */
  async next(match: (m: ServerMessage) => boolean): Promise<ServerMessage> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.waiters = [];
    }
  }
  async open() {
    await this.next((m) => m.type === 'hello');
    return this;
  }
  close() {
    this.ws.close();
  }
}

async function instructor(email: string): Promise<Client> {
  await store.createUser({
    email,
    name: email.split('@')[0],
    role: 'instructor',
    passwordHash: await hashPassword('instructor-pass'),
  });
  const c = new Client(server.url);
  expect((await c.login(email, 'instructor-pass')).status).toBe(200);
  return c;
}

async function course(owner: Client, title: string) {
  const res = await owner.post('/api/courses', { title });
  return {
    id: String(dig(res.json, 'course', 'id')),
    joinCode:
      String(dig(res.json, 'course', 'joinPath'))
        .split('/')
        .pop() ?? '',
  };
}

async function student(joinCode: string, email: string) {
  const c = new Client(server.url);
  await c.get('/api/auth/me');
  const res = await c.post('/api/auth/signup', {
    joinCode,
    email,
    name: email.split('@')[0],
    password: 'student-pass',
  });
  expect(res.status).toBe(201);
  return { client: c, id: String(dig(res.json, 'user', 'id')) };
}

/** Runs `code` over the student's socket; resolves with the run's id once its result came. */
async function run(socket: Socket, code: string, courseId?: string): Promise<string> {
  const requestId = `q-${Math.random().toString(36).slice(2)}`;
  socket.send({ type: 'run', requestId, exerciseId: 'ex-one', code, courseId });
  const accepted = await socket.next((m) => m.type === 'accepted' && m.requestId === requestId);
  const runId = String(dig(accepted, 'runId'));
  await socket.next((m) => m.type === 'result' && m.runId === runId);
  return runId;
}

const deskRuns = (s: Socket) =>
  s.messages.filter(
    (m): m is Extract<ServerMessage, { type: 'desk-run' }> => m.type === 'desk-run',
  );

describe('the live desk over /ws', () => {
  it("follows the course's runs as they change, and nothing of another course", async () => {
    const prof = await instructor('prof@lab.org');
    const other = await instructor('other@lab.org');
    const tracing = await course(prof, 'Tracing');
    const elsewhere = await course(other, 'Elsewhere');
    const ana = await student(tracing.joinCode, 'ana@uni.edu');
    const zed = await student(elsewhere.joinCode, 'zed@uni.edu');

    const desk = await new Socket(prof).open();
    desk.send({ type: 'watch-course', courseId: tracing.id });
    await desk.next((m) => m.type === 'watching');
    const otherDesk = await new Socket(other).open();
    otherDesk.send({ type: 'watch-course', courseId: elsewhere.id });
    await otherDesk.next((m) => m.type === 'watching');

    // Zed's run reaches Zed's instructor only.
    const zedSocket = await new Socket(zed.client).open();
    const zedRun = await run(zedSocket, 'int zed;');
    await otherDesk.next(
      (m) => m.type === 'desk-run' && m.runId === zedRun && m.state === 'finished',
    );
    // Ana's run reaches Ana's instructor, state by state.
    const anaSocket = await new Socket(ana.client).open();
    const anaRun = await run(anaSocket, 'int solved;');
    await desk.next((m) => m.type === 'desk-run' && m.runId === anaRun && m.state === 'finished');
    const seen = deskRuns(desk).filter((m) => m.runId === anaRun);
    expect(seen.map((m) => m.state)).toEqual(['queued', 'running', 'finished']);
    expect(seen[0]).toMatchObject({
      courseId: tracing.id,
      studentId: ana.id,
      exerciseId: 'ex-one',
      kind: 'student',
    });
    expect(deskRuns(desk).some((m) => m.studentId === zed.id)).toBe(false);
    expect(deskRuns(otherDesk).some((m) => m.studentId === ana.id)).toBe(false);

    // An instructor's re-run is announced too.
    const rerun = await prof.post(`/api/instructor/courses/${tracing.id}/runs/${anaRun}/rerun`);
    const rerunId = (rerun.json.runIds as string[])[0];
    await desk.next((m) => m.type === 'desk-run' && m.runId === rerunId && m.state === 'finished');
    expect(deskRuns(desk).find((m) => m.runId === rerunId)).toMatchObject({
      kind: 'rerun',
      studentId: ana.id,
    });

    // After unwatch-course, nothing more (a second desk of the course shows the run was announced).
    const witness = await new Socket(prof).open();
    witness.send({ type: 'watch-course', courseId: tracing.id });
    await witness.next((m) => m.type === 'watching');
    desk.send({ type: 'unwatch-course' });
    desk.send({ type: 'ping' });
    await desk.next((m) => m.type === 'pong');
    const before = deskRuns(desk).length;
    const later = await run(anaSocket, 'int again;');
    await witness.next((m) => m.type === 'desk-run' && m.runId === later && m.state === 'finished');
    expect(deskRuns(desk)).toHaveLength(before);

    for (const s of [desk, otherDesk, zedSocket, anaSocket, witness]) s.close();
  });

  it('announces a run to the desk of the course it was made for only', async () => {
    const prof = await instructor('prof-two@lab.org');
    const other = await instructor('other-two@lab.org');
    const tracing = await course(prof, 'Tracing two');
    const elsewhere = await course(other, 'Elsewhere two');
    // Bea takes both courses: which course a run is for decides who hears of it.
    const bea = await student(tracing.joinCode, 'bea@uni.edu');
    expect(
      (await bea.client.post('/api/courses/join', { joinCode: elsewhere.joinCode })).status,
    ).toBe(200);
    const desk = await new Socket(prof).open();
    desk.send({ type: 'watch-course', courseId: tracing.id });
    await desk.next((m) => m.type === 'watching');
    const otherDesk = await new Socket(other).open();
    otherDesk.send({ type: 'watch-course', courseId: elsewhere.id });
    await otherDesk.next((m) => m.type === 'watching');

    const socket = await new Socket(bea.client).open();
    const forElsewhere = await run(socket, 'int e;', elsewhere.id);
    await otherDesk.next(
      (m) => m.type === 'desk-run' && m.runId === forElsewhere && m.state === 'finished',
    );
    const forTracing = await run(socket, 'int t;', tracing.id);
    await desk.next(
      (m) => m.type === 'desk-run' && m.runId === forTracing && m.state === 'finished',
    );
    expect(deskRuns(desk).some((m) => m.runId === forElsewhere)).toBe(false);
    expect(deskRuns(otherDesk).some((m) => m.runId === forTracing)).toBe(false);
    for (const s of [desk, otherDesk, socket]) s.close();
  });

  it("refuses to let a student or another course's instructor follow the course", async () => {
    const prof = await instructor('prof2@lab.org');
    const other = await instructor('other2@lab.org');
    const tracing = await course(prof, 'Tracing 2');
    const ana = await student(tracing.joinCode, 'ana2@uni.edu');
    const witness = await new Socket(prof).open();
    witness.send({ type: 'watch-course', courseId: tracing.id });
    await witness.next((m) => m.type === 'watching');
    for (const who of [ana.client, other, new Client(server.url)]) {
      const s = await new Socket(who).open();
      s.send({ type: 'watch-course', courseId: tracing.id });
      expect(await s.next((m) => m.type === 'error')).toMatchObject({ code: 'forbidden' });
      expect(s.messages.some((m) => m.type === 'watching')).toBe(false);
      // The connection stays usable, and hears nothing of the course.
      const anaSocket = await new Socket(ana.client).open();
      const runId = await run(anaSocket, 'int x;');
      await witness.next(
        (m) => m.type === 'desk-run' && m.runId === runId && m.state === 'finished',
      );
      expect(deskRuns(s)).toEqual([]);
      anaSocket.close();
      s.close();
    }
    witness.close();
  });

  it("tells a student's open pages when a comment on their run changes, and nobody else's", async () => {
    const prof = await instructor('prof3@lab.org');
    const tracing = await course(prof, 'Tracing 3');
    const ana = await student(tracing.joinCode, 'ana3@uni.edu');
    const bob = await student(tracing.joinCode, 'bob3@uni.edu');
    const anaSocket = await new Socket(ana.client).open();
    const bobSocket = await new Socket(bob.client).open();
    const runId = await run(anaSocket, 'int mine;');
    const base = `/api/instructor/courses/${tracing.id}/runs/${runId}/comments`;
    const made = await prof.post(base, { line: 1, body: 'Look here.' });
    expect(made.status).toBe(201);
    expect(await anaSocket.next((m) => m.type === 'comments-changed')).toMatchObject({
      runId,
      exerciseId: 'ex-one',
    });
    const commentId = String(dig(made.json, 'comment', 'id'));
    await prof.request('PATCH', `${base}/${commentId}`, { body: 'Look here, line 1.' });
    await prof.request('DELETE', `${base}/${commentId}`);
    await expect
      .poll(() => anaSocket.messages.filter((m) => m.type === 'comments-changed').length)
      .toBe(3);
    bobSocket.send({ type: 'ping' });
    await bobSocket.next((m) => m.type === 'pong');
    expect(bobSocket.messages.some((m) => m.type === 'comments-changed')).toBe(false);
    anaSocket.close();
    bobSocket.close();
  });
});
