// The one definition of what crosses a boundary: the grading result, the WebSocket messages
// between browser and server, the exercise listing, and the native loader's JSON lines.
// Server, runner, grader and web all import these schemas; nobody redefines them. The constants
// and the exercise listing are also entry points of their own (`@ebpf-lab/protocol/constants`,
// `@ebpf-lab/protocol/exercises`), so a page can use them without building every schema here.
import { z } from 'zod';
import { MAX_SOURCE_BYTES, STAGE_NAMES } from './constants.ts';

export * from './constants.ts';
export * from './errors.ts';
export * from './exercises.ts';

// ---------------------------------------------------------------------------------------------
// Stages of one run, in order.
export const StageName = z.enum(STAGE_NAMES);
export type StageName = z.infer<typeof StageName>;

export const StageStatus = z.enum(['ok', 'failed', 'skipped']);
export const StageResult = z.object({
  name: StageName,
  status: StageStatus,
  durationMs: z.number().nonnegative(),
  /** Raw output of the stage (compiler messages, full verifier log, …). */
  log: z.string().optional(),
  /** True when `log` was cut at its cap. */
  truncated: z.boolean().optional(),
});
export type StageResult = z.infer<typeof StageResult>;

// ---------------------------------------------------------------------------------------------
// Diagnostics placed on the student's own source lines.
export const DiagnosticSource = z.enum([
  'clang',
  'clangd',
  'static',
  'verifier',
  'attach',
  'grader',
]);
export type DiagnosticSource = z.infer<typeof DiagnosticSource>;
export const Severity = z.enum(['error', 'warning', 'info', 'hint']);
export type Severity = z.infer<typeof Severity>;

export const FixIt = z.object({
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int(),
  endColumn: z.number().int(),
  text: z.string(),
});

export const Diagnostic = z.object({
  source: DiagnosticSource,
  severity: Severity,
  /** 1-based; 0 when the diagnostic has no place in the student's file. */
  line: z.number().int().nonnegative(),
  column: z.number().int().nonnegative().default(0),
  endLine: z.number().int().nonnegative().optional(),
  endColumn: z.number().int().nonnegative().optional(),
  message: z.string(),
  /** Stable class id, e.g. `verifier/null-check` or `static/forbidden-helper`. */
  code: z.string().optional(),
  /** Plain-words explanation and what to try, for classes we recognise. */
  explanation: z.string().optional(),
  suggestion: z.string().optional(),
  fixits: z.array(FixIt).optional(),
  /** For verifier errors: index of the failing instruction in the program's log. */
  insn: z.number().int().optional(),
  program: z.string().optional(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

// ---------------------------------------------------------------------------------------------
// Observations: what happened during the run, per scenario.

/** A record the student's program sent through lab.h (`SUBMIT*` or `DEBUG`). */
export const SubmitRecord = z.object({
  /** Nanoseconds since boot (bpf_ktime_get_ns), comparable with syscall times. */
  ts: z.string(),
  pid: z.number().int(),
  tid: z.number().int(),
  kind: z.enum(['bytes', 'user', 'num']),
  /** Submitted bytes as lowercase hex; for `num`, the decimal number. */
  data: z.string(),
  /** The student asked for more than a record holds, or the read failed. */
  truncated: z.boolean().default(false),
});
export type SubmitRecord = z.infer<typeof SubmitRecord>;

export const DebugRecord = z.object({
  ts: z.string(),
  pid: z.number().int(),
  tid: z.number().int(),
  text: z.string(),
});
export type DebugRecord = z.infer<typeof DebugRecord>;

/** One syscall of the target as the platform recorded it (enter and exit paired). */
export const SyscallRecord = z.object({
  name: z.string(), // 'openat', 'read', 'close', … (or the tracepoint name for others)
  pid: z.number().int(),
  tid: z.number().int(),
  enterTs: z.string().optional(),
  exitTs: z.string().optional(),
  /** Raw arguments as decimal strings (64-bit safe). */
  args: z.array(z.string()),
  /** Decoded string argument when the platform reads one (the path of openat). */
  path: z.string().optional(),
  ret: z.string().optional(),
  /**
   * For a call taking an fd (read, close, dup2, …): the file that fd named when the call was made,
   * followed through openat, close, dup, dup2, dup3 and fcntl(F_DUPFD).
   */
  file: z.string().optional(),
});
export type SyscallRecord = z.infer<typeof SyscallRecord>;

/** A decoded value from BTF: numbers as strings, structs as fields, char arrays also as text. */
export type DecodedValue =
  | { kind: 'int'; value: string }
  | { kind: 'enum'; value: string; name?: string }
  | { kind: 'ptr'; value: string }
  | { kind: 'chars'; text: string; hex: string }
  | { kind: 'array'; items: DecodedValue[] }
  | {
      kind: 'struct';
      fields: { name: string; offset: number; value: DecodedValue }[];
      /** Padding bytes that hold something other than zero (a classic lookup-miss cause). */
      padding?: { offset: number; hex: string }[];
    }
  | { kind: 'raw'; hex: string };
export const DecodedValue: z.ZodType<DecodedValue> = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal('int'), value: z.string() }),
    z.object({ kind: z.literal('enum'), value: z.string(), name: z.string().optional() }),
    z.object({ kind: z.literal('ptr'), value: z.string() }),
    z.object({ kind: z.literal('chars'), text: z.string(), hex: z.string() }),
    z.object({ kind: z.literal('array'), items: z.array(DecodedValue) }),
    z.object({
      kind: z.literal('struct'),
      fields: z.array(z.object({ name: z.string(), offset: z.number(), value: DecodedValue })),
      padding: z.array(z.object({ offset: z.number(), hex: z.string() })).optional(),
    }),
    z.object({ kind: z.literal('raw'), hex: z.string() }),
  ]),
);

