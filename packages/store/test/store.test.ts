import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult } from '@ebpf-lab/protocol';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../src/index.ts';
import { migrations } from '../src/migrations.ts';
import type { Store } from '../src/index.ts';
import { startTemporaryPostgres } from '../src/testing/index.ts';
import type { TemporaryPostgres } from '../src/testing/index.ts';

function result(runId: string, status: RunResult['status'], passed: boolean[]): RunResult {
  return {
    runId,
    exerciseId: 'ex',
    status,
    gradable: true,
    summary: 's',
    stages: [
      {
        name: 'verifier',
        status: 'ok',
        durationMs: 3,
        log: 'processed 12 insns',
      },
    ],
    checks: passed.map((p, i) => ({
      id: `c${i}`,
      title: `check ${i}`,
      required: i === 0,
      status: p ? 'pass' : 'fail',
      message: 'm',
    })),
    diagnostics: [],
    observations: [],
    limits: [],
    versions: {
      kernel: '6.18',
      clang: '14',
      libbpf: '1.1',
      exerciseHash: 'abc',
    },
    startedAt: new Date().toISOString(),
    durationMs: 42,
  };
}

// The same tests run against both stores: SQLite in a temporary directory, and PostgreSQL in a
// temporary cluster with a fresh database per test.
let postgres: TemporaryPostgres;
beforeAll(async () => {
  postgres = await startTemporaryPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe.each(['sqlite', 'postgres'] as const)('%s store', (kind) => {
  let dir: string;
  let databaseUrl: string | undefined;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-store-'));
    databaseUrl = kind === 'postgres' ? await postgres.newDatabase() : undefined;
    store = (await openStore(dir, { databaseUrl })).store;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every run with its code, result, timings and versions', async () => {
    const u = await store.createUser({
      email: 'S@x.org',
      name: 'S',
      role: 'student',
      passwordHash: 'h',
    });
    await store.recordRunQueued({
      id: 'r1',
      userId: u.id,
      exerciseId: 'ex',
      code: 'int a;',
    });
    expect((await store.getRun('r1'))?.state).toBe('queued');
    await store.recordRunRunning('r1');
    await store.recordRunFinished('r1', result('r1', 'fail', [true, false]));
    const run = await store.getRun('r1');
    expect(run).toMatchObject({
      state: 'finished',
      status: 'fail',
      code: 'int a;',
      checksPassed: 1,
      checksTotal: 2,
      requiredPassed: 1,
      requiredTotal: 1,
      durationMs: 42,
      codeBytes: 6,
    });
    expect(run?.result?.versions.kernel).toBe('6.18');
    expect(run?.result?.stages[0].log).toBe('processed 12 insns');
    expect(run?.startedAt).not.toBeNull();
  });

  it('stores the JSON a result comes with, so it is not serialised twice', async () => {
    await store.recordRunQueued({ id: 'j', userId: null, exerciseId: 'ex', code: 'int j;' });
    const r = result('j', 'pass', [true]);
    const asStored = { ...r, summary: 'the JSON given' };
    await store.recordRunFinished('j', r, JSON.stringify(asStored));
    const run = await store.getRun('j');
    expect(run?.result).toEqual(asStored);
    expect(run).toMatchObject({ state: 'finished', status: 'pass', checksPassed: 1 });
  });

  it('marks a run that stopped without a result as interrupted, never a finished one', async () => {
    await store.recordRunQueued({
      id: 'c',
      userId: null,
      exerciseId: 'ex',
      code: 'int c;',
    });
    await store.recordRunInterrupted('c');
    expect((await store.getRun('c'))?.state).toBe('interrupted');
    await store.recordRunQueued({
      id: 'd',
      userId: null,
      exerciseId: 'ex',
      code: '',
    });
    await store.recordRunFinished('d', result('d', 'pass', [true]));
    await store.recordRunInterrupted('d');
    expect((await store.getRun('d'))?.state).toBe('finished');
  });

  it('finds users by email whatever the case', async () => {
    const u = await store.createUser({
      email: 'Ada@Lab.org',
      name: 'Ada',
      role: 'instructor',
      passwordHash: 'h',
    });
    expect((await store.getUserByEmail('ada@lab.org'))?.id).toBe(u.id);
    await expect(
      store.createUser({
        email: 'ada@lab.org',
        name: 'Dup',
        role: 'student',
        passwordHash: 'h',
      }),
    ).rejects.toThrow(/unique/i);
  });

  it('scopes courses: an instructor teaches only the students of their own courses', async () => {
    const i1 = await store.createUser({
      email: 'i1@x',
      name: 'I1',
      role: 'instructor',
      passwordHash: 'h',
    });
    const i2 = await store.createUser({
      email: 'i2@x',
      name: 'I2',
      role: 'instructor',
      passwordHash: 'h',
    });
    const s = await store.createUser({
      email: 's@x',
      name: 'S',
      role: 'student',
      passwordHash: 'h',
    });
    const c1 = await store.createCourse({
      title: 'C1',
      ownerId: i1.id,
      joinCode: 'j1',
    });
    await store.createCourse({ title: 'C2', ownerId: i2.id, joinCode: 'j2' });
    await store.enroll(c1.id, s.id, 'student');
    expect(await store.teaches(i1.id, s.id)).toBe(true);
    expect(await store.teaches(i2.id, s.id)).toBe(false);
    expect((await store.listStudents(c1.id)).map((u) => u.email)).toEqual(['s@x']);
    expect((await store.listCourses(s.id)).map((m) => [m.course.title, m.role])).toEqual([
      ['C1', 'student'],
    ]);
    expect((await store.getCourseByJoinCode('j1'))?.id).toBe(c1.id);
    expect(await store.enrollmentRole(c1.id, i1.id)).toBe('instructor');
  });

  it('expires sessions', async () => {
    const u = await store.createUser({
      email: 'a@x',
      name: 'A',
      role: 'student',
      passwordHash: 'h',
    });
    await store.createSession('live', u.id, new Date(Date.now() + 60_000));
    await store.createSession('old', u.id, new Date(Date.now() - 1));
    expect((await store.getSession('live'))?.userId).toBe(u.id);
    expect(await store.getSession('old')).toBeUndefined();
    await store.deleteSession('live');
    expect(await store.getSession('live')).toBeUndefined();
  });

  it('counts only recent student runs for the rate limit', async () => {
    await store.recordRunQueued({
      id: 'a',
      userId: null,
      exerciseId: 'ex',
      code: '',
    });
    await store.recordRunQueued({
      id: 'b',
      userId: null,
      exerciseId: 'ex',
      code: '',
      kind: 'rerun',
      rerunOf: 'a',
    });
    expect(await store.countRunsSince(null, new Date(Date.now() - 60_000))).toBe(1);
    expect(await store.countRunsSince(null, new Date(Date.now() + 1000))).toBe(0);
  });

  it('counts run shares per client: held until released or lapsed, and started per minute', async () => {
    const t = 1_000_000;
    const share = (runId: string, now: number, clientKey = 'address:10.0.0.1') =>
      store.takeRunShare({
        runId,
        clientKey,
        activeLimit: 2,
        perMinute: 3,
        heldUntil: now + 30_000,
        now,
      });
    expect(await share('r1', t)).toBe('taken');
    expect(await share('r2', t)).toBe('taken');
    expect(await share('r3', t)).toBe('active');
    // Another client has its own shares.
    expect(await share('o1', t, 'address:10.0.0.2')).toBe('taken');
    await store.releaseRunShare('r1');
    expect(await share('r3', t + 1)).toBe('taken');
    await store.releaseRunShare('r2');
    await store.releaseRunShare('r3');
    // Three started within the minute: the fourth waits for the first to be a minute old.
    expect(await share('r4', t + 2)).toBe('per-minute');
    expect(await share('r4', t + 60_001)).toBe('taken');
    // A lease not renewed lapses (its node died); a renewed one holds, a released one stays free.
    const held = (runId: string, now: number) =>
      store.takeRunShare({
        runId,
        clientKey: 'user:u',
        activeLimit: 2,
        perMinute: null,
        heldUntil: now + 30_000,
        now,
      });
    expect(await held('u1', t)).toBe('taken');
    expect(await held('u2', t)).toBe('taken');
    expect(await held('u3', t + 1)).toBe('active');
    await store.renewRunShares(['u1'], t + 200_000);
    expect(await held('u3', t + 30_001)).toBe('taken');
    expect(await held('u4', t + 30_002)).toBe('active');
    await store.releaseRunShare('u1');
    await store.renewRunShares(['u1'], t + 300_000);
    // Without a per-minute limit (signed in: counted with the stored runs), only held shares count.
    expect(await held('u4', t + 30_003)).toBe('taken');
    expect(await held('u5', t + 30_004)).toBe('active');
  });

  it('stores line comments with their author', async () => {
    const i = await store.createUser({
      email: 'i@x',
      name: 'Prof',
      role: 'instructor',
      passwordHash: 'h',
    });
    await store.recordRunQueued({
      id: 'r',
      userId: null,
      exerciseId: 'ex',
      code: 'x',
    });
    await store.addComment({
      runId: 'r',
      authorId: i.id,
      line: 3,
      body: 'zero the key',
    });
    expect(await store.listComments('r')).toMatchObject([
      { line: 3, body: 'zero the key', authorName: 'Prof' },
    ]);
  });

  it('edits and deletes comments; an edit makes a read comment unread again', async () => {
    const prof = await store.createUser({
      email: 'p@x',
      name: 'Prof',
      role: 'instructor',
      passwordHash: 'h',
    });
    const ana = await store.createUser({
      email: 'a@x',
      name: 'Ana',
      role: 'student',
      passwordHash: 'h',
    });
    for (const [id, exerciseId] of [
      ['r1', 'ex'],
      ['r2', 'other'],
    ]) {
      await store.recordRunQueued({ id, userId: ana.id, exerciseId, code: 'a\nb' });
    }
    const first = await store.addComment({ runId: 'r1', authorId: prof.id, line: 1, body: 'one' });
    expect(first).toMatchObject({ authorName: 'Prof', editedAt: null, readAt: null });
    await store.addComment({ runId: 'r1', authorId: prof.id, line: 2, body: 'two' });
    await store.addComment({ runId: 'r2', authorId: prof.id, line: 1, body: 'three' });
    expect(await store.listUnreadComments(ana.id)).toEqual([
      { runId: 'r1', exerciseId: 'ex', count: 2 },
      { runId: 'r2', exerciseId: 'other', count: 1 },
    ]);
    expect(await store.listUnreadComments(prof.id)).toEqual([]);

    expect(await store.markCommentsRead('r1')).toBe(2);
    expect(await store.markCommentsRead('r1')).toBe(0);
    expect(await store.listUnreadComments(ana.id)).toEqual([
      { runId: 'r2', exerciseId: 'other', count: 1 },
    ]);
    expect((await store.getComment(first.id))?.readAt).not.toBeNull();

    const edited = await store.updateComment(first.id, 'one, better said');
    expect(edited).toMatchObject({ body: 'one, better said', readAt: null, authorName: 'Prof' });
    expect(edited?.editedAt).not.toBeNull();
    expect(await store.listUnreadComments(ana.id)).toEqual([
      { runId: 'r1', exerciseId: 'ex', count: 1 },
      { runId: 'r2', exerciseId: 'other', count: 1 },
    ]);

    await store.deleteComment(first.id);
    expect(await store.getComment(first.id)).toBeUndefined();
    expect(await store.updateComment(first.id, 'gone')).toBeUndefined();
    expect((await store.listComments('r1')).map((c) => c.body)).toEqual(['two']);
  });

  it("keeps each finished run's checks and error kind for counting the class's mistakes", async () => {
    await store.recordRunQueued({ id: 'ok', userId: null, exerciseId: 'ex', code: 'x' });
    await store.recordRunFinished('ok', {
      ...result('ok', 'fail', [true, false]),
      checks: [
        { id: 'c0', title: 'first', required: true, status: 'pass', message: 'm' },
        { id: 'c1', title: 'second', required: false, status: 'fail', message: 'm', hint: 'h1' },
      ],
    });
    await store.recordRunQueued({ id: 'bad', userId: null, exerciseId: 'ex', code: 'x' });
    await store.recordRunFinished('bad', {
      ...result('bad', 'error', []),
      errorKind: 'verifier',
    });
    await store.recordRunQueued({ id: 'waiting', userId: null, exerciseId: 'ex', code: 'x' });
    const outcomes = await store.listRunOutcomes({ exerciseId: 'ex' });
    expect(outcomes.map((o) => [o.id, o.errorKind, o.checks])).toEqual([
      [
        'ok',
        null,
        [
          { id: 'c0', title: 'first', required: true, status: 'pass', hint: null },
          { id: 'c1', title: 'second', required: false, status: 'fail', hint: 'h1' },
        ],
      ],
      ['bad', 'verifier', []],
      ['waiting', null, []],
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fail', state: 'finished', userId: null });
  });

  it('gives runs finished before migration 5 their checks and error kind from the stored result', async () => {
    await store.close();
    const before = migrations.filter((m) => m.version < 5);
    const finished = {
      ...result('old', 'fail', [false, true]),
      checks: [
        { id: 'c0', title: 'first', required: true, status: 'fail', message: 'm', hint: 'think' },
        { id: 'c1', title: 'second', required: false, status: 'pass', message: 'm' },
      ],
    };
    const broken = { ...result('old-error', 'error', []), errorKind: 'compile' };
    const insert = `INSERT INTO runs (id, exercise_id, kind, code, state, status, gradable,
      result_json, created_at) VALUES ($1, 'ex', 'student', 'x', 'finished', $2, 1, $3, $4)`;
    const rows = [
      ['old', 'fail', JSON.stringify(finished), 1],
      ['old-error', 'error', JSON.stringify(broken), 2],
    ];
    // A data directory of its own: the one beforeEach opened is already at the newest version.
    const old = join(dir, 'old');
    if (kind === 'sqlite') {
      mkdirSync(old);
      const db = new Database(join(old, 'lab.sqlite'));
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)');
      for (const m of before) {
        db.exec(m.sqlite);
        db.prepare('INSERT INTO schema_migrations VALUES (?, 0)').run(m.version);
      }
      for (const row of rows) db.prepare(insert.replace(/\$\d/g, '?')).run(...row);
      db.close();
    } else {
      databaseUrl = await postgres.newDatabase();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT)',
      );
      for (const m of before) {
        await client.query(m.postgres);
        await client.query('INSERT INTO schema_migrations VALUES ($1, 0)', [m.version]);
      }
      for (const row of rows) await client.query(insert, row);
      await client.end();
    }
    store = (await openStore(old, { databaseUrl })).store;
    const outcomes = await store.listRunOutcomes({ exerciseId: 'ex' });
    expect(outcomes.map((o) => [o.id, o.errorKind, o.checks])).toEqual([
      [
        'old',
        null,
        [
          { id: 'c0', title: 'first', required: true, status: 'fail', hint: 'think' },
          { id: 'c1', title: 'second', required: false, status: 'pass', hint: null },
        ],
      ],
      ['old-error', 'compile', []],
    ]);
  });

  it('keeps the later edit of a draft, whichever arrives last', async () => {
    const u = await store.createUser({
      email: 'd@x',
      name: 'D',
      role: 'student',
      passwordHash: 'h',
    });
    const t = Date.now();
    await store.saveDraft({ userId: u.id, exerciseId: 'ex', code: 'new', editedAt: new Date(t) });
    const kept = await store.saveDraft({
      userId: u.id,
      exerciseId: 'ex',
      code: 'stale',
      editedAt: new Date(t - 1000),
    });
    expect(kept.code).toBe('new');
    expect((await store.getDraft(u.id, 'ex'))?.code).toBe('new');
    expect(await store.getDraft(u.id, 'other')).toBeUndefined();
  });

  it('lists runs in the order they were accepted, filtered by user and exercise', async () => {
    const u = await store.createUser({
      email: 'o@x',
      name: 'O',
      role: 'student',
      passwordHash: 'h',
    });
    for (const id of ['r1', 'r2', 'r3', 'r4']) {
      await store.recordRunQueued({
        id,
        userId: u.id,
        exerciseId: id === 'r3' ? 'b' : 'a',
        code: 'é',
      });
    }
    expect((await store.listRuns({ userId: u.id })).map((r) => r.id)).toEqual([
      'r1',
      'r2',
      'r3',
      'r4',
    ]);
    const newest = await store.listRuns({
      userIds: [u.id],
      exerciseId: 'a',
      newestFirst: true,
      limit: 2,
    });
    expect(newest.map((r) => r.id)).toEqual(['r4', 'r2']);
    expect(newest[0].codeBytes).toBe(2);
    expect(await store.listRuns({ userIds: [] })).toEqual([]);
    expect((await store.listRunsWithCode({ exerciseId: 'b' }))[0].code).toBe('é');
  });

  it('loses no accepted run when the process is killed mid-run; restart marks it interrupted', async () => {
    await store.close();
    const fixture = join(__dirname, 'fixtures/accept-and-hang.ts');
    const args = ['--import', 'tsx', fixture, dir, ...(databaseUrl ? [databaseUrl] : [])];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const reopened = await openStore(dir, { databaseUrl });
    store = reopened.store;
    expect(reopened.interrupted).toBe(2);
    const runs = await store.listRuns({ userId: null });
    expect(runs.map((r) => [r.id, r.state])).toEqual([
      ['run-queued', 'interrupted'],
      ['run-running', 'interrupted'],
    ]);
    expect((await store.getRun('run-running'))?.code).toBe('int running;');
  });
});

