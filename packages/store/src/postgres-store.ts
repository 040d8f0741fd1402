// The shared store for a department: PostgreSQL (pg), so any number of web nodes and grader
// workers see the same accounts, sessions and runs. Same tables and meaning as the SQLite store;
// each write is committed before its promise resolves.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrations } from './migrations.ts';
import {
  MEMBER_ORDER,
  checkOutcomesOf,
  iso,
  resetVerdict,
  summaryColumns,
  toAssignment,
  toComment,
  toCourse,
  toDraft,
  toMember,
  toMembership,
  toOutcome,
  toRun,
  toSummary,
  toUser,
} from './rows.ts';
import type { Row } from './rows.ts';
import type {
  CourseRole,
  NewRun,
  PasswordResetVerdict,
  RemoveMemberVerdict,
  RunQuery,
  RunShareVerdict,
  SessionRecord,
  Store,
  UserWithPassword,
} from './types.ts';

const SUMMARY_COLUMNS = summaryColumns('octet_length(code)');
/** Held while migrating, so web nodes starting together apply each migration once. */
const MIGRATION_LOCK = 0x1ab5_70e;

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Connects to `url` (postgres://…), brings the schema up to date, and returns the store. */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection (database restarted) must not crash the server; the
  // next query reconnects.
  pool.on('error', () => {});
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }

  const query = async (sql: string, params: unknown[] = [], db: Queryable = pool) =>
    (await db.query<Row>(sql, params)).rows;
  const one = async (sql: string, params: unknown[] = []) => (await query(sql, params))[0];

  async function transaction<T = void>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  function runWhere(q: RunQuery): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (q.userIds) clauses.push(`user_id = ANY(${param(q.userIds)}::text[])`);
    if (q.userId !== undefined) {
      clauses.push(q.userId === null ? 'user_id IS NULL' : `user_id = ${param(q.userId)}`);
    }
    if (q.courseId) clauses.push(`course_id = ${param(q.courseId)}`);
    if (q.exerciseId) clauses.push(`exercise_id = ${param(q.exerciseId)}`);
    const dir = q.newestFirst ? 'DESC' : 'ASC';
    const limit = q.limit ? `LIMIT ${Math.max(1, Math.floor(q.limit))}` : '';
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return { where: `${where} ORDER BY created_at ${dir}, seq ${dir} ${limit}`, params };
  }

  const store: Store = {
    async createUser(u) {
      const row = { id: randomUUID(), created_at: Date.now(), email: u.email.trim() };
      await query(
        'INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [row.id, row.email, u.name, u.role, u.passwordHash, row.created_at],
      );
      return toUser({ ...row, name: u.name, role: u.role });
    },
    async getUser(id) {
      const r = await one('SELECT * FROM users WHERE id = $1', [id]);
      return r && toUser(r);
    },
    async getUserByEmail(email): Promise<UserWithPassword | undefined> {
      const r = await one('SELECT * FROM users WHERE lower(email) = lower($1)', [email.trim()]);
      return r && { ...toUser(r), passwordHash: String(r.password_hash) };
    },

    async createSession(tokenHash, userId, expiresAt) {
      await query('DELETE FROM sessions WHERE expires_at < $1', [Date.now()]);
      await query(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
        [tokenHash, userId, Date.now(), expiresAt.getTime()],
      );
    },
    async getSession(tokenHash): Promise<SessionRecord | undefined> {
      const r = await one('SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2', [
        tokenHash,
        Date.now(),
      ]);
      return r && { userId: String(r.user_id), expiresAt: iso(r.expires_at) };
    },
    async deleteSession(tokenHash) {
      await query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
    },

    async createCourse(c) {
      const row = {
        id: randomUUID(),
        title: c.title,
        join_code: c.joinCode,
        owner_id: c.ownerId,
        created_at: Date.now(),
      };
      await transaction(async (client) => {
        await query(
          'INSERT INTO courses (id, title, join_code, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)',
          [row.id, row.title, row.join_code, row.owner_id, row.created_at],
          client,
        );
        await query(
          'INSERT INTO enrollments (course_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)',
          [row.id, c.ownerId, 'instructor', row.created_at],
          client,
        );
      });
      return toCourse(row);
    },
    async getCourse(id) {
      const r = await one('SELECT * FROM courses WHERE id = $1', [id]);
      return r && toCourse(r);
    },
    async getCourseByJoinCode(joinCode) {
      const r = await one('SELECT * FROM courses WHERE join_code = $1', [joinCode]);
      return r && toCourse(r);
    },
    async listCourses(userId) {
      const rows = await query(
        `SELECT c.*, e.role AS course_role FROM courses c JOIN enrollments e ON e.course_id = c.id
         WHERE e.user_id = $1 ORDER BY c.created_at`,
        [userId],
      );
      return rows.map(toMembership);
    },
    async enroll(courseId, userId, role) {
      await query(
        `INSERT INTO enrollments (course_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [courseId, userId, role, Date.now()],
      );
    },
    async enrollmentRole(courseId, userId) {
      const r = await one('SELECT role FROM enrollments WHERE course_id = $1 AND user_id = $2', [
        courseId,
        userId,
      ]);
      return r ? (r.role as CourseRole) : undefined;
    },
    async listMembers(courseId) {
      const rows = await query(
        `SELECT u.*, e.role AS course_role, e.joined_at FROM users u
         JOIN enrollments e ON e.user_id = u.id WHERE e.course_id = $1 ORDER BY ${MEMBER_ORDER}`,
        [courseId],
      );
      return rows.map(toMember);
    },
    // The course's rows are locked first, so two instructors removing each other at once
    // cannot leave the course with none.
    async removeMember(courseId, userId) {
      return transaction(async (client): Promise<RemoveMemberVerdict> => {
        const rows = await query(
          'SELECT user_id, role FROM enrollments WHERE course_id = $1 FOR UPDATE',
          [courseId],
          client,
        );
        const member = rows.find((r) => r.user_id === userId);
        if (!member) return 'not-member';
        if (member.role === 'instructor' && rows.filter((r) => r.role === 'instructor').length <= 1)
          return 'last-instructor';
        await query(
          'DELETE FROM enrollments WHERE course_id = $1 AND user_id = $2',
          [courseId, userId],
          client,
        );
        return 'removed';
      });
    },

    async listAssignments(courseId) {
      const rows = await query(
        'SELECT * FROM assignments WHERE course_id = $1 ORDER BY due_at, exercise_id',
        [courseId],
      );
      return rows.map(toAssignment);
    },
    async saveAssignment(a) {
      const rows = await query(
        `INSERT INTO assignments
           (course_id, exercise_id, opens_at, due_at, late_until, late_credit, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (course_id, exercise_id) DO UPDATE SET opens_at = excluded.opens_at,
           due_at = excluded.due_at, late_until = excluded.late_until,
           late_credit = excluded.late_credit, updated_at = excluded.updated_at
         RETURNING *`,
        [
          a.courseId,
          a.exerciseId,
          Date.parse(a.opensAt),
          Date.parse(a.dueAt),
          a.lateUntil === null ? null : Date.parse(a.lateUntil),
          a.lateCreditPercent,
          Date.now(),
        ],
      );
      return toAssignment(rows[0]);
    },
    async deleteAssignment(courseId, exerciseId) {
      const r = await pool.query(
        'DELETE FROM assignments WHERE course_id = $1 AND exercise_id = $2',
        [courseId, exerciseId],
      );
      return (r.rowCount ?? 0) > 0;
    },

    async createPasswordReset(r) {
      await transaction(async (client) => {
        await query(
          'DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL',
          [r.userId],
          client,
        );
        await query(
          `INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5)`,
          [r.tokenHash, r.userId, r.createdBy, Date.now(), r.expiresAt.getTime()],
          client,
        );
      });
    },
    async checkPasswordReset(tokenHash) {
      const r = await one('SELECT * FROM password_resets WHERE token_hash = $1', [tokenHash]);
      const verdict = resetVerdict(r, Date.now());
      return verdict === 'done' ? { ok: true, userId: String(r!.user_id) } : { ok: false, verdict };
    },
    // The row is locked, so two uses of one link at once cannot both set a password.
    async usePasswordReset(tokenHash, passwordHash) {
      return transaction(async (client): Promise<PasswordResetVerdict> => {
        const now = Date.now();
        const [r] = await query(
          'SELECT * FROM password_resets WHERE token_hash = $1 FOR UPDATE',
          [tokenHash],
          client,
        );
        const verdict = resetVerdict(r, now);
        if (verdict !== 'done') return verdict;
        await query(
          'UPDATE password_resets SET used_at = $1 WHERE token_hash = $2',
          [now, tokenHash],
          client,
        );
        await query(
          'UPDATE users SET password_hash = $1 WHERE id = $2',
          [passwordHash, r.user_id],
          client,
        );
        await query('DELETE FROM sessions WHERE user_id = $1', [r.user_id], client);
        return 'done';
      });
    },
    async listStudents(courseId) {
      const rows = await query(
        `SELECT u.* FROM users u JOIN enrollments e ON e.user_id = u.id
         WHERE e.course_id = $1 AND e.role = 'student' ORDER BY u.name, u.email`,
        [courseId],
      );
      return rows.map(toUser);
    },
    async teaches(instructorId, studentId) {
      const r = await one(
        `SELECT 1 FROM enrollments i JOIN enrollments s ON s.course_id = i.course_id
         WHERE i.user_id = $1 AND i.role = 'instructor' AND s.user_id = $2 AND s.role = 'student'`,
        [instructorId, studentId],
      );
      return !!r;
    },

    async recordRunQueued(run: NewRun) {
      await query(
        `INSERT INTO runs (id, user_id, course_id, exercise_id, kind, rerun_of, requested_by, code, state, created_at)
         VALUES ($1, $2, COALESCE($3, (SELECT course_id FROM runs WHERE id = $6)), $4, $5, $6, $7, $8, 'queued', $9)`,
        [
          run.id,
          run.userId,
          run.courseId ?? null,
          run.exerciseId,
          run.kind ?? 'student',
          run.rerunOf ?? null,
          run.requestedBy ?? null,
          run.code,
          Date.now(),
        ],
      );
    },
    async recordRunRunning(runId) {
      await query(
        `UPDATE runs SET state = 'running', started_at = $1 WHERE id = $2 AND state = 'queued'`,
        [Date.now(), runId],
      );
    },
    async recordRunFinished(runId, result, resultJson) {
      const required = result.checks.filter((c) => c.required);
      await query(
        `UPDATE runs SET state = 'finished', status = $1, gradable = $2, checks_passed = $3,
           checks_total = $4, required_passed = $5, required_total = $6, result_json = $7,
           finished_at = $8, duration_ms = $9, started_at = COALESCE(started_at, $10),
           error_kind = $11, check_outcomes = $12
         WHERE id = $13`,
        [
          result.status,
          result.gradable ? 1 : 0,
          result.checks.filter((c) => c.status === 'pass').length,
          result.checks.length,
          required.filter((c) => c.status === 'pass').length,
          required.length,
          resultJson ?? JSON.stringify(result),
          Date.now(),
          result.durationMs,
          Date.parse(result.startedAt) || Date.now(),
          result.errorKind ?? null,
          checkOutcomesOf(result),
          runId,
        ],
      );
    },
    async recordRunInterrupted(runId) {
      await query(
        `UPDATE runs SET state = 'interrupted', finished_at = $1
         WHERE id = $2 AND state IN ('queued', 'running')`,
        [Date.now(), runId],
      );
    },
    async interruptUnfinishedRuns() {
      const r = await pool.query(
        `UPDATE runs SET state = 'interrupted', finished_at = $1 WHERE state IN ('queued', 'running')`,
        [Date.now()],
      );
      return r.rowCount ?? 0;
    },
    async getRun(id) {
      const r = await one(`SELECT ${SUMMARY_COLUMNS}, code, result_json FROM runs WHERE id = $1`, [
        id,
      ]);
      return r && toRun(r);
    },
    async listRuns(q) {
      const { where, params } = runWhere(q);
      return (await query(`SELECT ${SUMMARY_COLUMNS} FROM runs ${where}`, params)).map(toSummary);
    },
    async listRunsWithCode(q) {
      const { where, params } = runWhere(q);
      const rows = await query(
        `SELECT ${SUMMARY_COLUMNS}, code, result_json FROM runs ${where}`,
        params,
      );
      return rows.map(toRun);
    },
    async listRunOutcomes(q) {
      const { where, params } = runWhere(q);
      const rows = await query(
        `SELECT ${SUMMARY_COLUMNS}, error_kind, check_outcomes FROM runs ${where}`,
        params,
      );
      return rows.map(toOutcome);
    },
    async countRunsSince(userId, since) {
      const r = await one(
        `SELECT count(*) AS n FROM runs
         WHERE user_id IS NOT DISTINCT FROM $1 AND kind = 'student' AND created_at >= $2`,
        [userId, since.getTime()],
      );
      return Number(r?.n ?? 0);
    },

    // Run shares: one call to take_run_share (migration 3), which checks and takes under a lock
    // on the client key.
    async takeRunShare(r) {
      const row = await one('SELECT take_run_share($1, $2, $3, $4, $5, $6) AS verdict', [
        r.runId,
        r.clientKey,
        r.now,
        r.heldUntil,
        r.activeLimit,
        r.perMinute,
      ]);
      return row!.verdict as RunShareVerdict;
    },
    async renewRunShares(runIds, heldUntil) {
      if (runIds.length === 0) return;
      await query(
        'UPDATE run_shares SET held_until = $2 WHERE run_id = ANY($1::text[]) AND held_until > 0',
        [runIds, heldUntil],
      );
    },
    async releaseRunShare(runId) {
      await query('UPDATE run_shares SET held_until = 0 WHERE run_id = $1', [runId]);
    },

    async addComment(c) {
      const row = { id: randomUUID(), created_at: Date.now() };
      await query(
        'INSERT INTO comments (id, run_id, author_id, line, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [row.id, c.runId, c.authorId, c.line, c.body, row.created_at],
      );
      return (await store.getComment(row.id))!;
    },
    async listComments(runId) {
      const rows = await query(
        `SELECT c.*, u.name AS author_name FROM comments c JOIN users u ON u.id = c.author_id
         WHERE c.run_id = $1 ORDER BY c.line, c.created_at`,
        [runId],
      );
      return rows.map(toComment);
    },
    async getComment(id) {
      const r = await one(
        `SELECT c.*, u.name AS author_name FROM comments c JOIN users u ON u.id = c.author_id
         WHERE c.id = $1`,
        [id],
      );
      return r && toComment(r);
    },
    async updateComment(id, body) {
      await query('UPDATE comments SET body = $1, edited_at = $2, read_at = NULL WHERE id = $3', [
        body,
        Date.now(),
        id,
      ]);
      return store.getComment(id);
    },
    async deleteComment(id) {
      await query('DELETE FROM comments WHERE id = $1', [id]);
    },
    async markCommentsRead(runId) {
      const r = await pool.query(
        'UPDATE comments SET read_at = $1 WHERE run_id = $2 AND read_at IS NULL',
        [Date.now(), runId],
      );
      return r.rowCount ?? 0;
    },
    async listUnreadComments(userId) {
      const rows = await query(
        `SELECT r.id AS run_id, r.exercise_id, count(*) AS n FROM comments c
         JOIN runs r ON r.id = c.run_id
         WHERE r.user_id = $1 AND c.read_at IS NULL
         GROUP BY r.id, r.exercise_id ORDER BY r.exercise_id, r.id`,
        [userId],
      );
      return rows.map((r) => ({
        runId: String(r.run_id),
        exerciseId: String(r.exercise_id),
        count: Number(r.n),
      }));
    },

    async getDraft(userId, exerciseId) {
      const r = await one('SELECT * FROM drafts WHERE user_id = $1 AND exercise_id = $2', [
        userId,
        exerciseId,
      ]);
      return r && toDraft(r);
    },
    // One statement: kept only when this edit is not older than the stored one, and the row
    // that won comes back, whichever it is.
    async saveDraft(d) {
      await query(
        `INSERT INTO drafts (user_id, exercise_id, code, edited_at, saved_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, exercise_id) DO UPDATE
           SET code = excluded.code, edited_at = excluded.edited_at, saved_at = excluded.saved_at
           WHERE excluded.edited_at >= drafts.edited_at`,
        [d.userId, d.exerciseId, d.code, d.editedAt.getTime(), Date.now()],
      );
      const r = await one('SELECT * FROM drafts WHERE user_id = $1 AND exercise_id = $2', [
        d.userId,
        d.exerciseId,
      ]);
      return toDraft(r!);
    },

    async close() {
      await pool.end().catch(() => {});
    },
  };
  return store;
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(m.postgres);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          m.version,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}
