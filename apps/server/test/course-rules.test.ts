// Course rules over HTTP: runs belong to the course they were made for, assignments grade the
// best attempt within their windows, course staff (instructor, assistant) and what each may do,
// removing members, and single-use password reset links.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dig, fakeResult, startHarness } from './auth-harness.ts';
import type { Client, Harness } from './auth-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ resetLinkTtlMs: 60_000 });
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A signed-out browser that has fetched its CSRF token, as the web app does first. */
async function browser(): Promise<Client> {
  const c = h.client();
  await c.get('/api/auth/me');
  return c;
}

async function idOf(c: Client): Promise<string> {
  return String(dig((await c.get('/api/auth/me')).json, 'user', 'id'));
}

/** Stores a finished run the way the WebSocket handler does, for the course the browser named. */
async function submit(userId: string, exerciseId: string, code: string, courseId?: string) {
  const runId = `run-${Math.random().toString(36).slice(2)}`;
  const user = await h.store.getUser(userId);
  const accepted = await h.accounts.recorder.recordRunAccepted({
    runId,
    exerciseId,
    code,
    user: user ?? null,
    courseId,
  });
  if (!accepted.ok) return accepted;
  await h.accounts.recorder.recordRunStarted(runId);
  await h.accounts.recorder.recordRunFinished(
    runId,
    fakeResult(runId, exerciseId, code.includes('solved')),
  );
  return { ok: true as const, runId, courseId: accepted.courseId };
}

async function submitted(userId: string, exerciseId: string, code: string, courseId?: string) {
  const r = await submit(userId, exerciseId, code, courseId);
  if (!r.ok) throw new Error(r.message);
  return r;
}

/** A course with an instructor, an assistant (a student account) and a student. */
async function setUp() {
  const prof = await h.instructor('prof@lab.org');
  const course = await h.course(prof, 'Tracing');
  const ana = await h.student(course.joinCode, 'ana@uni.edu');
  const anaId = await idOf(ana);
  const added = await prof.post(`/api/instructor/courses/${course.id}/staff`, {
    email: 'ta@uni.edu',
    name: 'Tess',
    role: 'assistant',
  });
  expect(added.status).toBe(201);
  const ta = await browser();
  const token = String(added.json.resetPath).split('/').pop();
  expect((await ta.post('/api/auth/reset', { token, password: 'assistant-pass' })).status).toBe(
    200,
  );
  const other = await h.instructor('other@lab.org');
  const otherCourse = await h.course(other, 'Other');
  return {
    prof,
    course,
    ana,
    anaId,
    ta,
    taId: await idOf(ta),
    other,
    otherCourse,
    base: `/api/instructor/courses/${course.id}`,
  };
}

