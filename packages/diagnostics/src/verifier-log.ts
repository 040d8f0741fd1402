// Reads the kernel verifier's log (log level 1, as libbpf asks for it on a failed load).
// The log is the path the verifier walked to the failure: instruction lines `N: (op) text`,
// register-state lines, BTF line-info lines `; source text @ file:line`, then the error, then
// a `processed N insns` summary.

export interface LogInsn {
  index: number;
  opcode: string;
  text: string;
}

export interface LogSourceLine {
  file: string;
  line: number;
  /** The source text the compiler recorded for that line, trimmed. */
  code: string;
}

export interface ParsedVerifierLog {
  /** The error the verifier printed, one message per line (never the summary). */
  errorLines: string[];
  /** The last instruction the verifier looked at: the failing one. */
  failing?: LogInsn;
  /** The last line-info entry in the student's file before the failing instruction. */
  source?: LogSourceLine;
  /** Every instruction seen in the log, by index (the last text seen wins). */
  insns: Map<number, LogInsn>;
  /** Line in the student's file of each instruction, where the log gave one. */
  insnLines: Map<number, number>;
  /** Processed-instruction count from the summary, when present. */
  processed?: number;
  /** The whole log, for classes that look at register states. */
  raw: string;
}

const INSN = /^(\d+): \(([0-9a-f]{2})\) (.*?)(?:\s+; .*)?$/;
const SOURCE = /^; (.*) @ (.+):(\d+)$/;
// Register-state lines (`8: R0=... R1=...`, `from 5 to 8: ...`): context, not the error. Error
// lines can also start with a register (`R0 invalid mem access`), so states need the `=`.
const STATE =
  /^(?:\d+: )?(?:R\d+(?:_[rw]+)?=|fp-?\d+=|frame\d+:|from \d+ to \d+:|safe$|propagating|last_idx|regs=|parent )/;
const SUMMARY = /^processed (\d+) insns/;
const NOISE = /^(?:verification time|stack depth|-- (?:BEGIN|END) PROG LOAD LOG --|libbpf: )/;

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/**
 * @param sourceFile the student's file name as the compiler saw it; line info from other files
 *   (lab.h, libbpf headers) is skipped so the line lands in the student's own code.
 */
export function parseVerifierLog(log: string, sourceFile?: string): ParsedVerifierLog {
  const lines = log.split('\n').map((l) => l.replace(/\r$/, ''));
  const insns = new Map<number, LogInsn>();
  const insnLines = new Map<number, number>();
  const wanted = sourceFile ? baseName(sourceFile) : undefined;
  let failing: LogInsn | undefined;
  let failingAt = -1;
  let source: LogSourceLine | undefined;
  let sourceAtFailing: LogSourceLine | undefined;
  let processed: number | undefined;
  let summaryAt = lines.length;

  lines.forEach((raw, at) => {
    const line = raw.trimEnd();
    const insn = INSN.exec(line);
    if (insn) {
      const entry = { index: Number(insn[1]), opcode: insn[2], text: insn[3].trim() };
      insns.set(entry.index, entry);
      if (source && !insnLines.has(entry.index)) insnLines.set(entry.index, source.line);
      failing = entry;
      failingAt = at;
      sourceAtFailing = source;
      return;
    }
    const src = SOURCE.exec(line);
    if (src && (!wanted || baseName(src[2]) === wanted)) {
      source = { code: src[1].trim(), file: src[2], line: Number(src[3]) };
      return;
    }
    const summary = SUMMARY.exec(line);
    if (summary && summaryAt === lines.length) {
      processed = Number(summary[1]);
      summaryAt = at;
    }
  });

  const errorLines: string[] = [];
  for (let at = failingAt + 1; at < summaryAt; at++) {
    const line = lines[at].trim();
    if (!line || SOURCE.test(line) || STATE.test(line) || NOISE.test(line)) continue;
    errorLines.push(line);
  }
  // A log that failed before any instruction (bad BTF, bad map fd, …) is all error.
  if (failingAt < 0 && errorLines.length === 0) {
    for (const raw of lines.slice(0, summaryAt)) {
      const line = raw.trim();
      if (line && !NOISE.test(line)) errorLines.push(line);
    }
  }
  return {
    errorLines,
    failing,
    source: sourceAtFailing ?? source,
    insns,
    insnLines,
    processed,
    raw: log,
  };
}
