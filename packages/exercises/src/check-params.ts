// The `params` of each check kind the grader implements. They live here, beside the folder format,
// so a broken exercise.json is refused when the exercises load (server start-up and tests), with
// the file and field named, instead of when a student's run reaches the checks.
import { z } from 'zod';

/** Which syscalls of the target's ground truth an expectation is about. */
export const SyscallSelector = z.object({
  /** Syscall name as recorded: `openat`, `read`, `execve`, `clone`, … */
  syscall: z.string(),
  pick: z.enum(['first', 'last']).default('first'),
  /** Keep only calls whose argument `arg` has all bits of `mask` set (e.g. O_CREAT). */
  argMask: z.tuple([z.number().int().min(0).max(5), z.number().int().positive()]).optional(),
  ret: z.enum(['zero', 'positive', 'negative', 'non-negative']).optional(),
  /** Which value of the chosen call is expected. */
  field: z.union([z.enum(['path', 'ret', 'pid', 'tid']), z.string().regex(/^arg[0-5]$/)]),
});
export type SyscallSelector = z.infer<typeof SyscallSelector>;

/** Where the expected answer comes from. Never a constant chosen by the author alone for secrets. */
export const Expected = z.union([
  z.object({ file: z.string().startsWith('/tmp/') }).strict(),
  z.object({ literal: z.string() }).strict(),
  /**
   * First capture group of this regular expression over the target's stdout; `describe` names
   * the value in messages (default: "the value the target used"), never the value itself.
   */
  z.object({ stdout: z.string(), describe: z.string().optional() }).strict(),
  z.object({ fromSyscall: SyscallSelector }).strict(),
]);
export type Expected = z.infer<typeof Expected>;

const mapName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);

export const CHECK_PARAMS = {
  /** The concatenated SUBMIT/SUBMIT_USER bytes equal the expected bytes exactly. */
  'answer-equals': z.object({ expect: Expected }).strict(),
  /** Exactly one SUBMIT_NUM, equal to the expected number. */
  'answer-number': z.object({ expect: Expected }).strict(),
  /** Nothing submitted in the scenario: no record and no number (a response without an answer). */
  'answer-nothing': z.object({}).strict(),
  /**
   * At the end of the scenario (or of every scenario) no hash map holds a key of these kinds, found
   * by what the key names among the target's threads, processes and fds: `thread` (a pid_tgid, a
   * {process, thread} pair, a thread id), `process` (a process id alone), `process-fd`. `maps` are
   * the starter's names, used only to word the message.
   */
  'map-empty': z
    .object({
      holding: z.array(z.enum(['thread', 'process', 'process-fd'])).min(1),
      maps: z.array(mapName).default([]),
    })
    .strict(),
  /**
   * At the end of the scenario the map whose keys name (process, fd) pairs holds exactly the pairs
   * under which the target still had `path` open, per the ground truth. The map is found by its
   * keys, in any field names, order or packing; `map` is the starter's name, a tie-breaker only.
   */
  'map-tracks-fds': z
    .object({ path: z.string().startsWith('/'), map: mapName.optional() })
    .strict(),
  /** No key in any map has non-zero padding bytes; explains padding when one does. */
  'padding-diagnosis': z
    .object({ maps: z.array(mapName).optional(), path: z.string().optional() })
    .strict(),
  /**
   * The byte records submitted are the string arguments of the target's calls to `function`, one
   * record per call, in any order, as the target itself reported them (its `lab-call` lines).
   * `ret`: keep only the calls that returned non-zero (accepted) or zero.
   */
  'calls-submitted': z
    .object({
      function: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      ret: z.enum(['any', 'nonzero', 'zero']).default('any'),
    })
    .strict(),
  /**
   * An array (a map, or a global array) counts the target's calls to `function` by how long each
   * took, as the target measured it: slot i counts the calls of [2^i, 2^(i+1)) microseconds (slot 0
   * also those under 1 µs). Found by what it holds, never by its name; `map` only words messages.
   */
  'latency-histogram': z
    .object({
      function: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      map: mapName.optional(),
    })
    .strict(),
  /** At least one DEBUG line was printed. */
  'debug-present': z.object({}).strict(),
} as const;

export type CheckKind = keyof typeof CHECK_PARAMS;
export const CHECK_KINDS = Object.keys(CHECK_PARAMS) as CheckKind[];

/** Kinds that read the observations of one scenario; the others read the whole run. */
export const SCENARIO_KINDS: ReadonlySet<CheckKind> = new Set([
  'answer-equals',
  'answer-number',
  'answer-nothing',
  'map-tracks-fds',
  'calls-submitted',
  'latency-histogram',
]);

export function isCheckKind(kind: string): kind is CheckKind {
  return Object.hasOwn(CHECK_PARAMS, kind);
}

export type CheckParams<K extends CheckKind> = z.infer<(typeof CHECK_PARAMS)[K]>;
