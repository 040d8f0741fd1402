// The desk's review flow, the class's mistakes and the student's comment notifications, through
// the routes, with who may do what: the course's instructor, a co-instructor who did not write a
// comment, a student, and the instructor of another course.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '@ebpf-lab/protocol';
import { dig, fakeResult, startHarness, submit } from './auth-harness.ts';
import type { Client, Harness } from './auth-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const idOf = async (c: Client) => String(dig((await c.get('/api/auth/me')).json, 'user', 'id'));
/** A signed-out browser, holding a CSRF token so that only the missing session refuses it. */
async function signedOut(): Promise<Client> {
  const c = h.client();
  await c.get('/api/auth/me');
  return c;
}
const patch = (c: Client, path: string, body: unknown) => c.request('PATCH', path, body);
const del = (c: Client, path: string) => c.request('DELETE', path);

/** Stores a finished run whose checks are `checks` (status fail unless every one passed). */
async function submitChecks(
  userId: string,
  exerciseId: string,
  checks: CheckResult[],
): Promise<string> {
  const runId = `run-${Math.random().toString(36).slice(2)}`;
  const user = await h.store.getUser(userId);
  const accepted = await h.accounts.recorder.recordRunAccepted({
    runId,
    exerciseId,
    code: 'int x;\n',
    user: user ?? null,
  });
  if (!accepted.ok) throw new Error(accepted.message);
  const pass = checks.every((c) => c.status === 'pass');
  await h.accounts.recorder.recordRunFinished(runId, {
    ...fakeResult(runId, exerciseId, pass),
    checks,
  });
  return runId;
}

const check = (id: string, status: CheckResult['status'], hint?: string): CheckResult => ({
  id,
  title: `Check ${id}`,
  required: true,
  status,
  message: 'm',
  ...(hint ? { hint } : {}),
});

async function setUp() {
  const prof = await h.instructor('prof@lab.org');
  const course = await h.course(prof, 'Tracing');
  const ana = await h.student(course.joinCode, 'ana@uni.edu');
  const bob = await h.student(course.joinCode, 'bob@uni.edu');
  const anaId = await idOf(ana);
  const bobId = await idOf(bob);
  const first = await submit(h, anaId, 'ex-one', 'int main;\n// tried\n');
  const second = await submit(h, anaId, 'ex-one', 'int main;\n// solved\n');
  const bobs = await submit(h, bobId, 'ex-one', 'int bob;\n');
  const base = `/api/instructor/courses/${course.id}`;
  const other = await h.instructor('other@lab.org');
  await h.course(other, 'Other course');
  return { prof, course, ana, bob, anaId, bobId, first, second, bobs, base, other };
}

describe('comments on a submission', () => {
  it('are edited and deleted by their author, and by nobody else', async () => {
    const { prof, ana, other, course, base, first, second } = await setUp();
    const made = await prof.post(`${base}/runs/${second}/comments`, { line: 2, body: 'Why?' });
    expect(made.status).toBe(201);
    const commentId = String(dig(made.json, 'comment', 'id'));
    const path = `${base}/runs/${second}/comments/${commentId}`;

    const edited = await patch(prof, path, { body: 'Why is this line here?' });
    expect(edited.status).toBe(200);
    expect(edited.json.comment).toMatchObject({ body: 'Why is this line here?', line: 2 });
    expect(dig(edited.json, 'comment', 'editedAt')).toEqual(expect.any(String));
    expect(dig((await ana.get(`/api/submissions/${second}`)).json, 'comments', 0, 'body')).toBe(
      'Why is this line here?',
    );
    expect((await patch(prof, path, { body: '   ' })).status).toBe(400);

    // A co-instructor of the same course reads it but may not change someone else's words.
    const colleague = await h.instructor('colleague@lab.org');
    await h.store.enroll(course.id, await idOf(colleague), 'instructor');
    expect((await colleague.get(`${base}/runs/${second}`)).status).toBe(200);
    expect((await patch(colleague, path, { body: 'mine now' })).status).toBe(403);
    expect((await del(colleague, path)).status).toBe(403);
    // The student, and the instructor of another course, get no further.
    expect((await patch(ana, path, { body: 'x' })).status).toBe(403);
    expect((await del(ana, path)).status).toBe(403);
    expect((await patch(other, path, { body: 'x' })).status).toBe(403);
    expect((await del(other, path)).status).toBe(403);
    expect((await (await signedOut()).request('DELETE', path)).status).toBe(401);
    expect((await h.store.getComment(commentId))?.body).toBe('Why is this line here?');

    // A comment is changed only through the run it belongs to.
    const wrongRun = `${base}/runs/${first}/comments/${commentId}`;
    expect((await patch(prof, wrongRun, { body: 'x' })).status).toBe(404);

    expect((await del(prof, path)).status).toBe(204);
    expect(await h.store.getComment(commentId)).toBeUndefined();
    expect((await del(prof, path)).status).toBe(404);
    expect(dig((await ana.get(`/api/submissions/${second}`)).json, 'comments')).toEqual([]);
  });
});

