import { get } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountsFor } from '../src/create-deps.ts';
import { dig, startHarness } from './auth-harness.ts';
import type { Harness } from './auth-harness.ts';

/** Set-Cookie lines for GET /api/auth/me sent with another Host (fetch will not send one). */
function cookiesFor(base: string, host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    get(`${base}/api/auth/me`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.headers['set-cookie'] ?? []);
    }).on('error', reject);
  });
}

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ loginLimit: { attempts: 3, windowMs: 60_000 } });
});
afterEach(() => h.close());

describe('/api/auth', () => {
  it('says who is signed in, and hands out a CSRF token when signed out', async () => {
    const c = h.client();
    const res = await c.get('/api/auth/me');
    expect(res.status).toBe(200);
    expect(res.json.user).toBeNull();
    expect(res.json.csrfToken).toMatch(/\./);
  });

  it("hands a new browser's page its cookies, so its first API calls at once share one token", async () => {
    const c = h.client();
    const page = await c.get('/');
    expect(page.status).toBe(200);
    expect([...c.cookies.keys()].sort()).toEqual(['lab_anon', 'lab_csrf']);
    // The top navigation, the drafts client and a form all ask at once, as a page does.
    const answers = await Promise.all([1, 2, 3].map(() => c.get('/api/auth/me')));
    const tokens = new Set(answers.map((a) => a.json.csrfToken));
    expect(tokens.size).toBe(1);
    const [token] = tokens;
    expect(c.cookies.get('lab_csrf')).toBe(token);
    c.csrf = String(token);
    const out = await c.post('/api/auth/logout');
    expect(out.status).toBe(200);
  });

  it('signs an instructor in with an http-only session cookie and out again', async () => {
    const c = await h.instructor('prof@lab.org');
    const me = await c.get('/api/auth/me');
    expect(dig(me.json, 'user', 'role')).toBe('instructor');
    const login = await h.client().login('prof@lab.org', 'instructor-pass');
    const setCookie = login.headers.getSetCookie().find((l) => l.startsWith('lab_session='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const out = await c.post('/api/auth/logout');
    expect(out.status).toBe(200);
    expect((await c.get('/api/auth/me')).json.user).toBeNull();
  });

  it('marks cookies Secure on loopback and https, not over plain http on a LAN', async () => {
    const c = h.client();
    const local = await c.get('/api/auth/me');
    expect(local.headers.getSetCookie()).toHaveLength(2);
    expect(local.headers.getSetCookie().every((l) => /; Secure/.test(l))).toBe(true);
    const lan = await cookiesFor(h.base, 'lab.lan');
    expect(lan).toHaveLength(2);
    expect(lan.some((l) => /; Secure/.test(l))).toBe(false);
    // An https public URL: Secure even where the hop to the lab is plain http, on every node.
    const forced = await startHarness({
      accountsFrom: (store) =>
        accountsFor({ publicUrl: 'https://lab.example.org', runsPerMinutePerUser: 30 }, store),
    });
    try {
      expect((await cookiesFor(forced.base, 'lab.lan')).every((l) => /; Secure/.test(l))).toBe(
        true,
      );
    } finally {
      await forced.close();
    }
  });

  it('refuses a wrong password without telling whether the account exists', async () => {
    await h.instructor('prof@lab.org');
    const c = h.client();
    const wrong = await c.login('prof@lab.org', 'nope-nope');
    const unknown = await c.post('/api/auth/login', {
      email: 'ghost@lab.org',
      password: 'nope-nope',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error).toBe(unknown.json.error);
  });

  it('rate-limits sign-in attempts and names the limit', async () => {
    await h.instructor('prof@lab.org');
    const c = h.client();
    await c.get('/api/auth/me');
    for (let i = 0; i < 3; i++)
      expect(
        (await c.post('/api/auth/login', { email: 'prof@lab.org', password: 'x' })).status,
      ).toBe(401);
    const limited = await c.post('/api/auth/login', {
      email: 'prof@lab.org',
      password: 'instructor-pass',
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error).toMatch(/limit is 3 per 1 minutes/);
  });

  it('refuses a forged CSRF token, a missing one, and one from another browser', async () => {
    const c = await h.instructor('prof@lab.org');
    const good = c.csrf;
    c.csrf = good.replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a'));
    const forged = await c.post('/api/courses', { title: 'X' });
    expect(forged.status).toBe(403);
    expect(forged.json.error).toMatch(/CSRF/);
    c.csrf = '';
    expect((await c.post('/api/courses', { title: 'X' })).status).toBe(403);
    // A valid token of another session does not work with this session's cookies.
    const other = await h.instructor('other@lab.org');
    c.csrf = other.csrf;
    expect((await c.post('/api/courses', { title: 'X' })).status).toBe(403);
    c.csrf = good;
    expect((await c.post('/api/courses', { title: 'X' })).status).toBe(201);
  });

  it('signs a student up through a join link, into that course', async () => {
    const prof = await h.instructor('prof@lab.org');
    const course = await h.course(prof, 'Tracing 101');
    const s = h.client();
    await s.get('/api/auth/me');
    const res = await s.post('/api/auth/signup', {
      joinCode: course.joinCode,
      email: 'Ana@Uni.edu',
      name: 'Ana',
      password: 'long-enough',
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      user: { email: 'ana@uni.edu', role: 'student' },
      course: { title: 'Tracing 101' },
    });
    const courses = await s.get('/api/courses');
    expect(courses.json.courses).toEqual([
      { id: course.id, title: 'Tracing 101', role: 'student' },
    ]);
    // The password is stored hashed with argon2id.
    expect((await h.store.getUserByEmail('ana@uni.edu'))?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('refuses sign-up with a bad join code, a short password, or a taken email', async () => {
    const prof = await h.instructor('prof@lab.org');
    const course = await h.course(prof, 'C');
    const s = h.client();
    await s.get('/api/auth/me');
    const base = {
      joinCode: course.joinCode,
      email: 'a@b.org',
      name: 'A',
      password: 'long-enough',
    };
    expect((await s.post('/api/auth/signup', { ...base, joinCode: 'nope' })).status).toBe(404);
    const short = await s.post('/api/auth/signup', { ...base, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.json.error).toMatch(/password: at least 8 characters/);
    expect((await s.post('/api/auth/signup', { ...base, email: 'prof@lab.org' })).status).toBe(409);
  });
});
