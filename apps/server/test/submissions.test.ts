import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dig, startHarness, submit } from './auth-harness.ts';
import type { Harness } from './auth-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ runLimits: { runsPerMinute: 3, maxSourceBytes: 1024 } });
});
afterEach(() => h.close());

async function setUp() {
  const prof = await h.instructor('prof@lab.org');
  const course = await h.course(prof, 'C');
  const ana = await h.student(course.joinCode, 'ana@uni.edu');
  const bob = await h.student(course.joinCode, 'bob@uni.edu');
  const anaId = String(dig((await ana.get('/api/auth/me')).json, 'user', 'id'));
  return { prof, course, ana, bob, anaId };
}

describe('/api/submissions', () => {
  it('lists a student their own runs, newest first, with the full result', async () => {
    const { ana, anaId } = await setUp();
    await submit(h, anaId, 'ex-one', 'int first;');
    const second = await submit(h, anaId, 'ex-one', 'int solved;');
    const list = await ana.get('/api/submissions?exerciseId=ex-one');
    expect(list.status).toBe(200);
    expect((list.json.runs as { id: string }[]).map((r) => r.id)[0]).toBe(second);
    const one = await ana.get(`/api/submissions/${second}`);
    expect(one.json).toMatchObject({
      run: { code: 'int solved;', state: 'finished', status: 'pass' },
      comments: [],
    });
    expect(dig(one.json, 'run', 'result', 'stages', 0, 'log')).toBe('verifier log line');
  });

  it("refuses a student another student's submission (403)", async () => {
    const { bob, anaId } = await setUp();
    const run = await submit(h, anaId, 'ex-one', 'int mine;');
    const res = await bob.get(`/api/submissions/${run}`);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.json)).not.toContain('int mine;');
    expect((await bob.get('/api/submissions')).json.runs).toEqual([]);
  });

  it('requires signing in, and 404s an unknown run', async () => {
    const { ana } = await setUp();
    expect((await h.client().get('/api/submissions')).status).toBe(401);
    expect((await ana.get('/api/submissions/nope')).status).toBe(404);
  });
});

describe('run recorder (called by the WebSocket run handler)', () => {
  it('stores signed-out single-user runs with no account', async () => {
    const accepted = await h.accounts.recorder.recordRunAccepted({
      runId: 'local-1',
      exerciseId: 'ex-one',
      code: 'int x;',
      user: null,
    });
    expect(accepted).toEqual({ ok: true });
    expect(await h.store.getRun('local-1')).toMatchObject({
      userId: null,
      state: 'queued',
      code: 'int x;',
    });
  });

  it('limits runs per student per minute and names the limit', async () => {
    const { anaId } = await setUp();
    for (let i = 0; i < 3; i++) await submit(h, anaId, 'ex-one', `int a${i};`);
    const user = await h.store.getUser(anaId);
    const refused = await h.accounts.recorder.recordRunAccepted({
      runId: 'r4',
      exerciseId: 'ex-one',
      code: 'x',
      user: user ?? null,
    });
    expect(refused).toMatchObject({ ok: false, code: 'rate-limited' });
    expect(refused.ok === false && refused.message).toMatch(/at most 3 runs per minute/);
    expect(await h.store.getRun('r4')).toBeUndefined();
    // Others are not affected, nor the signed-out local user (not limited per minute by default).
    for (let i = 0; i < 5; i++) {
      const local = await h.accounts.recorder.recordRunAccepted({
        runId: `l${i}`,
        exerciseId: 'ex-one',
        code: 'x',
        user: null,
      });
      expect(local.ok).toBe(true);
    }
  });

  it('limits signed-out runs per minute when the server is configured to', async () => {
    const limited = await startHarness({ runLimits: { anonymousRunsPerMinute: 1 } });
    try {
      const run = (runId: string) =>
        limited.accounts.recorder.recordRunAccepted({
          runId,
          exerciseId: 'ex-one',
          code: 'x',
          user: null,
        });
      expect((await run('a')).ok).toBe(true);
      expect(await run('b')).toMatchObject({
        ok: false,
        message: expect.stringMatching(/at most 1 run per minute/),
      });
    } finally {
      await limited.close();
    }
  });

  it('refuses an oversized submission and names the size limit', async () => {
    const refused = await h.accounts.recorder.recordRunAccepted({
      runId: 'big',
      exerciseId: 'ex-one',
      code: 'x'.repeat(3000),
      user: null,
    });
    expect(refused).toMatchObject({ ok: false, code: 'too-large' });
    expect(refused.ok === false && refused.message).toMatch(
      /3 KiB; submissions are limited to 1 KiB/,
    );
  });

  it('knows the user of a WebSocket upgrade from the session cookie', async () => {
    const { ana, anaId } = await setUp();
    const cookie = [...ana.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const fakeUpgrade = { headers: { cookie } } as IncomingMessage;
    expect((await h.accounts.userFromRequest(fakeUpgrade))?.id).toBe(anaId);
    const anon = { headers: {} } as IncomingMessage;
    expect(await h.accounts.userFromRequest(anon)).toBeNull();
  });
});