describe('review navigation', () => {
  it('links the previous and next attempt, and the students before and after', async () => {
    const { prof, base, first, second, bobs, anaId, bobId } = await setUp();
    const atFirst = await prof.get(`${base}/runs/${first}`);
    expect(atFirst.json.navigation).toMatchObject({
      previousAttempt: null,
      nextAttempt: { id: second },
      previousStudent: null,
      nextStudent: { runId: bobs, studentId: bobId, studentName: 'bob' },
    });
    const atBob = await prof.get(`${base}/runs/${bobs}`);
    expect(atBob.json.navigation).toMatchObject({
      previousAttempt: null,
      nextAttempt: null,
      // Ana's latest attempt.
      previousStudent: { runId: second, studentId: anaId },
      nextStudent: null,
    });
    // A re-run sits at the place of the attempt it re-graded.
    const rerun = await prof.post(`${base}/runs/${first}/rerun`);
    await h.runs.idle();
    const runId = (rerun.json.runIds as string[])[0];
    const atRerun = await prof.get(`${base}/runs/${runId}`);
    expect(atRerun.json.navigation).toMatchObject({
      previousAttempt: null,
      nextAttempt: { id: second },
    });
  });
});

describe('the live matrix', () => {
  it("shows each student's activity: a run in progress and the last run", async () => {
    const { prof, base, anaId, bobId } = await setUp();
    await h.accounts.recorder.recordRunAccepted({
      runId: 'bob-running',
      exerciseId: 'ex-two',
      code: 'int y;',
      user: (await h.store.getUser(bobId)) ?? null,
    });
    const res = await prof.get(`${base}/matrix`);
    const activity = res.json.activity as Record<string, unknown>;
    expect(activity[anaId]).toMatchObject({
      runningExerciseId: null,
      lastRunAt: expect.any(String),
    });
    expect(activity[bobId]).toMatchObject({ runningExerciseId: 'ex-two' });
    expect(Object.keys(activity).sort()).toEqual([anaId, bobId].sort());
  });
});