export const MapEntry = z.object({
  keyHex: z.string(),
  valueHex: z.string(),
  key: DecodedValue.optional(),
  value: DecodedValue.optional(),
});
export type MapEntry = z.infer<typeof MapEntry>;

export const MapDump = z.object({
  name: z.string(),
  type: z.string(), // 'hash', 'array', 'percpu_array', 'ringbuf', …
  keySize: z.number().int(),
  valueSize: z.number().int(),
  maxEntries: z.number().int(),
  /** BTF type names of key and value, when known (e.g. `struct pid_fd_key`). */
  keyType: z.string().optional(),
  valueType: z.string().optional(),
  entries: z.array(MapEntry),
  /** More entries existed than were dumped. */
  truncated: z.boolean().default(false),
});
export type MapDump = z.infer<typeof MapDump>;

export const TargetExit = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  stdout: z.string().default(''),
  stderr: z.string().default(''),
});
export type TargetExit = z.infer<typeof TargetExit>;

export const ScenarioObservation = z.object({
  scenario: z.string(),
  /** What the scenario planted, e.g. the secret content of /tmp/password (hex). */
  planted: z.array(z.object({ path: z.string(), hex: z.string() })).default([]),
  submissions: z.array(SubmitRecord),
  debug: z.array(DebugRecord),
  syscalls: z.array(SyscallRecord),
  maps: z.array(MapDump),
  target: TargetExit.optional(),
  /** Limits hit during this scenario, named for the student. */
  limits: z.array(z.string()).default([]),
  /**
   * Traced calls of the target the lab had no room to record (its ring buffer was full): when
   * present, `syscalls` is incomplete and the scenario cannot be graded.
   */
  lostEvents: z.number().int().positive().optional(),
});
export type ScenarioObservation = z.infer<typeof ScenarioObservation>;

