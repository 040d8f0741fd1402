// /api/drafts on a real Express server over a temporary database, with the accounts' sessions
// and CSRF in front, mounted the way createApp mounts it.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDraftsRouter, DRAFT_MAX_BYTES } from '../src/routes/drafts/router.ts';
import {
  Client,
  EXERCISES,
  answerErrors,
  dig,
  fakeResult,
  jsonBody,
  startHarness,
} from './auth-harness.ts';
import type { Harness } from './auth-harness.ts';

let h: Harness;
let server: Server;
let base: string;

beforeEach(async () => {
  h = await startHarness();
  const app = express();
  app.use(jsonBody);
  app.use(h.routes);
  const ids = new Set(EXERCISES.map((e) => e.id));
  app.use(
    '/api/drafts',
    createDraftsRouter({
      ...h.accounts,
      hasExercise: (id) => ids.has(id),
      // ex-two continues ex-one, as close-fd-reuse continues the flagship
      continuesOf: (id) =>
        id === 'ex-two' ? { exercise: 'ex-one', append: '// TODO: close()\n' } : undefined,
    }),
  );
  answerErrors(app);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});

/** A student signed in on this server (the harness's client is bound to its own port). */
async function student(email: string): Promise<Client> {
  const prof = await h.instructor(`prof-${email}`);
  const course = await h.course(prof, 'Tracing');
  const c = new Client(base);
  await c.get('/api/auth/me');
  const res = await c.post('/api/auth/signup', {
    joinCode: course.joinCode,
    email,
    name: 'Student',
    password: 'student-pass',
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.text}`);
  return c;
}

const put = (c: Client, id: string, code: string, editedAt: Date) =>
  c.request('PUT', `/api/drafts/${id}`, { code, editedAt: editedAt.toISOString() });

/** The exercise exists but nothing is saved for it: 200 with `draft: null`. */
const noDraft = async (pending: Promise<{ status: number; json: unknown }>) => {
  const r = await pending;
  return r.status === 200 && dig(r.json, 'draft') === null;
};

describe('/api/drafts', () => {
  it('saves a draft and gives it back on another device signed in as the same student', async () => {
    const laptop = await student('s@uni.edu');
    expect(await noDraft(laptop.get('/api/drafts/ex-one'))).toBe(true);
    const saved = await put(laptop, 'ex-one', 'int x; // from the laptop\n', new Date());
    expect(saved.status).toBe(200);
    expect(saved.json.kept).toBe(true);

    const desktop = new Client(base);
    await desktop.login('s@uni.edu', 'student-pass');
    const got = await desktop.get('/api/drafts/ex-one');
    expect(got.status).toBe(200);
    expect(dig(got.json, 'draft', 'code')).toBe('int x; // from the laptop\n');
    // Drafts are per exercise.
    expect(await noDraft(desktop.get('/api/drafts/ex-two'))).toBe(true);
  });

  it('keeps the later edit when an older save arrives after it', async () => {
    const c = await student('s@uni.edu');
    const now = Date.now();
    await put(c, 'ex-one', 'later edit', new Date(now - 1000));
    const stale = await put(c, 'ex-one', 'earlier edit from a stale tab', new Date(now - 5000));
    expect(stale.status).toBe(200);
    expect(stale.json.kept).toBe(false);
    expect(dig(stale.json, 'draft', 'code')).toBe('later edit');
    expect(dig((await c.get('/api/drafts/ex-one')).json, 'draft', 'code')).toBe('later edit');
    // A newer edit replaces it.
    expect((await put(c, 'ex-one', 'newest', new Date(now))).json.kept).toBe(true);
    expect(dig((await c.get('/api/drafts/ex-one')).json, 'draft', 'code')).toBe('newest');
  });

  it('does not let a clock in the future win over every later edit', async () => {
    const c = await student('s@uni.edu');
    await put(c, 'ex-one', 'from a fast clock', new Date(Date.now() + 3600_000));
    expect((await put(c, 'ex-one', 'a real later edit', new Date(Date.now() + 50))).json.kept).toBe(
      true,
    );
    expect(dig((await c.get('/api/drafts/ex-one')).json, 'draft', 'code')).toBe(
      'a real later edit',
    );
  });

  it('keeps each student to their own drafts', async () => {
    const a = await student('a@uni.edu');
    const b = await student('b@uni.edu');
    await put(a, 'ex-one', 'secret of a', new Date());
    expect(await noDraft(b.get('/api/drafts/ex-one'))).toBe(true);
  });

  it('refuses signed-out visitors (401) and saves without the CSRF token (403)', async () => {
    const anon = new Client(base);
    await anon.get('/api/auth/me');
    expect((await put(anon, 'ex-one', 'x', new Date())).status).toBe(401);
    expect((await anon.get('/api/drafts/ex-one')).status).toBe(401);

    const c = await student('s@uni.edu');
    const forged = await c.request(
      'PUT',
      '/api/drafts/ex-one',
      { code: 'x', editedAt: new Date().toISOString() },
      {
        'x-csrf-token': 'forged',
      },
    );
    expect(forged.status).toBe(403);
    expect(await noDraft(c.get('/api/drafts/ex-one'))).toBe(true);
  });

  it('names the limit and the bad field, and refuses unknown exercises', async () => {
    const c = await student('s@uni.edu');
    const big = await put(c, 'ex-one', 'x'.repeat(DRAFT_MAX_BYTES + 1), new Date());
    expect(big.status).toBe(413);
    expect(String(big.json.error)).toContain(`${DRAFT_MAX_BYTES} bytes`);
    const bad = await c.request('PUT', '/api/drafts/ex-one', { code: 'x', editedAt: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toMatch(/^editedAt/);
    expect((await put(c, 'no-such-exercise', 'x', new Date())).status).toBe(404);
  });
});

describe('/api/drafts/:exerciseId/starter', () => {
  const finished = async (userId: string, id: string, code: string, pass: boolean) => {
    await h.store.recordRunQueued({ id, userId, exerciseId: 'ex-one', code });
    await h.store.recordRunFinished(id, fakeResult(id, 'ex-one', pass));
  };

  it("continues the student's own best passing code of the earlier exercise, with the new TODO", async () => {
    const c = await student('s@uni.edu');
    const userId = String(dig((await c.get('/api/auth/me')).json, 'user', 'id'));
    expect(dig((await c.get('/api/drafts/ex-two/starter')).json, 'starter')).toBeNull();
    await finished(userId, 'r1', 'solved, first try\n', true);
    await finished(userId, 'r2', 'broken later\n', false);
    const other = await student('t@uni.edu');
    const otherId = String(dig((await other.get('/api/auth/me')).json, 'user', 'id'));
    await finished(otherId, 'r3', 'solved by someone else\n', true);
    const r = await c.get('/api/drafts/ex-two/starter');
    expect(r.status).toBe(200);
    expect(dig(r.json, 'starter')).toBe('solved, first try\n// TODO: close()\n');
    expect(dig((await c.get('/api/drafts/ex-one/starter')).json, 'starter')).toBeNull();
  });

  it('needs a signed-in student and a known exercise', async () => {
    expect((await new Client(base).get('/api/drafts/ex-two/starter')).status).toBe(401);
    const c = await student('u@uni.edu');
    expect((await c.get('/api/drafts/nope/starter')).status).toBe(404);
  });
});
