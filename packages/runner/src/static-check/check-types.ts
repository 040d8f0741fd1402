// What the static checks (check.ts) are given and what they answer.
import type { Diagnostic } from '@ebpf-lab/protocol';

export interface StaticLimits {
  maxInsns: number;
  maxMaps: number;
  maxMapEntries: number;
  maxMapValueBytes: number;
  memoryBytes: number;
}

export interface StaticRules {
  /** Program sections the exercise allows, e.g. `tracepoint/syscalls/sys_enter_openat`. */
  sections: readonly string[];
  /**
   * Record size of each section's tracepoint (tracefs.ts): how far a program may read. When
   * absent (an ExerciseMeta passed as it is), read from tracefs here, cached per process.
   */
  contextSizes?: Readonly<Record<string, number>>;
  limits: StaticLimits;
  /** Replaces the global helper allowlist (ALLOWED_HELPERS). */
  allowedHelpers?: readonly string[];
  /** Names the lab itself defines with the reserved `lab_` prefix. */
  labNames?: readonly string[];
  /** CPUs a per-CPU map holds a value for (read from sysfs when absent). */
  possibleCpus?: number;
}

export interface ProgramInfo {
  name: string;
  section: string;
  /** Instructions of the program's own function. */
  insns: number;
  /** Instructions reachable from it, subprograms included (what the limit counts). */
  reachableInsns: number;
  /** End of its furthest context read, in bytes (0 when it reads none). */
  maxContextRead: number;
}

export interface MapInfo {
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** `map_flags`, when the definition sets it. */
  flags?: number;
  /** For a struct key: its BTF name and the bytes each member covers (padding is the rest). */
  key?: { type: string; members: { name: string; offset: number; size: number }[] };
}

// A type alias, not an interface: the runner's StaticOutcome has an index signature.
export type StaticResult = {
  ok: boolean;
  diagnostics: Diagnostic[];
  programs: ProgramInfo[];
  maps: MapInfo[];
  /** Sections of global variables (`.data`, `.rodata.*`, `.bss`, …) and their sizes. */
  globals: { section: string; bytes: number }[];
  durationMs: number;
};
