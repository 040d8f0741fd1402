// The format of bpf-templates/<id>/exercise.json. Adding an exercise means adding a folder
// that passes this schema; nothing else. See docs/architecture.md, section 3.
import { z } from 'zod';

/** A file planted in the target's private /tmp. `{{secret}}` is replaced by the run's secret. */
export const PlantedFile = z.object({
  path: z.string().regex(/^\/tmp\/[A-Za-z0-9._/-]+$/, 'planted files live under /tmp'),
  content: z.string(),
  mode: z.number().int().default(0o644),
});

export const Scenario = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  /** Arguments to the target binary; the target reads the scenario from them. */
  args: z.array(z.string()).default([]),
  files: z.array(PlantedFile).default([]),
  wallMs: z.number().int().positive().max(10_000).optional(),
});
export type Scenario = z.infer<typeof Scenario>;

export const Check = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  /** Scenario whose observations this check reads (omit for checks over the object itself). */
  scenario: z.string().optional(),
  required: z.boolean().default(true),
  /** Name of a check function in the grader package (e.g. `answer-equals`). */
  kind: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Shown on request when the check fails: teaches, does not give the answer away. */
  hint: z.string(),
  /**
   * For answer checks: what was observed when the hint applies (`nothing` captured, bytes from an
   * `other-file`, some reads `missed`, a `wrong-length` submitted at the right read). A failure
   * showing none of these gets no hint rather than a lesson about an unrelated pitfall.
   */
  hintWhen: z.array(z.enum(['nothing', 'other-file', 'missed', 'wrong-length'])).optional(),
});
export type Check = z.infer<typeof Check>;

export const Limits = z.object({
  wallMs: z.number().int().positive().max(10_000).default(2000),
  maxInsns: z.number().int().positive().max(1_000_000).default(4096),
  maxMaps: z.number().int().positive().default(8),
  maxMapEntries: z.number().int().positive().default(4096),
  maxMapValueBytes: z.number().int().positive().default(4096),
  memoryBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  pids: z.number().int().positive().default(32),
  maxRecords: z.number().int().positive().default(4096),
});
export type Limits = z.infer<typeof Limits>;

export const ExerciseMeta = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  chapter: z.number().int().nonnegative(),
  chapterTitle: z.string(),
  order: z.number().int().nonnegative(),
  title: z.string(),
  summary: z.string(),
  /**
   * ELF section names the student's programs may use: `tracepoint/syscalls/sys_enter_openat`, or a
   * uprobe on the target's own function (`uprobe/check_password`, `uretprobe/…`) or on libc's
   * (`uprobe/libc.so.6:getenv`). Nothing else: a probe never takes a path from anyone.
   */
  sections: z
    .array(
      z
        .string()
        .regex(
          /^(?:(?:tracepoint|tp)\/[A-Za-z0-9_]+\/[A-Za-z0-9_]+|u(?:ret)?probe\/(?:libc\.so\.6:)?[A-Za-z_][A-Za-z0-9_]*)$/,
          'a section is tracepoint/<category>/<name>, uprobe/<function>, uretprobe/<function> or the same with libc.so.6:<function>',
        ),
    )
    .min(1),
  /** Tracepoints the platform records as the target's ground truth, e.g. `syscalls/sys_enter_openat`. */
  observe: z.array(z.string()).default([]),
  /** Helpers documented for this exercise (names from the helper reference). */
  helpers: z.array(z.string()).default([]),
  answer: z.object({ kind: z.enum(['bytes', 'number', 'none']) }).default({ kind: 'bytes' }),
  /** How the per-run secret is drawn. */
  secret: z
    .object({
      length: z.number().int().positive().max(200).default(24),
      alphabet: z.string().default('abcdefghijklmnopqrstuvwxyz0123456789'),
    })
    .default({ length: 24, alphabet: 'abcdefghijklmnopqrstuvwxyz0123456789' }),
  limits: Limits.default(Limits.parse({})),
  /**
   * `private`: each scenario's target runs in a network namespace of its own, holding only a
   * loopback interface, so whatever it sends stays inside the run and its ports never meet the
   * host's. `host`: the machine's network, as for targets that never use it.
   */
  network: z.enum(['host', 'private']).default('host'),
  /**
   * The exercise continues another one: a student who passed `exercise` starts from their own
   * best passing code with `continue.bpf.c` (the new TODO) appended, instead of the starter.
   */
  continues: z.object({ exercise: z.string() }).optional(),
  scenarios: z.array(Scenario).min(1),
  checks: z.array(Check).min(1),
});
export type ExerciseMeta = z.infer<typeof ExerciseMeta>;
