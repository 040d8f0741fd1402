// Course rules in the store (migration 4): runs that belong to a course, course staff and their
// removal, assignments, and password reset links. Every test runs on both stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/index.ts';
import type { Store } from '../src/index.ts';
import { migrations } from '../src/migrations.ts';
import { startTemporaryPostgres } from '../src/testing/index.ts';
import type { TemporaryPostgres } from '../src/testing/index.ts';

let postgres: TemporaryPostgres;
beforeAll(async () => {
  postgres = await startTemporaryPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const user = (store: Store, email: string, role: 'instructor' | 'student' = 'student') =>
  store.createUser({ email, name: email.split('@')[0], role, passwordHash: 'h' });

describe.each(['sqlite', 'postgres'] as const)('%s store', (kind) => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-store-'));
    const databaseUrl = kind === 'postgres' ? await postgres.newDatabase() : undefined;
    store = (await openStore(dir, { databaseUrl })).store;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the course a run was made for, and gives a re-run the course of its original', async () => {
    const prof = await user(store, 'prof@x', 'instructor');
    const s = await user(store, 's@x');
    const c1 = await store.createCourse({ title: 'C1', ownerId: prof.id, joinCode: 'j1' });
    const c2 = await store.createCourse({ title: 'C2', ownerId: prof.id, joinCode: 'j2' });
    await store.recordRunQueued({
      id: 'a',
      userId: s.id,
      courseId: c1.id,
      exerciseId: 'ex',
      code: '',
    });
    await store.recordRunQueued({
      id: 'b',
      userId: s.id,
      courseId: c2.id,
      exerciseId: 'ex',
      code: '',
    });
    await store.recordRunQueued({ id: 'p', userId: s.id, exerciseId: 'ex', code: '' });
    await store.recordRunQueued({
      id: 'a2',
      userId: s.id,
      exerciseId: 'ex',
      code: '',
      kind: 'rerun',
      rerunOf: 'a',
    });
    expect((await store.getRun('a'))?.courseId).toBe(c1.id);
    expect((await store.getRun('p'))?.courseId).toBeNull();
    expect((await store.getRun('a2'))?.courseId).toBe(c1.id);
    expect((await store.listRuns({ courseId: c1.id })).map((r) => r.id)).toEqual(['a', 'a2']);
    expect((await store.listRunsWithCode({ courseId: c2.id })).map((r) => r.id)).toEqual(['b']);
  });

  it('lists staff first, and never removes the last instructor', async () => {
    const prof = await user(store, 'prof@x', 'instructor');
    const ta = await user(store, 'ta@x');
    const s = await user(store, 'a-student@x');
    const c = await store.createCourse({ title: 'C', ownerId: prof.id, joinCode: 'j' });
    await store.enroll(c.id, s.id, 'student');
    await store.enroll(c.id, ta.id, 'assistant');
    // Enrolling again keeps the role held.
    await store.enroll(c.id, ta.id, 'student');
    expect(await store.enrollmentRole(c.id, ta.id)).toBe('assistant');
    expect((await store.listMembers(c.id)).map((m) => [m.email, m.courseRole])).toEqual([
      ['prof@x', 'instructor'],
      ['ta@x', 'assistant'],
      ['a-student@x', 'student'],
    ]);
    expect((await store.listStudents(c.id)).map((m) => m.email)).toEqual(['a-student@x']);

    expect(await store.removeMember(c.id, prof.id)).toBe('last-instructor');
    const co = await user(store, 'co@x', 'instructor');
    await store.enroll(c.id, co.id, 'instructor');
    expect(await store.removeMember(c.id, prof.id)).toBe('removed');
    expect(await store.removeMember(c.id, co.id)).toBe('last-instructor');
    expect(await store.removeMember(c.id, s.id)).toBe('removed');
    expect(await store.removeMember(c.id, s.id)).toBe('not-member');
    expect(await store.enrollmentRole(c.id, s.id)).toBeUndefined();
    expect((await store.listMembers(c.id)).map((m) => m.email)).toEqual(['co@x', 'ta@x']);
  });

  it('keeps assignments with their windows, replaced in place and deleted', async () => {
    const prof = await user(store, 'prof@x', 'instructor');
    const c = await store.createCourse({ title: 'C', ownerId: prof.id, joinCode: 'j' });
    const first = {
      courseId: c.id,
      exerciseId: 'ex-b',
      opensAt: '2026-01-01T08:00:00.000Z',
      dueAt: '2026-01-08T08:00:00.000Z',
      lateUntil: '2026-01-10T08:00:00.000Z',
      lateCreditPercent: 50,
    };
    expect(await store.saveAssignment(first)).toMatchObject(first);
    await store.saveAssignment({
      ...first,
      exerciseId: 'ex-a',
      dueAt: '2026-01-09T08:00:00.000Z',
      lateUntil: null,
      lateCreditPercent: null,
    });
    await store.saveAssignment({ ...first, lateCreditPercent: 70 });
    const list = await store.listAssignments(c.id);
    expect(list.map((a) => [a.exerciseId, a.lateCreditPercent])).toEqual([
      ['ex-b', 70],
      ['ex-a', null],
    ]);
    expect(list[1].lateUntil).toBeNull();
    // The database refuses what the routes refuse: a due time before the opening, a late
    // window without a credit.
    await expect(
      store.saveAssignment({
        ...first,
        dueAt: '2025-12-31T08:00:00.000Z',
        lateUntil: null,
        lateCreditPercent: null,
      }),
    ).rejects.toThrow();
    await expect(store.saveAssignment({ ...first, lateCreditPercent: null })).rejects.toThrow();
    expect(await store.deleteAssignment(c.id, 'ex-b')).toBe(true);
    expect(await store.deleteAssignment(c.id, 'ex-b')).toBe(false);
    expect((await store.listAssignments(c.id)).map((a) => a.exerciseId)).toEqual(['ex-a']);
  });

  it('uses a password reset link once: sets the password and ends every session', async () => {
    const s = await user(store, 's@x');
    await store.createSession('session', s.id, new Date(Date.now() + 60_000));
    await store.createPasswordReset({
      tokenHash: 'old',
      userId: s.id,
      createdBy: null,
      expiresAt: new Date(Date.now() + 60_000),
    });
    await store.createPasswordReset({
      tokenHash: 'new',
      userId: s.id,
      createdBy: null,
      expiresAt: new Date(Date.now() + 60_000),
    });
    // Only the newest link handed out works.
    expect(await store.checkPasswordReset('old')).toEqual({ ok: false, verdict: 'unknown' });
    expect(await store.checkPasswordReset('new')).toEqual({ ok: true, userId: s.id });
    const uses = await Promise.all([
      store.usePasswordReset('new', 'hash-1'),
      store.usePasswordReset('new', 'hash-2'),
    ]);
    expect(uses.sort()).toEqual(['done', 'used']);
    expect(['hash-1', 'hash-2']).toContain((await store.getUserByEmail('s@x'))?.passwordHash);
    expect(await store.getSession('session')).toBeUndefined();
    expect(await store.checkPasswordReset('new')).toEqual({ ok: false, verdict: 'used' });

    await store.createPasswordReset({
      tokenHash: 'late',
      userId: s.id,
      createdBy: null,
      expiresAt: new Date(Date.now() - 1),
    });
    expect(await store.usePasswordReset('late', 'hash-3')).toBe('expired');
    expect(await store.usePasswordReset('nothing', 'hash-3')).toBe('unknown');
    expect((await store.getUserByEmail('s@x'))?.passwordHash).not.toBe('hash-3');
  });
});

