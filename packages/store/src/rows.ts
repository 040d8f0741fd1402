// Row mapping shared by the SQLite and PostgreSQL stores: both keep the same columns with times
// as milliseconds since the epoch (PostgreSQL hands BIGINT back as a string, hence Number()).
import type { RunResult } from '@ebpf-lab/protocol';
import type {
  Assignment,
  CheckOutcome,
  Comment,
  Course,
  CourseMember,
  CourseRole,
  Draft,
  Membership,
  PasswordResetVerdict,
  Role,
  Run,
  RunOutcome,
  RunSummary,
  User,
} from './types.ts';

export type Row = Record<string, unknown>;

export const iso = (ms: unknown): string => new Date(Number(ms)).toISOString();
const isoOrNull = (ms: unknown): string | null => (ms == null ? null : iso(ms));
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));

export function toUser(r: Row): User {
  return {
    id: String(r.id),
    email: String(r.email),
    name: String(r.name),
    role: r.role as Role,
    createdAt: iso(r.created_at),
  };
}

export function toCourse(r: Row): Course {
  return {
    id: String(r.id),
    title: String(r.title),
    joinCode: String(r.join_code),
    ownerId: String(r.owner_id),
    createdAt: iso(r.created_at),
  };
}

/** A course row joined with the member's enrollment (its role as `course_role`). */
export function toMembership(r: Row): Membership {
  return { course: toCourse(r), role: r.course_role as CourseRole };
}

/** Staff first (instructors, then assistants), then students, each by name. */
export const MEMBER_ORDER = `CASE e.role WHEN 'instructor' THEN 0 WHEN 'assistant' THEN 1 ELSE 2 END,
  u.name, u.email`;

export function toMember(r: Row): CourseMember {
  return { ...toUser(r), courseRole: r.course_role as CourseRole, joinedAt: iso(r.joined_at) };
}

export function toAssignment(r: Row): Assignment {
  return {
    courseId: String(r.course_id),
    exerciseId: String(r.exercise_id),
    opensAt: iso(r.opens_at),
    dueAt: iso(r.due_at),
    lateUntil: isoOrNull(r.late_until),
    lateCreditPercent: numOrNull(r.late_credit),
    updatedAt: iso(r.updated_at),
  };
}

export function toSummary(r: Row): RunSummary {
  return {
    id: String(r.id),
    userId: r.user_id == null ? null : String(r.user_id),
    courseId: r.course_id == null ? null : String(r.course_id),
    exerciseId: String(r.exercise_id),
    kind: r.kind as RunSummary['kind'],
    rerunOf: r.rerun_of == null ? null : String(r.rerun_of),
    requestedBy: r.requested_by == null ? null : String(r.requested_by),
    state: r.state as RunSummary['state'],
    status: (r.status as RunSummary['status']) ?? null,
    gradable: r.gradable == null ? null : r.gradable === 1,
    checksPassed: numOrNull(r.checks_passed),
    checksTotal: numOrNull(r.checks_total),
    requiredPassed: numOrNull(r.required_passed),
    requiredTotal: numOrNull(r.required_total),
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    durationMs: numOrNull(r.duration_ms),
    codeBytes: Number(r.code_bytes),
  };
}

export function toRun(r: Row): Run {
  return {
    ...toSummary(r),
    code: String(r.code),
    result: r.result_json == null ? null : (JSON.parse(String(r.result_json)) as RunResult),
  };
}

export function toDraft(r: Row): Draft {
  return {
    exerciseId: String(r.exercise_id),
    code: String(r.code),
    editedAt: iso(r.edited_at),
    savedAt: iso(r.saved_at),
  };
}

export function toComment(r: Row): Comment {
  return {
    id: String(r.id),
    runId: String(r.run_id),
    authorId: String(r.author_id),
    authorName: String(r.author_name),
    line: Number(r.line),
    body: String(r.body),
    createdAt: iso(r.created_at),
    editedAt: isoOrNull(r.edited_at),
    readAt: isoOrNull(r.read_at),
  };
}

export function toOutcome(r: Row): RunOutcome {
  let checks: CheckOutcome[] = [];
  if (r.check_outcomes != null) {
    const raw = JSON.parse(String(r.check_outcomes)) as Partial<CheckOutcome>[];
    checks = raw.map((c) => ({
      id: String(c.id),
      title: String(c.title ?? c.id),
      required: c.required === true,
      status: c.status ?? 'fail',
      hint: c.hint ?? null,
    }));
  }
  return {
    ...toSummary(r),
    errorKind: (r.error_kind as RunOutcome['errorKind']) ?? null,
    checks,
  };
}

/** The compact copy of a result's checks kept beside it (migration 5). */
export function checkOutcomesOf(result: RunResult): string {
  const checks: CheckOutcome[] = result.checks.map((c) => ({
    id: c.id,
    title: c.title,
    required: c.required,
    status: c.status,
    hint: c.hint ?? null,
  }));
  return JSON.stringify(checks);
}

/** The columns of a run summary; `codeBytes` is each database's expression for the code's size. */
export function summaryColumns(codeBytes: string): string {
  return `id, user_id, course_id, exercise_id, kind, rerun_of, requested_by, state, status, gradable,
  checks_passed, checks_total, required_passed, required_total, created_at, started_at,
  finished_at, duration_ms, ${codeBytes} AS code_bytes`;
}

/** A reset link's row: `done` when it may be used at `now`, else why not. */
export function resetVerdict(r: Row | undefined, now: number): PasswordResetVerdict {
  if (!r) return 'unknown';
  if (r.used_at != null) return 'used';
  if (Number(r.expires_at) <= now) return 'expired';
  return 'done';
}
