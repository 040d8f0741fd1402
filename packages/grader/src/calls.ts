// The function calls a target reports about itself: the ground truth of the uprobe exercises.
// A uprobe sees a function from inside the target's process, where the platform records nothing,
// so each of those targets prints one line per call it made, on its stdout (which the loader
// keeps and the student never sees):
//
//   lab-call <function> tid=<thread> ret=<value> ns=<duration> [inner=<duration>] arg=<hex>
//
// `ns` is timed by the caller around the call; `inner`, when given, by the function itself from
// its first statement to its last. Probes at the entry and the return fall between the two.
//
// The student's programs cannot change that line: they may not write the target's memory or its
// registers (the static checks refuse both), so the target reports what it really did.
import type { ScenarioObservation } from '@ebpf-lab/protocol';

export interface ReportedCall {
  function: string;
  tid: number;
  ret: bigint;
  /** How long the call took, as the target measured it around the call. */
  ns: bigint;
  /** How long the function's own body took, when the target measured that too. */
  inner?: bigint;
  arg: Buffer;
}

const LINE =
  /^lab-call ([A-Za-z_][A-Za-z0-9_]*) tid=(\d+) ret=(-?\d+) ns=(\d+)(?: inner=(\d+))? arg=((?:[0-9a-f]{2})*)$/;

/** The calls to `fn` the target reported in this scenario, in the order it reported them. */
export function reportedCalls(obs: ScenarioObservation, fn: string): ReportedCall[] {
  const out: ReportedCall[] = [];
  for (const line of (obs.target?.stdout ?? '').split('\n')) {
    const m = LINE.exec(line);
    if (!m || m[1] !== fn) continue;
    out.push({
      function: m[1],
      tid: Number(m[2]),
      ret: BigInt(m[3]),
      ns: BigInt(m[4]),
      ...(m[5] === undefined ? {} : { inner: BigInt(m[5]) }),
      arg: Buffer.from(m[6], 'hex'),
    });
  }
  return out;
}
