// The store's public types and the interface the server programs against. Every method is
// async so a PostgreSQL implementation (its own issue) can take over without touching callers.
import type { RunResult } from '@ebpf-lab/protocol';

export type Role = 'instructor' | 'student';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

export interface Course {
  id: string;
  title: string;
  /** Secret part of the join link; whoever holds it may sign up into the course. */
  joinCode: string;
  ownerId: string;
  createdAt: string;
}

/**
 * `queued` when accepted, `running` once the runner has it, then `finished` (with the full
 * result) or `interrupted` (the server stopped before the result was stored).
 */
export type RunState = 'queued' | 'running' | 'finished' | 'interrupted';
/** `student`: submitted by the student; `rerun`: an instructor re-graded an earlier run. */
export type RunKind = 'student' | 'rerun';

export interface RunSummary {
  id: string;
  /** Null for the signed-out single-user lab. */
  userId: string | null;
  exerciseId: string;
  kind: RunKind;
  rerunOf: string | null;
  requestedBy: string | null;
  state: RunState;
  /** Result fields, present once finished. */
  status: RunResult['status'] | null;
  gradable: boolean | null;
  checksPassed: number | null;
  checksTotal: number | null;
  requiredPassed: number | null;
  requiredTotal: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  codeBytes: number;
}

export interface Run extends RunSummary {
  code: string;
  result: RunResult | null;
}

export interface Comment {
  id: string;
  runId: string;
  authorId: string;
  authorName: string;
  /** 1-based line of the submission's code. */
  line: number;
  body: string;
  createdAt: string;
}

export interface NewRun {
  id: string;
  userId: string | null;
  exerciseId: string;
  code: string;
  kind?: RunKind;
  rerunOf?: string | null;
  requestedBy?: string | null;
}

export interface RunQuery {
  userIds?: string[];
  userId?: string | null;
  exerciseId?: string;
  /** Newest first when true (default oldest first). */
  newestFirst?: boolean;
  limit?: number;
}

export interface SessionRecord {
  userId: string;
  expiresAt: string;
}

/** The editor's code a signed-in student last typed for an exercise (its draft). */
export interface Draft {
  exerciseId: string;
  code: string;
  /** When the student made the edit (ISO); the later edit wins. */
  editedAt: string;
  savedAt: string;
}

/** A run's share of its client's limits, counted in the store so every web node sees it. */
export interface RunShareRequest {
  runId: string;
  /** `user:<id>` or `address:<ip>`. */
  clientKey: string;
  /** Queued or running runs the client may hold. */
  activeLimit: number;
  /** Runs the client may start per minute; null: not counted here. */
  perMinute: number | null;
  /** The share lapses at this time (ms) unless renewed, so a dead node frees its shares. */
  heldUntil: number;
  now: number;
}

/** `taken`, or which limit refused the run. */
export type RunShareVerdict = 'taken' | 'per-minute' | 'active';

export interface Store {
  createUser(user: {
    email: string;
    name: string;
    role: Role;
    passwordHash: string;
  }): Promise<User>;
  getUser(id: string): Promise<User | undefined>;
  getUserByEmail(email: string): Promise<UserWithPassword | undefined>;

  /** `tokenHash` is a hash of the cookie value, so a leaked database holds no live session. */
  createSession(tokenHash: string, userId: string, expiresAt: Date): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | undefined>;
  deleteSession(tokenHash: string): Promise<void>;

  createCourse(course: { title: string; ownerId: string; joinCode: string }): Promise<Course>;
  getCourse(id: string): Promise<Course | undefined>;
  getCourseByJoinCode(joinCode: string): Promise<Course | undefined>;
  /** Courses the user teaches (instructor) or is enrolled in (student). */
  listCourses(userId: string): Promise<Course[]>;
  enroll(courseId: string, userId: string, role: Role): Promise<void>;
  enrollmentRole(courseId: string, userId: string): Promise<Role | undefined>;
  listStudents(courseId: string): Promise<User[]>;
  /** True when `studentId` is a student of a course that `instructorId` teaches. */
  teaches(instructorId: string, studentId: string): Promise<boolean>;

  recordRunQueued(run: NewRun): Promise<void>;
  recordRunRunning(runId: string): Promise<void>;
  recordRunFinished(runId: string, result: RunResult): Promise<void>;
  /** The run stopped without a result (cancelled, or the runner failed outside the run). */
  recordRunInterrupted(runId: string): Promise<void>;
  /** Start-up: every run left `queued` or `running` becomes `interrupted`. Returns how many. */
  interruptUnfinishedRuns(): Promise<number>;
  getRun(id: string): Promise<Run | undefined>;
  listRuns(query: RunQuery): Promise<RunSummary[]>;
  /** Full runs (code and result) for exports and diffs. */
  listRunsWithCode(query: RunQuery): Promise<Run[]>;
  /** Student runs started by `userId` (null: the local user) since `since`. */
  countRunsSince(userId: string | null, since: Date): Promise<number>;

  /** Takes a share when the client is within both limits, checked and taken atomically. */
  takeRunShare(request: RunShareRequest): Promise<RunShareVerdict>;
  /** Extends the leases of shares still held (runs still queued or running). */
  renewRunShares(runIds: string[], heldUntil: number): Promise<void>;
  /** The run ended: its share is no longer held, but still counts for the per-minute limit. */
  releaseRunShare(runId: string): Promise<void>;

  addComment(comment: {
    runId: string;
    authorId: string;
    line: number;
    body: string;
  }): Promise<Comment>;
  listComments(runId: string): Promise<Comment[]>;

  /** Drafts: the editor's code of a signed-in student. */
  getDraft(userId: string, exerciseId: string): Promise<Draft | undefined>;
  /**
   * Keeps `code` unless the stored draft was edited later; returns the draft now stored, so a
   * caller whose save lost learns the code that won.
   */
  saveDraft(draft: {
    userId: string;
    exerciseId: string;
    code: string;
    editedAt: Date;
  }): Promise<Draft>;

  close(): Promise<void>;
}