describe('postgres store', () => {
  it('applies each migration once when several web nodes start together', async () => {
    const databaseUrl = await postgres.newDatabase();
    const opened = await Promise.all(
      [1, 2, 3].map(() => openStore('', { databaseUrl, interruptUnfinished: false })),
    );
    await opened[0].store.recordRunQueued({ id: 'x', userId: null, exerciseId: 'ex', code: '' });
    expect((await opened[2].store.getRun('x'))?.state).toBe('queued');
    await Promise.all(opened.map((o) => o.store.close()));
  });

  it("gives a client's last run share to one of several web nodes taking it at once", async () => {
    const databaseUrl = await postgres.newDatabase();
    const nodes = await Promise.all(
      [1, 2, 3].map(() => openStore('', { databaseUrl, interruptUnfinished: false })),
    );
    const now = Date.now();
    const verdicts = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        nodes[i % 3].store.takeRunShare({
          runId: `r${i}`,
          clientKey: 'address:10.0.0.1',
          activeLimit: 4,
          perMinute: 20,
          heldUntil: now + 60_000,
          now,
        }),
      ),
    );
    expect(verdicts.filter((v) => v === 'taken')).toHaveLength(4);
    await Promise.all(nodes.map((o) => o.store.close()));
  });

  it('reports a database it cannot reach as an error naming the connection problem', async () => {
    const url = postgres.url.replace(/:(\d+)\//, ':1/');
    await expect(openStore('', { databaseUrl: url })).rejects.toThrow(/ECONNREFUSED/);
  });
});
