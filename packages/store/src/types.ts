// The store's public types and the interface the server programs against. Every method is
// async so a PostgreSQL implementation (its own issue) can take over without touching callers.
import type { RunResult } from '@ebpf-lab/protocol';

/** What an account may do anywhere: instructors create courses. */
export type Role = 'instructor' | 'student';
/**
 * What a member may do in one course: instructors run it (assignments, staff, students);
 * assistants review and comment; students submit.
 */
export type CourseRole = 'instructor' | 'assistant' | 'student';

export interface CourseMember extends User {
  courseRole: CourseRole;
  joinedAt: string;
}

/** An exercise set in a course, with the times that decide which attempts count (ISO). */
export interface Assignment {
  courseId: string;
  exerciseId: string;
  opensAt: string;
  dueAt: string;
  /** End of the late window; null: no late submissions count. */
  lateUntil: string | null;
  /** Percentage of the score a late attempt earns; null exactly when there is no late window. */
  lateCreditPercent: number | null;
  updatedAt: string;
}

/** `removed`, or why not: the course keeps at least one instructor. */
export type RemoveMemberVerdict = 'removed' | 'last-instructor' | 'not-member';

/** Using a reset link: `done` (password set, every session of the account ended) or why not. */
export type PasswordResetVerdict = 'done' | 'used' | 'expired' | 'unknown';

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

/** A course as one of its members sees it: the course and their role in it. */
export interface Membership {
  course: Course;
  role: CourseRole;
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
  /** The course the run was made for; null: practice outside any course. */
  courseId: string | null;
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

/** One check of a finished run, as the class's mistakes count it. */
export interface CheckOutcome {
  id: string;
  title: string;
  required: boolean;
  status: 'pass' | 'fail' | 'skipped';
  /** The hint the student was shown with this check, if any. */
  hint: string | null;
}

/** A run summary with its error kind and its checks (empty until finished). */
export interface RunOutcome extends RunSummary {
  errorKind: RunResult['errorKind'] | null;
  checks: CheckOutcome[];
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
  /** When the author last changed it; null when never edited. */
  editedAt: string | null;
  /** When the run's student last read it; null while unread (an edit makes it unread again). */
  readAt: string | null;
}

/** Comments a student has not read yet, per run. */
export interface UnreadComments {
  runId: string;
  exerciseId: string;
  count: number;
}

export interface NewRun {
  id: string;
  userId: string | null;
  /** A re-run without one belongs to the course of the run it re-grades. */
  courseId?: string | null;
  exerciseId: string;
  code: string;
  kind?: RunKind;
  rerunOf?: string | null;
  requestedBy?: string | null;
}

export interface RunQuery {
  userIds?: string[];
  userId?: string | null;
  courseId?: string;
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
  /** The courses the user is a member of, each with their role in it, oldest course first. */
  listCourses(userId: string): Promise<Membership[]>;
  /** Adds the member; someone already in the course keeps the role they have. */
  enroll(courseId: string, userId: string, role: CourseRole): Promise<void>;
  enrollmentRole(courseId: string, userId: string): Promise<CourseRole | undefined>;
  listStudents(courseId: string): Promise<User[]>;
  /** Everyone in the course with their role: staff first, then students, by name. */
  listMembers(courseId: string): Promise<CourseMember[]>;
  /** Takes the member out of the course (their runs stay stored), never its last instructor. */
  removeMember(courseId: string, userId: string): Promise<RemoveMemberVerdict>;

  listAssignments(courseId: string): Promise<Assignment[]>;
  /** Creates or replaces the course's assignment of that exercise. */
  saveAssignment(assignment: Omit<Assignment, 'updatedAt'>): Promise<Assignment>;
  /** False when there was none. */
  deleteAssignment(courseId: string, exerciseId: string): Promise<boolean>;

  /**
   * Stores a reset link's token hash for the user; any earlier unused link of theirs stops
   * working, so only the newest link handed out is live.
   */
  createPasswordReset(reset: {
    tokenHash: string;
    userId: string;
    createdBy: string | null;
    expiresAt: Date;
  }): Promise<void>;
  /** The account a live (unused, unexpired) link is for, or why it is not live. */
  checkPasswordReset(
    tokenHash: string,
  ): Promise<{ ok: true; userId: string } | { ok: false; verdict: PasswordResetVerdict }>;
  /**
   * Uses the link once: sets the password and ends every session of the account, in one
   * transaction, only when the link is still unused and unexpired.
   */
  usePasswordReset(tokenHash: string, passwordHash: string): Promise<PasswordResetVerdict>;
  /** True when `studentId` is a student of a course that `instructorId` teaches. */
  teaches(instructorId: string, studentId: string): Promise<boolean>;

  recordRunQueued(run: NewRun): Promise<void>;
  recordRunRunning(runId: string): Promise<void>;
  /**
   * `resultJson`, when the caller already serialised the result, is that text
   * (`JSON.stringify(result)`), stored as it is so a large result is not serialised again.
   */
  recordRunFinished(runId: string, result: RunResult, resultJson?: string): Promise<void>;
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
  getComment(id: string): Promise<Comment | undefined>;
  /** New text; the comment becomes unread again. Undefined when there is no such comment. */
  updateComment(id: string, body: string): Promise<Comment | undefined>;
  deleteComment(id: string): Promise<void>;
  /** The run's student has read its comments; returns how many were unread. */
  markCommentsRead(runId: string): Promise<number>;
  /** Unread comments on the runs of `userId`, per run. */
  listUnreadComments(userId: string): Promise<UnreadComments[]>;
  /** Runs with their error kind and checks, for counting the class's mistakes. */
  listRunOutcomes(query: RunQuery): Promise<RunOutcome[]>;

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
