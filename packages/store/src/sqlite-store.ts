// The embedded store: one SQLite file in the data directory (better-sqlite3, synchronous, so
// each write is committed before the call returns: a killed server loses nothing it accepted;
// and on disk before the call's promise resolves, durable-writes.ts).
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { durableWrites, SharedSync, syncFile } from './durable-writes.ts';
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

const SUMMARY_COLUMNS = summaryColumns('length(CAST(code AS BLOB))');
const MINUTE_MS = 60_000;

/** Opens (creating when missing) the database file and brings its schema up to date. */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL: a commit is in the WAL file before the call returns (a killed process loses nothing),
  // and on disk before the store's promise resolves (durableWrites below), so an accepted
  // submission survives a power cut too, without the event loop waiting for the disk.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  // Each statement is compiled once: preparing it again for every call was a third of the cost
  // of a run's store writes. The texts come from this file (a query's filters make a few
  // variants), so the cache stays small; the bound only guards against a bug that varies them.
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= 500) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const one = (sql: string, ...params: unknown[]) =>
    prepared(sql).get(...params) as Row | undefined;
  const all = (sql: string, ...params: unknown[]) => prepared(sql).all(...params) as Row[];
  const exec = (sql: string, ...params: unknown[]) => prepared(sql).run(...params);

  function runWhere(q: RunQuery): { where: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (q.userIds) {
      if (q.userIds.length === 0) clauses.push('0');
      else {
        clauses.push(`user_id IN (${q.userIds.map(() => '?').join(',')})`);
        params.push(...q.userIds);
      }
    }
    if (q.userId !== undefined) {
      if (q.userId === null) clauses.push('user_id IS NULL');
      else {
        clauses.push('user_id = ?');
        params.push(q.userId);
      }
    }
    if (q.courseId) {
      clauses.push('course_id = ?');
      params.push(q.courseId);
    }
    if (q.exerciseId) {
      clauses.push('exercise_id = ?');
      params.push(q.exerciseId);
    }
    const order = `ORDER BY created_at ${q.newestFirst ? 'DESC' : 'ASC'}, rowid ${q.newestFirst ? 'DESC' : 'ASC'}`;
    const limit = q.limit ? `LIMIT ${Math.max(1, Math.floor(q.limit))}` : '';
    return {
      where: `${clauses.length ? 'WHERE ' + clauses.join(' AND ') : ''} ${order} ${limit}`,
      params,
    };
  }

  const store: Store = {
    async createUser(u) {
      const row = { id: randomUUID(), created_at: Date.now(), ...u };
      exec(
        'INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        row.id,
        u.email.trim(),
        u.name,
        u.role,
        u.passwordHash,
        row.created_at,
      );
      return toUser({ ...row, email: u.email.trim() });
    },
    async getUser(id) {
      const r = one('SELECT * FROM users WHERE id = ?', id);
      return r && toUser(r);
    },
    async getUserByEmail(email): Promise<UserWithPassword | undefined> {
      const r = one('SELECT * FROM users WHERE email = ?', email.trim());
      return r && { ...toUser(r), passwordHash: String(r.password_hash) };
    },

    async createSession(tokenHash, userId, expiresAt) {
      exec('DELETE FROM sessions WHERE expires_at < ?', Date.now());
      exec(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
        tokenHash,
        userId,
        Date.now(),
        expiresAt.getTime(),
      );
    },
    async getSession(tokenHash): Promise<SessionRecord | undefined> {
      const r = one(
        'SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?',
        tokenHash,
        Date.now(),
      );
      return r && { userId: String(r.user_id), expiresAt: iso(r.expires_at) };
    },
    async deleteSession(tokenHash) {
      exec('DELETE FROM sessions WHERE token_hash = ?', tokenHash);
    },

    async createCourse(c) {
      const row = {
        id: randomUUID(),
        title: c.title,
        join_code: c.joinCode,
        owner_id: c.ownerId,
        created_at: Date.now(),
      };
      db.transaction(() => {
        exec(
          'INSERT INTO courses (id, title, join_code, owner_id, created_at) VALUES (?, ?, ?, ?, ?)',
          row.id,
          row.title,
          row.join_code,
          row.owner_id,
          row.created_at,
        );
        exec(
          'INSERT INTO enrollments (course_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)',
          row.id,
          c.ownerId,
          'instructor',
          row.created_at,
        );
      })();
      return toCourse(row);
    },
    async getCourse(id) {
      const r = one('SELECT * FROM courses WHERE id = ?', id);
      return r && toCourse(r);
    },
    async getCourseByJoinCode(joinCode) {
      const r = one('SELECT * FROM courses WHERE join_code = ?', joinCode);
      return r && toCourse(r);
    },
    async listCourses(userId) {
      return all(
        `SELECT c.*, e.role AS course_role FROM courses c JOIN enrollments e ON e.course_id = c.id
         WHERE e.user_id = ? ORDER BY c.created_at`,
        userId,
      ).map(toMembership);
    },
    async enroll(courseId, userId, role) {
      exec(
        'INSERT OR IGNORE INTO enrollments (course_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)',
        courseId,
        userId,
        role,
        Date.now(),
      );
    },
    async enrollmentRole(courseId, userId) {
      const r = one(
        'SELECT role FROM enrollments WHERE course_id = ? AND user_id = ?',
        courseId,
        userId,
      );
      return r ? (r.role as CourseRole) : undefined;
    },
    async listMembers(courseId) {
      return all(
        `SELECT u.*, e.role AS course_role, e.joined_at FROM users u
         JOIN enrollments e ON e.user_id = u.id WHERE e.course_id = ? ORDER BY ${MEMBER_ORDER}`,
        courseId,
      ).map(toMember);
    },
    async removeMember(courseId, userId) {
      const remove = db.transaction((): RemoveMemberVerdict => {
        const r = one(
          'SELECT role FROM enrollments WHERE course_id = ? AND user_id = ?',
          courseId,
          userId,
        );
        if (!r) return 'not-member';
        if (r.role === 'instructor') {
          const n = one(
            `SELECT count(*) AS n FROM enrollments WHERE course_id = ? AND role = 'instructor'`,
            courseId,
          );
          if (Number(n?.n ?? 0) <= 1) return 'last-instructor';
        }
        exec('DELETE FROM enrollments WHERE course_id = ? AND user_id = ?', courseId, userId);
        return 'removed';
      });
      return remove.immediate();
    },

    async listAssignments(courseId) {
      return all(
        'SELECT * FROM assignments WHERE course_id = ? ORDER BY due_at, exercise_id',
        courseId,
      ).map(toAssignment);
    },
    async saveAssignment(a) {
      exec(
        `INSERT INTO assignments
           (course_id, exercise_id, opens_at, due_at, late_until, late_credit, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (course_id, exercise_id) DO UPDATE SET opens_at = excluded.opens_at,
           due_at = excluded.due_at, late_until = excluded.late_until,
           late_credit = excluded.late_credit, updated_at = excluded.updated_at`,
        a.courseId,
        a.exerciseId,
        Date.parse(a.opensAt),
        Date.parse(a.dueAt),
        a.lateUntil === null ? null : Date.parse(a.lateUntil),
        a.lateCreditPercent,
        Date.now(),
      );
      return toAssignment(
        one(
          'SELECT * FROM assignments WHERE course_id = ? AND exercise_id = ?',
          a.courseId,
          a.exerciseId,
        )!,
      );
    },
    async deleteAssignment(courseId, exerciseId) {
      return (
        exec(
          'DELETE FROM assignments WHERE course_id = ? AND exercise_id = ?',
          courseId,
          exerciseId,
        ).changes > 0
      );
    },

    async createPasswordReset(r) {
      db.transaction(() => {
        exec('DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL', r.userId);
        exec(
          `INSERT INTO password_resets (token_hash, user_id, created_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?)`,
          r.tokenHash,
          r.userId,
          r.createdBy,
          Date.now(),
          r.expiresAt.getTime(),
        );
      })();
    },
    async checkPasswordReset(tokenHash) {
      const r = one('SELECT * FROM password_resets WHERE token_hash = ?', tokenHash);
      const verdict = resetVerdict(r, Date.now());
      return verdict === 'done' ? { ok: true, userId: String(r!.user_id) } : { ok: false, verdict };
    },
    async usePasswordReset(tokenHash, passwordHash) {
      const use = db.transaction((): PasswordResetVerdict => {
        const now = Date.now();
        const r = one('SELECT * FROM password_resets WHERE token_hash = ?', tokenHash);
        const verdict = resetVerdict(r, now);
        if (verdict !== 'done') return verdict;
        exec('UPDATE password_resets SET used_at = ? WHERE token_hash = ?', now, tokenHash);
        exec('UPDATE users SET password_hash = ? WHERE id = ?', passwordHash, r!.user_id);
        exec('DELETE FROM sessions WHERE user_id = ?', r!.user_id);
        return 'done';
      });
      return use.immediate();
    },
    async listStudents(courseId) {
      return all(
        `SELECT u.* FROM users u JOIN enrollments e ON e.user_id = u.id
         WHERE e.course_id = ? AND e.role = 'student' ORDER BY u.name, u.email`,
        courseId,
      ).map(toUser);
    },
    async teaches(instructorId, studentId) {
      return !!one(
        `SELECT 1 FROM enrollments i JOIN enrollments s ON s.course_id = i.course_id
         WHERE i.user_id = ? AND i.role = 'instructor' AND s.user_id = ? AND s.role = 'student'`,
        instructorId,
        studentId,
      );
    },

    async recordRunQueued(run: NewRun) {
      exec(
        `INSERT INTO runs (id, user_id, course_id, exercise_id, kind, rerun_of, requested_by, code, state, created_at)
         VALUES (?, ?, COALESCE(?, (SELECT course_id FROM runs WHERE id = ?)), ?, ?, ?, ?, ?, 'queued', ?)`,
        run.id,
        run.userId,
        run.courseId ?? null,
        run.rerunOf ?? null,
        run.exerciseId,
        run.kind ?? 'student',
        run.rerunOf ?? null,
        run.requestedBy ?? null,
        run.code,
        Date.now(),
      );
    },
    async recordRunRunning(runId) {
      exec(
        `UPDATE runs SET state = 'running', started_at = ? WHERE id = ? AND state = 'queued'`,
        Date.now(),
        runId,
      );
    },
    async recordRunFinished(runId, result, resultJson) {
      const required = result.checks.filter((c) => c.required);
      exec(
        `UPDATE runs SET state = 'finished', status = ?, gradable = ?, checks_passed = ?, checks_total = ?,
           required_passed = ?, required_total = ?, result_json = ?, finished_at = ?, duration_ms = ?,
           started_at = COALESCE(started_at, ?), error_kind = ?, check_outcomes = ?
         WHERE id = ?`,
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
      );
    },
    async recordRunInterrupted(runId) {
      exec(
        `UPDATE runs SET state = 'interrupted', finished_at = ? WHERE id = ? AND state IN ('queued', 'running')`,
        Date.now(),
        runId,
      );
    },
    async interruptUnfinishedRuns() {
      return exec(
        `UPDATE runs SET state = 'interrupted', finished_at = ? WHERE state IN ('queued', 'running')`,
        Date.now(),
      ).changes;
    },
    async getRun(id) {
      const r = one(`SELECT ${SUMMARY_COLUMNS}, code, result_json FROM runs WHERE id = ?`, id);
      return r && toRun(r);
    },
    async listRuns(q) {
      const { where, params } = runWhere(q);
      return all(`SELECT ${SUMMARY_COLUMNS} FROM runs ${where}`, ...params).map(toSummary);
    },
    async listRunsWithCode(q) {
      const { where, params } = runWhere(q);
      return all(`SELECT ${SUMMARY_COLUMNS}, code, result_json FROM runs ${where}`, ...params).map(
        toRun,
      );
    },
    async listRunOutcomes(q) {
      const { where, params } = runWhere(q);
      return all(
        `SELECT ${SUMMARY_COLUMNS}, error_kind, check_outcomes FROM runs ${where}`,
        ...params,
      ).map(toOutcome);
    },
    async countRunsSince(userId, since) {
      const r = one(
        `SELECT count(*) AS n FROM runs WHERE user_id IS ? AND kind = 'student' AND created_at >= ?`,
        userId,
        since.getTime(),
      );
      return Number(r?.n ?? 0);
    },

    // Run shares: checked and taken in one transaction (SQLite has one writer at a time).
    async takeRunShare(r) {
      const take = db.transaction((): RunShareVerdict => {
        exec(
          'DELETE FROM run_shares WHERE accepted_at <= ? AND held_until <= ?',
          r.now - MINUTE_MS,
          r.now,
        );
        if (r.perMinute !== null) {
          const recent = one(
            'SELECT count(*) AS n FROM run_shares WHERE client_key = ? AND accepted_at > ?',
            r.clientKey,
            r.now - MINUTE_MS,
          );
          if (Number(recent?.n ?? 0) >= r.perMinute) return 'per-minute';
        }
        const held = one(
          'SELECT count(*) AS n FROM run_shares WHERE client_key = ? AND held_until > ?',
          r.clientKey,
          r.now,
        );
        if (Number(held?.n ?? 0) >= r.activeLimit) return 'active';
        exec(
          `INSERT INTO run_shares (run_id, client_key, accepted_at, held_until)
           VALUES (?, ?, ?, ?)`,
          r.runId,
          r.clientKey,
          r.now,
          r.heldUntil,
        );
        return 'taken';
      });
      return take.immediate();
    },
    async renewRunShares(runIds, heldUntil) {
      const renew = db.prepare(
        'UPDATE run_shares SET held_until = ? WHERE run_id = ? AND held_until > 0',
      );
      db.transaction(() => {
        for (const id of runIds) renew.run(heldUntil, id);
      })();
    },
    async releaseRunShare(runId) {
      exec('UPDATE run_shares SET held_until = 0 WHERE run_id = ?', runId);
    },

    async addComment(c) {
      const row = { id: randomUUID(), created_at: Date.now() };
      exec(
        'INSERT INTO comments (id, run_id, author_id, line, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        row.id,
        c.runId,
        c.authorId,
        c.line,
        c.body,
        row.created_at,
      );
      return (await store.getComment(row.id))!;
    },
    async listComments(runId) {
      return all(
        `SELECT c.*, u.name AS author_name FROM comments c JOIN users u ON u.id = c.author_id
         WHERE c.run_id = ? ORDER BY c.line, c.created_at`,
        runId,
      ).map(toComment);
    },
    async getComment(id) {
      const r = one(
        `SELECT c.*, u.name AS author_name FROM comments c JOIN users u ON u.id = c.author_id
         WHERE c.id = ?`,
        id,
      );
      return r && toComment(r);
    },
    async updateComment(id, body) {
      exec(
        'UPDATE comments SET body = ?, edited_at = ?, read_at = NULL WHERE id = ?',
        body,
        Date.now(),
        id,
      );
      return store.getComment(id);
    },
    async deleteComment(id) {
      exec('DELETE FROM comments WHERE id = ?', id);
    },
    async markCommentsRead(runId) {
      return exec(
        'UPDATE comments SET read_at = ? WHERE run_id = ? AND read_at IS NULL',
        Date.now(),
        runId,
      ).changes;
    },
    async listUnreadComments(userId) {
      return all(
        `SELECT r.id AS run_id, r.exercise_id, count(*) AS n FROM comments c
         JOIN runs r ON r.id = c.run_id
         WHERE r.user_id = ? AND c.read_at IS NULL
         GROUP BY r.id, r.exercise_id ORDER BY r.exercise_id, r.id`,
        userId,
      ).map((r) => ({
        runId: String(r.run_id),
        exerciseId: String(r.exercise_id),
        count: Number(r.n),
      }));
    },

    // Drafts: one upsert, kept only when this edit is not older than the stored one.
    async getDraft(userId, exerciseId) {
      const r = one(
        'SELECT * FROM drafts WHERE user_id = ? AND exercise_id = ?',
        userId,
        exerciseId,
      );
      return r && toDraft(r);
    },
    async saveDraft(d) {
      exec(
        `INSERT INTO drafts (user_id, exercise_id, code, edited_at, saved_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id, exercise_id) DO UPDATE
           SET code = excluded.code, edited_at = excluded.edited_at, saved_at = excluded.saved_at
           WHERE excluded.edited_at >= drafts.edited_at`,
        d.userId,
        d.exerciseId,
        d.code,
        d.editedAt.getTime(),
        Date.now(),
      );
      return toDraft(
        one('SELECT * FROM drafts WHERE user_id = ? AND exercise_id = ?', d.userId, d.exerciseId)!,
      );
    },

    async close() {
      if (db.open) db.close();
    },
  };
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  let changes = 0;
  return durableWrites(
    store,
    () => (db.open ? (changes = totalChanges.get() as number) : changes),
    new SharedSync(syncFile(`${file}-wal`)),
    // A run that a power cut leaves `running` or `queued` is marked interrupted all the same at
    // the next start, so its start needs no disk sync of its own: one sync fewer per run.
    ['recordRunRunning'],
  );
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        m.version,
        Date.now(),
      );
    })();
  }
}