// ---------------------------------------------------------------------------------------------
// Checks and the result.
export const CheckStatus = z.enum(['pass', 'fail', 'skipped']);
export const CheckResult = z.object({
  id: z.string(),
  title: z.string(),
  scenario: z.string().optional(),
  required: z.boolean(),
  status: CheckStatus,
  /** What was observed against what was expected. */
  message: z.string(),
  hint: z.string().optional(),
  /** The id of a failing check that explains this failure; look at that one first. */
  causedBy: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const RunStatus = z.enum(['pass', 'fail', 'error']);
export type RunStatus = z.infer<typeof RunStatus>;
export const ErrorKind = z.enum([
  'compile',
  'static',
  'verifier',
  'attach',
  'timeout',
  'limit',
  'infrastructure',
]);
export type ErrorKind = z.infer<typeof ErrorKind>;

export const Versions = z.object({
  kernel: z.string(),
  clang: z.string(),
  libbpf: z.string(),
  exerciseHash: z.string(),
});

export const RunResult = z.object({
  runId: z.string(),
  exerciseId: z.string(),
  status: RunStatus,
  errorKind: ErrorKind.optional(),
  /** False for infrastructure errors: they never cost the student an attempt. */
  gradable: z.boolean(),
  /** One sentence for the student: what happened and what to do next. */
  summary: z.string(),
  stages: z.array(StageResult),
  checks: z.array(CheckResult),
  diagnostics: z.array(Diagnostic),
  observations: z.array(ScenarioObservation),
  /** Limits the run hit, named: "your programs ran longer than 2 s". */
  limits: z.array(z.string()),
  /** For each program the verifier accepted: its size and what the verifier processed. */
  verifierStats: z
    .array(
      z.object({
        program: z.string(),
        section: z.string(),
        insns: z.number().int(),
        verifiedInsns: z.number().int().optional(),
      }),
    )
    .optional(),
  versions: Versions,
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
});
export type RunResult = z.infer<typeof RunResult>;

// ---------------------------------------------------------------------------------------------
// WebSocket: browser → server.
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run'),
    /** Chosen by the client so it can match the `accepted` reply. */
    requestId: z.string().max(64),
    exerciseId: z.string().max(100),
    code: z.string().max(MAX_SOURCE_BYTES),
    /**
     * The course the run is made for (an assignment link carries it). Without it, a student of
     * exactly one course works for that course, anyone else practises outside any course.
     */
    courseId: z.string().max(64).optional(),
  }),
  z.object({ type: z.literal('cancel'), runId: z.string().max(64) }),
  z.object({ type: z.literal('ping') }),
  /** An instructor's desk follows a course's runs as they change (one course per connection). */
  z.object({ type: z.literal('watch-course'), courseId: z.string().max(100) }),
  z.object({ type: z.literal('unwatch-course') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// WebSocket: server → browser. Every message carries `seq` (per connection, increasing);
// run messages carry `runId`. `result` is the only authoritative message of a run.
export const RunEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('submit'), scenario: z.string(), record: SubmitRecord }),
  z.object({ kind: z.literal('debug'), scenario: z.string(), record: DebugRecord }),
  z.object({ kind: z.literal('scenario'), scenario: z.string(), title: z.string() }),
]);
export type RunEvent = z.infer<typeof RunEvent>;