describe('runs belong to a course', () => {
  it('shows an instructor only the runs made for their course, never the student’s other work', async () => {
    const { prof, course, ana, anaId, other, otherCourse, base } = await setUp();
    // Ana also takes the other course: her runs now need a course named to count anywhere.
    expect((await ana.post('/api/courses/join', { joinCode: otherCourse.joinCode })).status).toBe(
      200,
    );
    const mine = await submitted(anaId, 'ex-one', 'int a; // solved', course.id);
    const theirs = await submitted(anaId, 'ex-one', 'int b; // tried', otherCourse.id);
    const practice = await submitted(anaId, 'ex-one', 'int c; // solved');
    expect(mine.courseId).toBe(course.id);
    expect(theirs.courseId).toBe(otherCourse.id);
    expect(practice.courseId).toBeNull();

    const matrix = await prof.get(`${base}/matrix`);
    expect(dig(matrix.json, 'rows', 0, 'cells', 'ex-one')).toMatchObject({
      attempts: 1,
      latestRunId: mine.runId,
    });
    expect((await prof.get(`${base}/runs/${mine.runId}`)).status).toBe(200);
    for (const runId of [theirs.runId, practice.runId]) {
      expect((await prof.get(`${base}/runs/${runId}`)).status).toBe(404);
      expect(
        (await prof.post(`${base}/runs/${runId}/comments`, { line: 1, body: 'x' })).status,
      ).toBe(404);
      expect((await prof.post(`${base}/runs/${runId}/rerun`)).status).toBe(404);
    }
    const attempts = (await prof.get(`${base}/attempts.csv`)).text;
    expect(attempts).toContain(mine.runId);
    expect(attempts).not.toContain(theirs.runId);
    expect(attempts).not.toContain(practice.runId);
    // The submission's attempt list holds this course's attempts only.
    const detail = await prof.get(`${base}/runs/${mine.runId}`);
    expect((detail.json.attempts as { id: string }[]).map((a) => a.id)).toEqual([mine.runId]);

    const otherBase = `/api/instructor/courses/${otherCourse.id}`;
    expect(
      dig((await other.get(`${otherBase}/matrix`)).json, 'rows', 0, 'cells', 'ex-one'),
    ).toMatchObject({ attempts: 1, latestRunId: theirs.runId });
    expect((await other.get(`${otherBase}/runs/${mine.runId}`)).status).toBe(404);
    // A re-run belongs to the course of the run it re-grades.
    const rerun = await prof.post(`${base}/exercises/ex-one/rerun`);
    await h.runs.idle();
    const [rerunId] = rerun.json.runIds as string[];
    expect((await h.store.getRun(rerunId))?.courseId).toBe(course.id);
  });

  it('gives a student of one course that course without asking; staff practise outside it', async () => {
    const { course, anaId, taId, otherCourse } = await setUp();
    expect((await submitted(anaId, 'ex-one', 'int a;')).courseId).toBe(course.id);
    // Staff trying an exercise of their own course are not its students.
    expect((await submitted(taId, 'ex-one', 'int a;', course.id)).courseId).toBeNull();
    // A course the student is not in is refused, naming why.
    const refused = await submit(anaId, 'ex-one', 'int a;', otherCourse.id);
    expect(refused).toMatchObject({ ok: false, code: 'not-in-course' });
    expect(refused.ok === false && refused.message).toMatch(/not a student/);
  });
});