describe("the class's mistakes", () => {
  it('counts pass rate, attempts and time to pass, and the checks that fail most with their hint and examples', async () => {
    const { prof, base, bobId, course } = await setUp();
    const cy = await h.student(course.joinCode, 'cy@uni.edu');
    const cyId = await idOf(cy);
    const fails = [check('key', 'fail', 'Zero the key first.'), check('order', 'pass')];
    const cyRun1 = await submitChecks(cyId, 'ex-two', fails);
    const cyRun2 = await submitChecks(cyId, 'ex-two', [
      check('key', 'pass'),
      check('order', 'pass'),
    ]);
    const bobRun = await submitChecks(bobId, 'ex-two', [
      check('key', 'fail', 'Zero the key first.'),
      check('order', 'fail', 'Read before you submit.'),
    ]);
    // An instructor's re-run is not a student's attempt.
    await prof.post(`${base}/runs/${bobRun}/rerun`);
    await h.runs.idle();

    const res = await prof.get(`${base}/mistakes`);
    expect(res.status).toBe(200);
    const [one, two] = res.json.exercises as Record<string, unknown>[];
    // ex-one (the harness's runs): Ana passed at her second attempt, Bob has not.
    expect(one).toMatchObject({
      exerciseId: 'ex-one',
      title: 'First',
      tried: 2,
      passed: 1,
      passRate: 0.5,
      medianAttemptsToPass: 2,
      attempts: 3,
    });
    expect(two).toMatchObject({
      exerciseId: 'ex-two',
      title: 'Second',
      tried: 2,
      passed: 1,
      passRate: 0.5,
      medianAttemptsToPass: 2,
      attempts: 3,
      failingChecks: [
        {
          id: 'key',
          title: 'Check key',
          students: 2,
          stillFailing: 1,
          attempts: 2,
          hint: 'Zero the key first.',
        },
        { id: 'order', students: 1, stillFailing: 1, attempts: 1, hint: 'Read before you submit.' },
      ],
    });
    const key = (two.failingChecks as { examples: { runId: string; studentName: string }[] }[])[0];
    expect(key.examples.map((e) => e.runId).sort()).toEqual([cyRun1, bobRun].sort());
    expect(key.examples.map((e) => e.studentName).sort()).toEqual(['bob', 'cy']);
    expect(two.medianTimeToPassMs).toEqual(expect.any(Number));
    expect(cyRun2).not.toBe(cyRun1);
  });

  it("is the course instructor's only: 403 for a student and another course, 401 signed out", async () => {
    const { ana, other, base } = await setUp();
    expect((await ana.get(`${base}/mistakes`)).status).toBe(403);
    expect((await other.get(`${base}/mistakes`)).status).toBe(403);
    expect((await h.client().get(`${base}/mistakes`)).status).toBe(401);
  });

  it("never counts another course's students", async () => {
    const { other } = await setUp();
    const own = await h.course(other, 'Their own');
    const res = await other.get(`/api/instructor/courses/${own.id}/mistakes`);
    expect(res.status).toBe(200);
    for (const e of res.json.exercises as { tried: number; failingChecks: unknown[] }[]) {
      expect(e.tried).toBe(0);
      expect(e.failingChecks).toEqual([]);
    }
  });
});

describe('comment notifications', () => {
  it('counts unread comments per exercise until the student reads them; an edit is news again', async () => {
    const { prof, ana, bob, base, first, second } = await setUp();
    await prof.post(`${base}/runs/${first}/comments`, { line: 1, body: 'a' });
    const made = await prof.post(`${base}/runs/${second}/comments`, { line: 2, body: 'b' });
    await prof.post(`${base}/runs/${second}/comments`, { line: 1, body: 'c' });

    const unread = await ana.get('/api/submissions/unread');
    expect(unread.status).toBe(200);
    expect(unread.json).toMatchObject({ total: 3, byExercise: { 'ex-one': 3 } });
    expect(unread.json.runs).toEqual(
      expect.arrayContaining([
        { runId: second, exerciseId: 'ex-one', exerciseTitle: 'First', count: 2 },
      ]),
    );
    const list = await ana.get('/api/submissions');
    const row = (list.json.runs as { id: string }[]).find((r) => r.id === second);
    expect(row).toMatchObject({ exerciseTitle: 'First', comments: 2, unreadComments: 2 });

    // Bob has nothing new, and may not mark Ana's comments read.
    expect((await bob.get('/api/submissions/unread')).json).toMatchObject({ total: 0 });
    expect((await bob.post(`/api/submissions/${second}/read`)).status).toBe(403);
    expect((await prof.post(`/api/submissions/${second}/read`)).status).toBe(403);
    expect((await (await signedOut()).post(`/api/submissions/${second}/read`)).status).toBe(401);

    expect((await ana.post(`/api/submissions/${second}/read`)).json).toEqual({ marked: 2 });
    expect((await ana.get('/api/submissions/unread')).json).toMatchObject({ total: 1 });

    const commentId = String(dig(made.json, 'comment', 'id'));
    await patch(prof, `${base}/runs/${second}/comments/${commentId}`, { body: 'b, clearer' });
    expect((await ana.get('/api/submissions/unread')).json).toMatchObject({
      total: 2,
      byExercise: { 'ex-one': 2 },
    });
    expect(dig((await ana.get(`/api/submissions/${second}`)).json, 'exercise', 'title')).toBe(
      'First',
    );
  });
});