export const ErrorCode = z.enum([
  'bad-json',
  'bad-message',
  'too-large',
  'rate-limited',
  // The lab is open to the network and this browser is signed out (see the server's README).
  'sign-in-required',
  'unknown-exercise',
  // The run named a course the student is not (or no longer) a student of.
  'not-in-course',
  // watch-course for a course this user does not teach.
  'forbidden',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

const envelope = { seq: z.number().int().nonnegative() };
export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('hello'), version: z.string() }),
  z.object({ ...envelope, type: z.literal('pong') }),
  z.object({ ...envelope, type: z.literal('accepted'), runId: z.string(), requestId: z.string() }),
  z.object({
    ...envelope,
    type: z.literal('queued'),
    runId: z.string(),
    position: z.number().int(),
  }),
  z.object({
    ...envelope,
    type: z.literal('stage'),
    runId: z.string(),
    stage: StageName,
    state: z.enum(['started', 'finished']),
    result: StageResult.optional(), // present when finished
  }),
  z.object({ ...envelope, type: z.literal('event'), runId: z.string(), event: RunEvent }),
  z.object({ ...envelope, type: z.literal('check'), runId: z.string(), check: CheckResult }),
  z.object({ ...envelope, type: z.literal('result'), runId: z.string(), result: RunResult }),
  z.object({ ...envelope, type: z.literal('watching'), courseId: z.string() }),
  /** A run of a student of the watched course changed state (sent only to its instructors). */
  z.object({
    ...envelope,
    type: z.literal('desk-run'),
    courseId: z.string(),
    studentId: z.string(),
    exerciseId: z.string(),
    runId: z.string(),
    kind: z.enum(['student', 'rerun']),
    state: z.enum(['queued', 'running', 'finished', 'interrupted']),
  }),
  /** A comment on one of this student's runs was written, edited or deleted. */
  z.object({
    ...envelope,
    type: z.literal('comments-changed'),
    runId: z.string(),
    exerciseId: z.string(),
  }),
  z.object({
    ...envelope,
    type: z.literal('error'),
    runId: z.string().optional(),
    code: ErrorCode,
    message: z.string(),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** A server message before the connection stamps its sequence number. */
export type OutgoingMessage = ServerMessage extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never;

// ---------------------------------------------------------------------------------------------
// The native loader (native/loader/): config on stdin, JSON lines on stdout.
export const LoaderScenario = z.object({
  id: z.string(),
  /** Absolute path of the built target binary and its arguments. */
  target: z.string(),
  args: z.array(z.string()),
  /** Files planted in the target's private /tmp before the programs see anything. */
  files: z.array(
    z.object({ path: z.string(), hex: z.string(), mode: z.number().int().default(0o644) }),
  ),
  wallMs: z.number().int().positive(),
  /** `private`: the target gets a network namespace of its own with only loopback, up. */
  network: z.enum(['host', 'private']).optional(),
});
export type LoaderScenario = z.infer<typeof LoaderScenario>;

/**
 * One map as the static checks accepted it. Globals are named by their section (`.data`,
 * `.bss.counters`): libbpf makes each a one-entry array with 4-byte keys, whose flags it chooses.
 */
export const LoaderMapView = z.object({
  name: z.string(),
  /** libbpf's name of the type: `hash`, `array`, `percpu_array`, `ringbuf`, … */
  type: z.string(),
  keySize: z.number().int().nonnegative(),
  valueSize: z.number().int().nonnegative(),
  maxEntries: z.number().int().nonnegative(),
  flags: z.number().int().nonnegative(),
});
export type LoaderMapView = z.infer<typeof LoaderMapView>;

export const LoaderConfig = z.object({
  /** The student's checked object file. */
  object: z.string(),
  /** Every map of the object as the static checks saw it; libbpf must see exactly these. */
  maps: z.array(LoaderMapView),
  /** Tracepoints the platform records as ground truth, e.g. `syscalls/sys_enter_openat`. */
  observe: z.array(z.string()),
  scenarios: z.array(LoaderScenario),
  /** A cgroup v2 directory that does not exist yet; the loader creates and removes it. */
  cgroup: z.string(),
  limits: z.object({
    memoryBytes: z.number().int().positive(),
    pids: z.number().int().positive(),
    /** Records (submit + debug) per scenario before the run is stopped. */
    maxRecords: z.number().int().positive(),
    /** Ground-truth syscall events per scenario. */
    maxSyscalls: z.number().int().positive(),
    /** Entries dumped per map. */
    maxMapEntries: z.number().int().positive(),
    /** Entries dumped in the whole run, all maps and scenarios together. */
    mapDumpEntries: z.number().int().positive(),
    /** Bytes of map dumps (as JSON) in the whole run. */
    mapDumpBytes: z.number().int().positive(),
    /** Bytes of target stdout/stderr kept. */
    maxOutputBytes: z.number().int().positive(),
    /** Bytes all maps and globals may take, per-CPU values counted once per possible CPU. */
    mapMemoryBytes: z.number().int().positive(),
    /** Wall time the verifier may take over all the student's programs. */
    verifyMs: z.number().int().positive(),
    /** Instructions the verifier may process over all the student's programs (its own stats). */
    verifiedInsns: z.number().int().positive(),
  }),
});
export type LoaderConfig = z.infer<typeof LoaderConfig>;

export const LoaderLine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('loaded'),
    programs: z.array(
      z.object({
        name: z.string(),
        section: z.string(),
        id: z.number().int(),
        insns: z.number().int(),
        /** Instructions the verifier processed to accept it. */
        verifiedInsns: z.number().int().optional(),
      }),
    ),
    maps: z.array(z.object({ name: z.string(), id: z.number().int() })),
  }),
  z.object({
    type: z.literal('verifier_error'),
    /** Empty when libbpf could not open the object, before any program reached the verifier. */
    program: z.string(),
    errno: z.number().int(),
    log: z.string(),
  }),
  /** libbpf reads the object differently from the static checks: refused before anything loads. */
  z.object({ type: z.literal('object_refused'), message: z.string() }),
  z.object({
    type: z.literal('attach_error'),
    program: z.string(),
    section: z.string(),
    errno: z.number().int(),
    message: z.string(),
  }),
  z.object({
    type: z.literal('attached'),
    hooks: z.array(z.string()),
    /** Kernel ids of the platform's own dispatcher programs, maps and links (to verify clean-up). */
    platform: z
      .object({
        programs: z.array(z.number().int()),
        maps: z.array(z.number().int()),
        links: z.array(z.number().int()),
      })
      .optional(),
    /**
     * The kernel's check of the student's context reads (each program offered to a perf event
     * on its tracepoint, never attached): how many programs it passed, and how many records the
     * reset before the first scenario drained (none: the programs ran nowhere yet).
     */
    kernelCheck: z
      .object({ programs: z.number().int(), discardedRecords: z.number().int() })
      .optional(),
  }),
  z.object({ type: z.literal('scenario_start'), scenario: z.string() }),
  /**
   * The student's uprobes, attached to this scenario's target process alone (kernel link ids,
   * to verify clean-up); they are detached when the target has exited.
   */
  z.object({
    type: z.literal('uprobes'),
    scenario: z.string(),
    links: z.array(z.number().int()),
  }),
  z.object({ type: z.literal('submit'), scenario: z.string(), record: SubmitRecord }),
  z.object({ type: z.literal('debug'), scenario: z.string(), record: DebugRecord }),
  z.object({
    type: z.literal('syscall'),
    scenario: z.string(),
    phase: z.enum(['enter', 'exit']),
    /** Tracepoint name, e.g. `sys_enter_openat`. */
    hook: z.string(),
    ts: z.string(),
    pid: z.number().int(),
    tid: z.number().int(),
    args: z.array(z.string()).optional(),
    path: z.string().optional(),
    ret: z.string().optional(),
  }),
  z.object({ type: z.literal('target_exit'), scenario: z.string(), exit: TargetExit }),
  z.object({ type: z.literal('maps'), scenario: z.string(), maps: z.array(MapDump) }),
  z.object({
    type: z.literal('limit'),
    scenario: z.string().optional(),
    name: z.string(),
    message: z.string(),
  }),
  /**
   * Traced calls of the scenario's target that the dispatcher had no room for in the run's ring
   * buffer (`ringBytes`): the record of what the target did is incomplete, so the run is not
   * graded. Sent after the scenario's last `syscall` line, only when `count` > 0.
   */
  z.object({
    type: z.literal('lost_events'),
    scenario: z.string(),
    count: z.number().int().positive(),
    ringBytes: z.number().int().positive(),
  }),
  /** Everything the verdict needs has been sent; the loader now detaches and exits. */
  z.object({ type: z.literal('done') }),
  z.object({ type: z.literal('fatal'), message: z.string() }),
]);
export type LoaderLine = z.infer<typeof LoaderLine>;