describe('course staff', () => {
  it('lets an assistant review, comment, re-run and export, but not change assignments or staff', async () => {
    const { ta, ana, prof, anaId, course, base } = await setUp();
    // The top navigation offers the desk to those who teach or assist, whatever their account.
    expect((await ta.get('/api/auth/me')).json.user).toMatchObject({
      role: 'student',
      teaches: true,
    });
    expect((await ana.get('/api/auth/me')).json.user).toMatchObject({ teaches: false });
    expect((await prof.get('/api/auth/me')).json.user).toMatchObject({ teaches: true });
    const run = await submitted(anaId, 'ex-one', 'int a;\n// solved\n', course.id);
    expect((await ta.get(`${base}/matrix`)).json.course).toMatchObject({ role: 'assistant' });
    expect((await ta.get(`${base}/runs/${run.runId}`)).status).toBe(200);
    expect(
      (await ta.post(`${base}/runs/${run.runId}/comments`, { line: 1, body: 'Nice.' })).status,
    ).toBe(201);
    expect((await ta.post(`${base}/runs/${run.runId}/rerun`)).status).toBe(202);
    for (const file of ['grades.csv', 'grades-canvas.csv', 'grades-moodle.csv', 'attempts.csv']) {
      expect((await ta.get(`${base}/${file}`)).status, file).toBe(200);
    }
    const members = await ta.get(`${base}/members`);
    expect(members.json.canManage).toBe(false);
    expect((await ta.get(`${base}/assignments`)).status).toBe(200);
    // The assistant's course list names the role, with the join link staff hand out.
    expect((await ta.get('/api/courses')).json.courses).toMatchObject([
      { id: course.id, role: 'assistant', joinPath: expect.stringMatching(/^\/join\//) },
    ]);
  });

  it('gives each new route to the roles it is for: instructor, assistant, student, other course', async () => {
    const { prof, ta, ana, anaId, other, base } = await setUp();
    const assignment = {
      exerciseIds: ['ex-one'],
      opensAt: new Date(Date.now() - DAY).toISOString(),
      dueAt: new Date(Date.now() + DAY).toISOString(),
    };
    const routes: {
      method: 'GET' | 'POST' | 'DELETE';
      path: string;
      body?: unknown;
      manage: boolean;
    }[] = [
      { method: 'GET', path: `${base}/members`, manage: false },
      { method: 'GET', path: `${base}/assignments`, manage: false },
      { method: 'GET', path: `${base}/grades-canvas.csv`, manage: false },
      { method: 'GET', path: `${base}/grades-moodle.csv`, manage: false },
      { method: 'POST', path: `${base}/assignments`, body: assignment, manage: true },
      { method: 'DELETE', path: `${base}/assignments/ex-one`, manage: true },
      {
        method: 'POST',
        path: `${base}/staff`,
        body: { email: 'new@uni.edu', name: 'New', role: 'assistant' },
        manage: true,
      },
      { method: 'POST', path: `${base}/members/${anaId}/reset-link`, manage: true },
      { method: 'DELETE', path: `${base}/members/${anaId}`, manage: true },
    ];
    const anon = h.client();
    await anon.get('/api/auth/me');
    for (const r of routes) {
      const label = `${r.method} ${r.path}`;
      expect((await ana.request(r.method, r.path, r.body)).status, `student ${label}`).toBe(403);
      expect((await other.request(r.method, r.path, r.body)).status, `other ${label}`).toBe(403);
      expect((await anon.request(r.method, r.path, r.body)).status, `anon ${label}`).toBe(401);
      const byTa = await ta.request(r.method, r.path, r.body);
      expect(byTa.status, `assistant ${label}`).toBe(r.manage ? 403 : 200);
      if (r.manage) expect(byTa.json.error).toMatch(/only the course’s instructors/);
    }
    // The same routes, in order, by the instructor (the removal last: Ana leaves the course).
    const statuses = [];
    for (const r of routes) statuses.push((await prof.request(r.method, r.path, r.body)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 201, 200, 201, 201, 200]);
  });

  it('removes a student: gone from the desk, their runs for it hidden, their next run refused', async () => {
    const { prof, ana, anaId, course, base } = await setUp();
    const run = await submitted(anaId, 'ex-one', 'int a;', course.id);
    expect((await prof.get(`${base}/members`)).json.members).toMatchObject([
      { email: 'prof@lab.org', courseRole: 'instructor' },
      { email: 'ta@uni.edu', courseRole: 'assistant' },
      { email: 'ana@uni.edu', courseRole: 'student' },
    ]);
    expect((await prof.request('DELETE', `${base}/members/${anaId}`)).status).toBe(200);
    expect((await prof.get(`${base}/matrix`)).json.rows).toEqual([]);
    expect((await prof.get(`${base}/runs/${run.runId}`)).status).toBe(404);
    expect((await ana.get('/api/courses')).json.courses).toEqual([]);
    expect(await submit(anaId, 'ex-one', 'int a;', course.id)).toMatchObject({
      ok: false,
      code: 'not-in-course',
    });
    expect((await prof.request('DELETE', `${base}/members/${anaId}`)).status).toBe(404);
  });

  it('keeps at least one instructor, and lets a co-instructor be added and removed', async () => {
    const { prof, base } = await setUp();
    const profId = await idOf(prof);
    const last = await prof.request('DELETE', `${base}/members/${profId}`);
    expect(last.status).toBe(409);
    expect(last.json.error).toMatch(/at least one instructor/);
    const co = await h.instructor('co@lab.org');
    const added = await prof.post(`${base}/staff`, { email: 'CO@lab.org', role: 'instructor' });
    expect(added.status).toBe(201);
    // An existing account is added as it is: no reset link handed out.
    expect(added.json.resetPath).toBeUndefined();
    expect((await co.get(`${base}/members`)).json.canManage).toBe(true);
    const again = await prof.post(`${base}/staff`, { email: 'co@lab.org', role: 'assistant' });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/already an? instructor/);
    expect((await co.request('DELETE', `${base}/members/${profId}`)).status).toBe(200);
    expect((await prof.get(`${base}/matrix`)).status).toBe(403);
    const noName = await co.post(`${base}/staff`, { email: 'nobody@uni.edu', role: 'assistant' });
    expect(noName.status).toBe(400);
    expect(noName.json.error).toMatch(/^name:/);
  });
});

describe('password reset links', () => {
  it('leaves an account created for new staff without a password until the link sets one', async () => {
    const { prof, base } = await setUp();
    const added = await prof.post(`${base}/staff`, {
      email: 'new@uni.edu',
      name: 'New',
      role: 'instructor',
    });
    expect(added.status).toBe(201);
    expect((await h.store.getUserByEmail('new@uni.edu'))?.role).toBe('instructor');
    for (const password of ['', 'anything-at-all']) {
      expect((await h.client().login('new@uni.edu', password)).status, password).toBe(401);
    }
    const token = String(added.json.resetPath).split('/').pop();
    const fresh = await browser();
    expect((await fresh.post('/api/auth/reset', { token, password: 'chosen-pass' })).status).toBe(
      200,
    );
    expect((await fresh.get(`${base}/members`)).json.canManage).toBe(true);
  });

  it('works once, then fails clearly; it ends the sessions the account had', async () => {
    const { prof, ana, anaId, base } = await setUp();
    const issued = await prof.post(`${base}/members/${anaId}/reset-link`);
    expect(issued.status).toBe(201);
    expect(String(issued.json.resetPath)).toMatch(/^\/reset\/[A-Za-z0-9_-]{43}$/);
    const token = String(issued.json.resetPath).split('/').pop();
    // Only the token's hash is stored.
    expect(JSON.stringify(await h.store.checkPasswordReset(String(token)))).toMatch(/unknown/);

    const fresh = await browser();
    expect((await fresh.get(`/api/auth/reset/${token}`)).json).toEqual({
      account: { email: 'ana@uni.edu', name: 'ana' },
    });
    const short = await fresh.post('/api/auth/reset', { token, password: 'short' });
    expect(short.status).toBe(400);
    const used = await fresh.post('/api/auth/reset', { token, password: 'a-new-password' });
    expect(used.status).toBe(200);
    expect(dig(used.json, 'user', 'email')).toBe('ana@uni.edu');
    expect((await fresh.get('/api/submissions')).status).toBe(200);
    // Whoever held the account before is signed out; the old password no longer works.
    expect((await ana.get('/api/submissions')).status).toBe(401);
    expect((await h.client().login('ana@uni.edu', 'student-pass')).status).toBe(401);
    expect((await h.client().login('ana@uni.edu', 'a-new-password')).status).toBe(200);

    const again = await (
      await browser()
    ).post('/api/auth/reset', { token, password: 'third-password' });
    expect(again.status).toBe(410);
    expect(again.json.error).toMatch(/used already/);
    expect((await h.client().get(`/api/auth/reset/${token}`)).status).toBe(410);
    const bogus = await h.client().get('/api/auth/reset/not-a-token');
    expect(bogus.status).toBe(404);
    expect(bogus.json.error).toMatch(/not valid/);
  });

  it('expires', async () => {
    const { prof, anaId, base } = await setUp();
    const issued = await prof.post(`${base}/members/${anaId}/reset-link`);
    const token = String(issued.json.resetPath).split('/').pop();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    const late = await (
      await browser()
    ).post('/api/auth/reset', { token, password: 'a-new-password' });
    expect(late.status).toBe(410);
    expect(late.json.error).toMatch(/expired/);
  });

  it('is never handed out for an account that sees beyond the instructor’s courses', async () => {
    const { prof, other, otherCourse, course, taId, base } = await setUp();
    // A co-instructor: reset by the lab's administrator only.
    await h.instructor('co@lab.org');
    await prof.post(`${base}/staff`, { email: 'co@lab.org', role: 'instructor' });
    const coId = String(
      ((await prof.get(`${base}/members`)).json.members as { id: string; email: string }[]).find(
        (m) => m.email === 'co@lab.org',
      )?.id,
    );
    const co = await prof.post(`${base}/members/${coId}/reset-link`);
    expect(co.status).toBe(403);
    expect(co.json.error).toMatch(/reset-link/);
    // The assistant also assists in a course this instructor does not teach.
    await other.post(`/api/instructor/courses/${otherCourse.id}/staff`, {
      email: 'ta@uni.edu',
      role: 'assistant',
    });
    const ta = await prof.post(`${base}/members/${taId}/reset-link`);
    expect(ta.status).toBe(403);
    expect(ta.json.error).toMatch(/staff of a course you do not teach/);
    // Not a member of this course at all.
    const outsider = await h.student(otherCourse.joinCode, 'out@uni.edu');
    expect((await prof.post(`${base}/members/${await idOf(outsider)}/reset-link`)).status).toBe(
      404,
    );
    expect(course.id).not.toBe(otherCourse.id);
  });
});

describe('assignments', () => {
  it('validates windows and exercises, naming the field', async () => {
    const { prof, base } = await setUp();
    const t = Date.now();
    const at = (ms: number) => new Date(t + ms).toISOString();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ exerciseIds: ['ex-one'], opensAt: at(DAY), dueAt: at(0) }, /^dueAt: must be after/],
      [
        {
          exerciseIds: ['ex-one'],
          opensAt: at(0),
          dueAt: at(DAY),
          lateUntil: at(HOUR),
          lateCreditPercent: 50,
        },
        /^lateUntil: must be after the due time/,
      ],
      [
        { exerciseIds: ['ex-one'], opensAt: at(0), dueAt: at(DAY), lateUntil: at(2 * DAY) },
        /^lateCreditPercent: a late window needs/,
      ],
      [
        {
          exerciseIds: ['ex-one'],
          opensAt: at(0),
          dueAt: at(DAY),
          lateUntil: at(2 * DAY),
          lateCreditPercent: 101,
        },
        /^lateCreditPercent:/,
      ],
      [
        { exerciseIds: ['nope'], opensAt: at(0), dueAt: at(DAY) },
        /^exerciseIds: no exercise "nope"/,
      ],
      [{ exerciseIds: [], opensAt: at(0), dueAt: at(DAY) }, /^exerciseIds:/],
      [{ exerciseIds: ['ex-one'], opensAt: 'tomorrow', dueAt: at(DAY) }, /^opensAt: a date/],
    ];
    for (const [body, message] of cases) {
      const res = await prof.post(`${base}/assignments`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toMatch(message);
    }
    expect((await prof.get(`${base}/assignments`)).json.assignments).toEqual([]);
    // Several exercises at once, with the same times.
    const both = await prof.post(`${base}/assignments`, {
      exerciseIds: ['ex-one', 'ex-two'],
      opensAt: at(0),
      dueAt: at(DAY),
    });
    expect(both.status).toBe(201);
    expect((both.json.assignments as { title: string }[]).map((a) => a.title)).toEqual([
      'First',
      'Second',
    ]);
    expect((await prof.request('DELETE', `${base}/assignments/ex-two`)).status).toBe(200);
    expect((await prof.request('DELETE', `${base}/assignments/ex-two`)).status).toBe(404);
  });

  it('grades the best attempt within the rules: before opening, on time, late with credit, after the window', async () => {
    const { prof, ana, anaId, course, base } = await setUp();
    const bo = await h.student(course.joinCode, 'bo@uni.edu');
    const boId = await idOf(bo);
    const t0 = Date.now();
    const opensAt = t0 + DAY;
    const dueAt = t0 + 2 * DAY;
    const lateUntil = t0 + 3 * DAY;
    expect(
      (
        await prof.post(`${base}/assignments`, {
          exerciseIds: ['ex-one'],
          opensAt: new Date(opensAt).toISOString(),
          dueAt: new Date(dueAt).toISOString(),
          lateUntil: new Date(lateUntil).toISOString(),
          lateCreditPercent: 60,
        })
      ).status,
    ).toBe(201);
    const clock = (ms: number) => vi.useFakeTimers({ toFake: ['Date'], now: ms });

    // Before the opening: a passing attempt does not count; the student sees it upcoming.
    clock(opensAt - HOUR);
    const early = await submitted(anaId, 'ex-one', 'int early; // solved', course.id);
    const upcoming = await ana.get('/api/assignments');
    expect(dig(upcoming.json, 'courses', 0, 'assignments', 0)).toMatchObject({
      exerciseId: 'ex-one',
      title: 'First',
      lateCreditPercent: 60,
      standing: { window: 'upcoming', grade: null, countedAttempts: 0 },
    });
    // On time: a failing attempt counts, at its score (no required check passed: 0).
    clock(opensAt + HOUR);
    await submitted(anaId, 'ex-one', 'int tried;', course.id);
    // An instructor's re-run counts at its original's time: the early pass re-run now still
    // does not count.
    expect((await prof.post(`${base}/runs/${early.runId}/rerun`)).status).toBe(202);
    await h.runs.idle();
    expect(
      dig((await ana.get('/api/assignments')).json, 'courses', 0, 'assignments', 0, 'standing'),
    ).toMatchObject({ window: 'open', grade: 0, countedAttempts: 1 });
    // Exactly at the due time is still on time.
    clock(dueAt);
    const onTime = await submitted(boId, 'ex-one', 'int b; // solved', course.id);
    // In the late window: a pass earns 60%.
    clock(dueAt + HOUR);
    const late = await submitted(anaId, 'ex-one', 'int late; // solved', course.id);
    expect(
      dig((await ana.get('/api/assignments')).json, 'courses', 0, 'assignments', 0, 'standing'),
    ).toMatchObject({
      window: 'late',
      grade: 0.6,
      late: true,
      gradedRunId: late.runId,
      countedAttempts: 2,
    });
    // After the window: nothing counts any more.
    clock(lateUntil + HOUR);
    await submitted(anaId, 'ex-one', 'int after; // solved', course.id);

    const matrix = await prof.get(`${base}/matrix`);
    const cell = (email: string) =>
      (matrix.json.rows as { student: { email: string }; cells: Record<string, unknown> }[]).find(
        (r) => r.student.email === email,
      )?.cells['ex-one'];
    expect(cell('ana@uni.edu')).toMatchObject({
      state: 'passed',
      attempts: 4,
      assignment: {
        window: 'closed',
        grade: 0.6,
        late: true,
        gradedRunId: late.runId,
        countedAttempts: 2,
      },
    });
    expect(cell('bo@uni.edu')).toMatchObject({
      assignment: { grade: 1, late: false, gradedRunId: onTime.runId },
    });
    // Every export agrees: ours from 0 to 1, Canvas and Moodle in points out of 100. A student
    // with nothing counted gets 0 once the window closed.
    const cara = await h.student(course.joinCode, 'cara@uni.edu');
    expect(cara).toBeDefined();
    const lab = (await prof.get(`${base}/grades.csv`)).text.trim().split('\r\n');
    expect(lab).toEqual([
      'email,name,ex-one',
      'ana@uni.edu,ana,0.6',
      'bo@uni.edu,bo,1',
      'cara@uni.edu,cara,0',
    ]);
    const canvas = (await prof.get(`${base}/grades-canvas.csv`)).text.trim().split('\r\n');
    expect(canvas).toEqual([
      'Student,ID,SIS User ID,SIS Login ID,Section,First',
      'Points Possible,,,,,100',
      'ana,,,ana@uni.edu,,60',
      'bo,,,bo@uni.edu,,100',
      'cara,,,cara@uni.edu,,0',
    ]);
    const moodle = (await prof.get(`${base}/grades-moodle.csv`)).text.trim().split('\r\n');
    expect(moodle).toEqual([
      'Full name,Email address,First',
      'ana,ana@uni.edu,60',
      'bo,bo@uni.edu,100',
      'cara,cara@uni.edu,0',
    ]);
  });

  it('shows a student only the assignments of courses they take', async () => {
    const { prof, ana, ta, other, otherCourse, base } = await setUp();
    await prof.post(`${base}/assignments`, {
      exerciseIds: ['ex-two'],
      opensAt: new Date(Date.now() - DAY).toISOString(),
      dueAt: new Date(Date.now() + DAY).toISOString(),
    });
    await other.post(`/api/instructor/courses/${otherCourse.id}/assignments`, {
      exerciseIds: ['ex-one'],
      opensAt: new Date(Date.now() - DAY).toISOString(),
      dueAt: new Date(Date.now() + DAY).toISOString(),
    });
    const mine = await ana.get('/api/assignments');
    expect(mine.json.courses).toMatchObject([
      { title: 'Tracing', assignments: [{ exerciseId: 'ex-two', standing: { window: 'open' } }] },
    ]);
    expect((mine.json.courses as unknown[]).length).toBe(1);
    // Staff are not graded.
    expect((await ta.get('/api/assignments')).json.courses).toEqual([]);
    expect((await h.client().get('/api/assignments')).status).toBe(401);
  });
});