describe.each(['sqlite', 'postgres'] as const)('%s store at version 3', (kind) => {
  it('gives earlier runs to the student’s course when they had exactly one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-store-'));
    const databaseUrl = kind === 'postgres' ? await postgres.newDatabase() : undefined;
    const statements = [
      `INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES
         ('prof', 'prof@x', 'P', 'instructor', 'h', 1), ('one', 'one@x', 'O', 'student', 'h', 1),
         ('two', 'two@x', 'T', 'student', 'h', 1)`,
      `INSERT INTO courses (id, title, join_code, owner_id, created_at) VALUES
         ('c1', 'C1', 'j1', 'prof', 1), ('c2', 'C2', 'j2', 'prof', 1)`,
      `INSERT INTO enrollments (course_id, user_id, role, joined_at) VALUES
         ('c1', 'prof', 'instructor', 1), ('c1', 'one', 'student', 1),
         ('c1', 'two', 'student', 1), ('c2', 'two', 'student', 1)`,
      `INSERT INTO runs (id, user_id, exercise_id, kind, code, state, created_at) VALUES
         ('r-one', 'one', 'ex', 'student', '', 'finished', 1),
         ('r-two', 'two', 'ex', 'student', '', 'finished', 1),
         ('r-anon', NULL, 'ex', 'student', '', 'finished', 1)`,
    ];
    const early = migrations.filter((m) => m.version <= 3);
    if (databaseUrl) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      for (const m of early) {
        await client.query(m.postgres);
        await client.query('INSERT INTO schema_migrations VALUES ($1, 1)', [m.version]);
      }
      for (const sql of statements) await client.query(sql);
      await client.end();
    } else {
      const db = new Database(join(dir, 'lab.sqlite'));
      db.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
      );
      for (const m of early) {
        db.exec(m.sqlite);
        db.prepare('INSERT INTO schema_migrations VALUES (?, 1)').run(m.version);
      }
      for (const sql of statements) db.exec(sql);
      db.close();
    }
    const { store } = await openStore(dir, { databaseUrl });
    try {
      expect((await store.getRun('r-one'))?.courseId).toBe('c1');
      // Two courses: which one the run was for is unknown, so no instructor sees it.
      expect((await store.getRun('r-two'))?.courseId).toBeNull();
      expect((await store.getRun('r-anon'))?.courseId).toBeNull();
      // Enrollments survived the new role check, and take assistants.
      expect(await store.enrollmentRole('c2', 'two')).toBe('student');
      await store.enroll('c2', 'one', 'assistant');
      expect(await store.enrollmentRole('c2', 'one')).toBe('assistant');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
