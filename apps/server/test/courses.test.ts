import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dig, startHarness } from './auth-harness.ts';
import type { Harness } from './auth-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

describe('/api/courses', () => {
  it('lets an instructor create a course and get its join link', async () => {
    const prof = await h.instructor('prof@lab.org');
    const res = await prof.post('/api/courses', { title: 'Kernel tracing' });
    expect(res.status).toBe(201);
    expect(String(dig(res.json, 'course', 'joinPath'))).toMatch(/^\/join\/[A-Za-z0-9_-]{22}$/);
    const list = await prof.get('/api/courses');
    expect(list.json.courses).toMatchObject([{ title: 'Kernel tracing', role: 'instructor' }]);
  });

  it('refuses course creation to students (403) and to signed-out visitors (401)', async () => {
    const prof = await h.instructor('prof@lab.org');
    const course = await h.course(prof, 'C');
    const s = await h.student(course.joinCode, 's@uni.edu');
    expect((await s.post('/api/courses', { title: 'Mine' })).status).toBe(403);
    const anon = h.client();
    await anon.get('/api/auth/me');
    expect((await anon.post('/api/courses', { title: 'Mine' })).status).toBe(401);
    expect((await anon.get('/api/courses')).status).toBe(401);
  });

  it('never shows the join link to students', async () => {
    const prof = await h.instructor('prof@lab.org');
    const course = await h.course(prof, 'C');
    const s = await h.student(course.joinCode, 's@uni.edu');
    expect(JSON.stringify((await s.get('/api/courses')).json)).not.toContain(course.joinCode);
  });

  it('shows the title behind a join link, and 404 for a bad one', async () => {
    const prof = await h.instructor('prof@lab.org');
    const course = await h.course(prof, 'Tracing');
    const anon = h.client();
    expect((await anon.get(`/api/courses/join/${course.joinCode}`)).json).toEqual({
      course: { title: 'Tracing' },
    });
    expect((await anon.get('/api/courses/join/nope')).status).toBe(404);
  });

  it('lets a signed-in student join a second course, but not an instructor', async () => {
    const prof = await h.instructor('prof@lab.org');
    const c1 = await h.course(prof, 'One');
    const c2 = await h.course(prof, 'Two');
    const s = await h.student(c1.joinCode, 's@uni.edu');
    expect((await s.post('/api/courses/join', { joinCode: c2.joinCode })).status).toBe(200);
    expect(((await s.get('/api/courses')).json.courses as unknown[]).length).toBe(2);
    expect((await s.post('/api/courses/join', { joinCode: 'bad' })).status).toBe(404);
    expect((await prof.post('/api/courses/join', { joinCode: c2.joinCode })).status).toBe(403);
  });

  it('validates the body and names the field', async () => {
    const prof = await h.instructor('prof@lab.org');
    const res = await prof.post('/api/courses', { title: '' });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^title:/);
  });
});
