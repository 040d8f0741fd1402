// The statistics the kernel's verifier prints at the end of each program's log, read back out of
// the log text. With BPF_LOG_STATS the kernel writes, for every program it checked:
//   verification time 23 usec
//   stack depth 16+0
//   processed 23 insns (limit 1000000) max_states_per_insn 0 total_states 2 peak_states 2 mark_read 1
// Only the `processed` line is there at every log level, so it closes one program's statistics.

export interface VerifierStats {
  /** Instructions the verifier walked (not the program's length: branches are walked again). */
  processedInsns: number;
  insnLimit?: number;
  totalStates?: number;
  peakStates?: number;
  verificationUsec?: number;
  /** Stack bytes per function, the main program first. */
  stackDepth?: number[];
}

const PROCESSED = /^processed (\d+) insns \(limit (\d+)\)(.*)$/;
const TIME = /^verification time (\d+) usec$/;
const STACK = /^stack depth ([\d+]+)$/;

function field(rest: string, name: string): number | undefined {
  const m = new RegExp(`\\b${name} (\\d+)`).exec(rest);
  return m ? Number(m[1]) : undefined;
}

/** One entry per program the log covers, in log order; empty when the log has no statistics. */
export function verifierStats(log: string | undefined): VerifierStats[] {
  if (!log) return [];
  const found: VerifierStats[] = [];
  let time: number | undefined;
  let stack: number[] | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    let m = TIME.exec(line);
    if (m) {
      time = Number(m[1]);
      continue;
    }
    m = STACK.exec(line);
    if (m) {
      stack = m[1].split('+').filter(Boolean).map(Number);
      continue;
    }
    m = PROCESSED.exec(line);
    if (m) {
      found.push({
        processedInsns: Number(m[1]),
        insnLimit: Number(m[2]),
        totalStates: field(m[3], 'total_states'),
        peakStates: field(m[3], 'peak_states'),
        verificationUsec: time,
        stackDepth: stack,
      });
      time = undefined;
      stack = undefined;
    }
  }
  return found;
}
