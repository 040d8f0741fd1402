import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dig, fakeRunner, startHarness, submit } from './auth-harness.ts';
import type { Harness } from './auth-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

async function setUp() {
  const prof = await h.instructor('prof@lab.org');
  const course = await h.course(prof, 'Tracing');
  const ana = await h.student(course.joinCode, 'ana@uni.edu');
  const anaId = String(dig((await ana.get('/api/auth/me')).json, 'user', 'id'));
  const first = await submit(h, anaId, 'ex-one', 'int main;\n// tried\n');
  const second = await submit(h, anaId, 'ex-one', 'int main;\n// solved\n');
  const base = `/api/instructor/courses/${course.id}`;
  return { prof, course, ana, anaId, first, second, base };
}

describe('/api/instructor', () => {
  it('shows the course matrix: state, attempts, best result, last activity', async () => {
    const { prof, base, second } = await setUp();
    const res = await prof.get(`${base}/matrix`);
    expect(res.status).toBe(200);
    expect(res.json.exercises).toEqual([
      { id: 'ex-one', title: 'First' },
      { id: 'ex-two', title: 'Second' },
    ]);
    expect(res.json.rows).toMatchObject([
      {
        student: { email: 'ana@uni.edu' },
        cells: {
          'ex-one': {
            state: 'passed',
            attempts: 2,
            best: { runId: second, status: 'pass', score: 1 },
            latestRunId: second,
          },
          'ex-two': { state: 'not-started', attempts: 0, best: null, lastActivity: null },
        },
      },
    ]);
  });

  it('opens a submission with code, starter, previous attempt, result and comments', async () => {
    const { prof, base, first, second } = await setUp();
    const res = await prof.get(`${base}/runs/${second}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      run: {
        id: second,
        code: 'int main;\n// solved\n',
        result: { stages: [{ log: 'verifier log line' }] },
      },
      exercise: { id: 'ex-one', starter: 'int main;\n// TODO\n' },
      previous: { id: first, code: 'int main;\n// tried\n' },
      student: { email: 'ana@uni.edu' },
    });
    expect((res.json.attempts as { id: string }[]).map((a) => a.id)).toEqual([first, second]);
    expect(dig((await prof.get(`${base}/runs/${first}`)).json, 'previous')).toBeNull();
  });

  it('leaves a line comment that the student sees on their submission', async () => {
    const { prof, ana, base, second } = await setUp();
    const res = await prof.post(`${base}/runs/${second}/comments`, {
      line: 2,
      body: 'Why a comment here?',
    });
    expect(res.status).toBe(201);
    const seen = await ana.get(`/api/submissions/${second}`);
    expect(seen.json.comments).toMatchObject([
      { line: 2, body: 'Why a comment here?', authorName: 'prof' },
    ]);
    const bad = await prof.post(`${base}/runs/${second}/comments`, { line: 99, body: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/3 lines/);
  });

  it('re-runs a submission and a whole exercise as new runs, keeping the originals', async () => {
    const { prof, base, first, second } = await setUp();
    fakeRunner.calls.length = 0;
    const one = await prof.post(`${base}/runs/${first}/rerun`);
    expect(one.status).toBe(202);
    const all = await prof.post(`${base}/exercises/ex-one/rerun`);
    expect(all.status).toBe(202);
    await h.runs.idle();
    const ids = [...(one.json.runIds as string[]), ...(all.json.runIds as string[])];
    expect(ids).toHaveLength(2);
    expect(fakeRunner.calls.map((c) => c.code)).toEqual([
      'int main;\n// tried\n',
      'int main;\n// solved\n',
    ]);
    const rerun = await h.store.getRun(ids[1]);
    expect(rerun).toMatchObject({
      kind: 'rerun',
      rerunOf: second,
      state: 'finished',
      status: 'pass',
    });
    expect((await h.store.getRun(first))?.kind).toBe('student');
    // Re-runs are not the student's attempts.
    const matrix = await prof.get(`${base}/matrix`);
    expect(dig(matrix.json, 'rows', 0, 'cells', 'ex-one', 'attempts')).toBe(2);
    expect((await prof.post(`${base}/exercises/nope/rerun`)).status).toBe(404);
  });

  it('exports grades as CSV: one row per student, one column per exercise, and every attempt', async () => {
    const { prof, course, base, first } = await setUp();
    const eve = h.client();
    await eve.get('/api/auth/me');
    await eve.post('/api/auth/signup', {
      joinCode: course.joinCode,
      email: 'eve@uni.edu',
      name: '=HYPERLINK("x")',
      password: 'long-enough',
    });
    const wide = await prof.get(`${base}/grades.csv`);
    expect(wide.status).toBe(200);
    expect(wide.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = wide.text.trim().split('\r\n');
    expect(lines[0]).toBe('email,name,ex-one,ex-two');
    expect(lines).toContain('ana@uni.edu,ana,1,');
    // A name a spreadsheet would run as a formula is exported as text.
    expect(lines).toContain(`eve@uni.edu,"'=HYPERLINK(""x"")",,`);
    const long = await prof.get(`${base}/attempts.csv`);
    const rows = long.text.trim().split('\r\n');
    expect(rows[0].split(',').slice(0, 4)).toEqual(['email', 'name', 'exercise', 'run_id']);
    expect(rows.filter((r) => r.startsWith('ana@uni.edu,'))).toHaveLength(2);
    expect(rows.some((r) => r.includes(first) && r.includes(',fail,'))).toBe(true);
  });

  it('refuses every instructor route to a student (403)', async () => {
    const { ana, base, second } = await setUp();
    for (const path of [
      `${base}/matrix`,
      `${base}/runs/${second}`,
      `${base}/grades.csv`,
      `${base}/attempts.csv`,
    ]) {
      expect((await ana.get(path)).status, path).toBe(403);
    }
    for (const path of [
      `${base}/runs/${second}/comments`,
      `${base}/runs/${second}/rerun`,
      `${base}/exercises/ex-one/rerun`,
    ]) {
      expect((await ana.post(path, { line: 1, body: 'x' })).status, path).toBe(403);
    }
  });

  it('keeps an instructor out of another course (403) and its submissions', async () => {
    const { base, second, course } = await setUp();
    const other = await h.instructor('other@lab.org');
    const own = await h.course(other, 'Other');
    for (const path of [
      `${base}/matrix`,
      `${base}/runs/${second}`,
      `${base}/grades.csv`,
      `${base}/attempts.csv`,
    ]) {
      expect((await other.get(path)).status, path).toBe(403);
    }
    expect(
      (await other.post(`${base}/runs/${second}/comments`, { line: 1, body: 'x' })).status,
    ).toBe(403);
    expect((await other.post(`${base}/exercises/ex-one/rerun`)).status).toBe(403);
    // Naming a foreign run under their own course does not help either.
    expect((await other.get(`/api/instructor/courses/${own.id}/runs/${second}`)).status).toBe(404);
    expect(course.id).not.toBe(own.id);
  });

  it('requires signing in (401) and 404s an unknown course', async () => {
    const { prof, base } = await setUp();
    expect((await h.client().get(`${base}/matrix`)).status).toBe(401);
    expect((await prof.get('/api/instructor/courses/nope/matrix')).status).toBe(404);
  });
});
