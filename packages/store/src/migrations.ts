// Schema versions, applied in order at start-up inside one transaction each. Append only:
// a released migration is never edited, a new one is added after it. Each version is written
// once per database, with the same tables, columns and meaning: times are milliseconds since
// the epoch in both, booleans 0/1, so the two stores share their row mapping.
export interface Migration {
  version: number;
  sqlite: string;
  postgres: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    sqlite: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE courses (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL REFERENCES users(id),
        created_at INTEGER NOT NULL
      );
      CREATE TABLE enrollments (
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (course_id, user_id)
      );
      CREATE INDEX enrollments_user ON enrollments(user_id);
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        user_id TEXT REFERENCES users(id),
        exercise_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('student', 'rerun')),
        rerun_of TEXT REFERENCES runs(id),
        requested_by TEXT REFERENCES users(id),
        code TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'finished', 'interrupted')),
        status TEXT,
        gradable INTEGER,
        checks_passed INTEGER,
        checks_total INTEGER,
        required_passed INTEGER,
        required_total INTEGER,
        result_json TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        duration_ms REAL
      );
      CREATE INDEX runs_user_exercise ON runs(user_id, exercise_id, created_at);
      CREATE INDEX runs_state ON runs(state);
      CREATE TABLE comments (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        author_id TEXT NOT NULL REFERENCES users(id),
        line INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX comments_run ON comments(run_id);
    `,
    // Emails are unique whatever their case (SQLite's COLLATE NOCASE); `seq` keeps insertion
    // order for runs created in the same millisecond, as SQLite's rowid does.
    postgres: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
        password_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX users_email_unique ON users (lower(email));
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE courses (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL REFERENCES users(id),
        created_at BIGINT NOT NULL
      );
      CREATE TABLE enrollments (
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('instructor', 'student')),
        joined_at BIGINT NOT NULL,
        PRIMARY KEY (course_id, user_id)
      );
      CREATE INDEX enrollments_user ON enrollments(user_id);
      CREATE TABLE runs (
        seq BIGSERIAL NOT NULL,
        id TEXT PRIMARY KEY,
        user_id TEXT REFERENCES users(id),
        exercise_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('student', 'rerun')),
        rerun_of TEXT REFERENCES runs(id),
        requested_by TEXT REFERENCES users(id),
        code TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'finished', 'interrupted')),
        status TEXT,
        gradable INTEGER,
        checks_passed INTEGER,
        checks_total INTEGER,
        required_passed INTEGER,
        required_total INTEGER,
        result_json TEXT,
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        duration_ms DOUBLE PRECISION
      );
      CREATE INDEX runs_user_exercise ON runs(user_id, exercise_id, created_at);
      CREATE INDEX runs_state ON runs(state);
      CREATE TABLE comments (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        author_id TEXT NOT NULL REFERENCES users(id),
        line INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX comments_run ON comments(run_id);
    `,
  },
  {
    // Drafts: the editor's code of a signed-in student, one row per exercise.
    // `edited_at` is when the student made the edit (client clock, never in the server's future),
    // so a late save from a stale tab or device cannot overwrite a later edit.
    version: 2,
    sqlite: `
      CREATE TABLE drafts (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        exercise_id TEXT NOT NULL,
        code TEXT NOT NULL,
        edited_at INTEGER NOT NULL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, exercise_id)
      );
    `,
    postgres: `
      CREATE TABLE drafts (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        exercise_id TEXT NOT NULL,
        code TEXT NOT NULL,
        edited_at BIGINT NOT NULL,
        saved_at BIGINT NOT NULL,
        PRIMARY KEY (user_id, exercise_id)
      );
    `,
  },
  {
    // Run shares across web nodes: one row per accepted run of a client (`user:<id>` or
    // `address:<ip>`). A run holds its share until `held_until`: its node renews the lease while
    // the run is queued or running and sets it to 0 when the run ends, so a node that dies
    // frees its clients' shares when the lease lapses. `accepted_at` stays, for the per-minute
    // count; rows older than a minute and no longer held are deleted as new runs come.
    // In PostgreSQL, take_run_share checks and takes in one call, under a lock on the client
    // key, so two nodes taking the client's last share at once cannot both get it. The table is
    // UNLOGGED: a share lives seconds, so taking one waits for no WAL flush, and a database
    // crash only frees every share (PostgreSQL empties unlogged tables after one).
    version: 3,
    sqlite: `
      CREATE TABLE run_shares (
        run_id TEXT PRIMARY KEY,
        client_key TEXT NOT NULL,
        accepted_at INTEGER NOT NULL,
        held_until INTEGER NOT NULL
      );
      CREATE INDEX run_shares_client ON run_shares(client_key, accepted_at);
      CREATE INDEX run_shares_accepted ON run_shares(accepted_at);
    `,
    postgres: `
      CREATE UNLOGGED TABLE run_shares (
        run_id TEXT PRIMARY KEY,
        client_key TEXT NOT NULL,
        accepted_at BIGINT NOT NULL,
        held_until BIGINT NOT NULL
      );
      CREATE INDEX run_shares_client ON run_shares(client_key, accepted_at);
      CREATE INDEX run_shares_accepted ON run_shares(accepted_at);
      CREATE FUNCTION take_run_share(
        p_run_id TEXT, p_client_key TEXT, p_now BIGINT, p_held_until BIGINT,
        p_active_limit INTEGER, p_per_minute INTEGER
      ) RETURNS TEXT LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_client_key, 0));
        DELETE FROM run_shares WHERE accepted_at <= p_now - 60000 AND held_until <= p_now;
        IF p_per_minute IS NOT NULL AND (
          SELECT count(*) FROM run_shares
          WHERE client_key = p_client_key AND accepted_at > p_now - 60000
        ) >= p_per_minute THEN
          RETURN 'per-minute';
        END IF;
        IF (
          SELECT count(*) FROM run_shares WHERE client_key = p_client_key AND held_until > p_now
        ) >= p_active_limit THEN
          RETURN 'active';
        END IF;
        INSERT INTO run_shares (run_id, client_key, accepted_at, held_until)
          VALUES (p_run_id, p_client_key, p_now, p_held_until);
        RETURN 'taken';
      END
      $$;
    `,
  },
  {
    // Course rules. Runs belong to the course they were made for (`course_id`; null: practice
    // outside any course, which no instructor sees); runs made before this version are given
    // to the student's course when they had exactly one, and stay unattributed otherwise.
    // Course staff gain the `assistant` role. Assignments: an exercise of a course with its
    // opening and due times and an optional late window with a credit percentage. Password
    // reset links, stored as the SHA-256 of the token, single use (`used_at`), expiring.
    version: 4,
    sqlite: `
      ALTER TABLE runs ADD COLUMN course_id TEXT REFERENCES courses(id) ON DELETE SET NULL;
      UPDATE runs SET course_id = (
        SELECT e.course_id FROM enrollments e WHERE e.user_id = runs.user_id AND e.role = 'student'
      )
      WHERE user_id IS NOT NULL AND (
        SELECT count(*) FROM enrollments e WHERE e.user_id = runs.user_id AND e.role = 'student'
      ) = 1;
      CREATE INDEX runs_course ON runs(course_id, user_id, exercise_id, created_at);
      CREATE TABLE enrollments_v4 (
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('instructor', 'assistant', 'student')),
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (course_id, user_id)
      );
      INSERT INTO enrollments_v4 (course_id, user_id, role, joined_at)
        SELECT course_id, user_id, role, joined_at FROM enrollments;
      DROP TABLE enrollments;
      ALTER TABLE enrollments_v4 RENAME TO enrollments;
      CREATE INDEX enrollments_user ON enrollments(user_id);
      CREATE TABLE assignments (
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        exercise_id TEXT NOT NULL,
        opens_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        late_until INTEGER,
        late_credit INTEGER CHECK (late_credit BETWEEN 0 AND 100),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (course_id, exercise_id),
        CHECK (opens_at < due_at),
        CHECK (late_until IS NULL OR late_until > due_at),
        CHECK ((late_until IS NULL) = (late_credit IS NULL))
      );
      CREATE TABLE password_resets (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE INDEX password_resets_user ON password_resets(user_id);
    `,
    postgres: `
      ALTER TABLE runs ADD COLUMN course_id TEXT REFERENCES courses(id) ON DELETE SET NULL;
      UPDATE runs SET course_id = (
        SELECT e.course_id FROM enrollments e WHERE e.user_id = runs.user_id AND e.role = 'student'
      )
      WHERE user_id IS NOT NULL AND (
        SELECT count(*) FROM enrollments e WHERE e.user_id = runs.user_id AND e.role = 'student'
      ) = 1;
      CREATE INDEX runs_course ON runs(course_id, user_id, exercise_id, created_at);
      ALTER TABLE enrollments DROP CONSTRAINT enrollments_role_check;
      ALTER TABLE enrollments ADD CONSTRAINT enrollments_role_check
        CHECK (role IN ('instructor', 'assistant', 'student'));
      CREATE TABLE assignments (
        course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,
        exercise_id TEXT NOT NULL,
        opens_at BIGINT NOT NULL,
        due_at BIGINT NOT NULL,
        late_until BIGINT,
        late_credit INTEGER CHECK (late_credit BETWEEN 0 AND 100),
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (course_id, exercise_id),
        CHECK (opens_at < due_at),
        CHECK (late_until IS NULL OR late_until > due_at),
        CHECK ((late_until IS NULL) = (late_credit IS NULL))
      );
      CREATE TABLE password_resets (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
      );
      CREATE INDEX password_resets_user ON password_resets(user_id);
    `,
  },
  {
    // The desk's review and notifications: a comment keeps when it was last edited, and when the
    // student whose run it is last read it (an edit makes it unread again). Runs keep a compact
    // copy of their checks (id, title, required, status, hint) and their error kind, so the
    // class's mistakes are counted without reading every stored result (up to 2 MiB each);
    // runs finished before this version get theirs from the stored result here.
    version: 5,
    sqlite: `
      ALTER TABLE comments ADD COLUMN edited_at INTEGER;
      ALTER TABLE comments ADD COLUMN read_at INTEGER;
      ALTER TABLE runs ADD COLUMN error_kind TEXT;
      ALTER TABLE runs ADD COLUMN check_outcomes TEXT;
      UPDATE runs SET
        error_kind = json_extract(result_json, '$.errorKind'),
        check_outcomes = (
          SELECT json_group_array(json_object(
            'id', json_extract(c.value, '$.id'),
            'title', json_extract(c.value, '$.title'),
            'required', CASE WHEN json_extract(c.value, '$.required') THEN json('true') ELSE json('false') END,
            'status', json_extract(c.value, '$.status'),
            'hint', json_extract(c.value, '$.hint')))
          FROM json_each(runs.result_json, '$.checks') AS c)
      WHERE result_json IS NOT NULL AND json_valid(result_json);
    `,
    postgres: `
      ALTER TABLE comments ADD COLUMN edited_at BIGINT;
      ALTER TABLE comments ADD COLUMN read_at BIGINT;
      ALTER TABLE runs ADD COLUMN error_kind TEXT;
      ALTER TABLE runs ADD COLUMN check_outcomes TEXT;
      UPDATE runs SET
        error_kind = result_json::json ->> 'errorKind',
        check_outcomes = COALESCE((
          SELECT json_agg(json_build_object(
            'id', c ->> 'id',
            'title', c ->> 'title',
            'required', (c ->> 'required')::boolean,
            'status', c ->> 'status',
            'hint', c ->> 'hint'))
          FROM json_array_elements(result_json::json -> 'checks') AS c), '[]'::json)::text
      WHERE result_json IS NOT NULL;
    `,
  },
];
