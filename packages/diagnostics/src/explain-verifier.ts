// From a verifier log to one Diagnostic on the student's source line.
import type { Diagnostic } from '@ebpf-lab/protocol';

import { NotThisClass, VERIFIER_CLASSES } from './verifier-classes.ts';
import { refusedProgram } from './refused-program.ts';
import { parseVerifierLog } from './verifier-log.ts';

export interface ExplainVerifierOptions {
  /** The program (function) the log belongs to. */
  program?: string;
  /** The student's file name as the compiler saw it, e.g. `student.bpf.c`. */
  sourceFile?: string;
  /**
   * The student's source: with `sourceFile`, it tells which program the log is about (the
   * loader's guess names the file's first program when another one was refused).
   */
  source?: string;
  /** Called for logs no class recognises, so new explanations can be written for them. */
  onUnrecognised?: (entry: UnrecognisedVerifierLog) => void;
}

export interface UnrecognisedVerifierLog {
  program?: string;
  error: string;
  line: number;
  insn?: number;
  log: string;
}

export const UNRECOGNISED_CODE = 'verifier/unrecognised';

/** Longest raw error text put in a message; the full log stays in the verifier stage. */
const MAX_ERROR_CHARS = 500;

function clip(text: string): string {
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

const VALIDATING = /^Validating (\w+)\(\) func#\d+/;

/**
 * The global function the error is in, if any. The kernel checks each global (non-static)
 * function on its own, in the log of whichever program libbpf loaded it with, so that
 * program's name says nothing about where the mistake is.
 */
function refusedGlobalFunction(log: string, firstError: string | undefined): string | undefined {
  let name: string | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.trim();
    if (firstError !== undefined && line === firstError) break;
    const m = VALIDATING.exec(line);
    if (m) name = m[1];
  }
  return name;
}

const globalFunctionNote = (name: string) =>
  ` \`${name}()\` is a global function (not \`static\`): the verifier checks it once on its ` +
  'own, assuming nothing about its arguments (a pointer may be NULL, a number anything), so ' +
  'what its caller guarantees does not count inside it. Check the arguments inside ' +
  `\`${name}()\`, or make it \`static\` so the verifier follows each call with what the ` +
  'caller knows.';

export function explainVerifierLog(log: string, options: ExplainVerifierOptions = {}): Diagnostic {
  const parsed = parseVerifierLog(log, options.sourceFile);
  const d = explainParsed(parsed, options);
  const fn = refusedGlobalFunction(log, parsed.errorLines[0]);
  if (fn === undefined) return d;
  return { ...d, program: fn, explanation: `${d.explanation ?? ''}${globalFunctionNote(fn)}` };
}

function explainParsed(
  parsed: ReturnType<typeof parseVerifierLog>,
  options: ExplainVerifierOptions,
): Diagnostic {
  const log = parsed.raw;
  const error =
    parsed.errorLines.join('\n') || 'the verifier refused the program without a message';
  const line = parsed.source?.line ?? 0;
  const base = {
    source: 'verifier' as const,
    severity: 'error' as const,
    line,
    column: 0,
    insn: parsed.failing?.index,
    program:
      (options.source !== undefined && options.sourceFile !== undefined
        ? refusedProgram(log, options.source, options.sourceFile)
        : undefined) ?? options.program,
  };

  for (const errorLine of parsed.errorLines) {
    for (const cls of VERIFIER_CLASSES) {
      for (const pattern of cls.patterns) {
        const match = pattern.exec(errorLine);
        if (!match) continue;
        try {
          const found = cls.explain(parsed, match);
          return {
            ...base,
            line: found.line ?? base.line,
            code: cls.code,
            message: `${found.title}: ${clip(errorLine)}`,
            explanation: found.explanation,
            suggestion: found.suggestion,
          };
        } catch (e) {
          if (e instanceof NotThisClass) break;
          throw e;
        }
      }
    }
  }

  options.onUnrecognised?.({
    program: base.program,
    error,
    line,
    insn: parsed.failing?.index,
    log,
  });
  return {
    ...base,
    code: UNRECOGNISED_CODE,
    message: `The verifier refused the program: ${clip(error)}`,
    explanation:
      'We do not have a plain-words explanation for this verifier message yet (it has been ' +
      'recorded so one can be written). The verifier stopped at the marked line' +
      `${parsed.failing ? `, instruction ${parsed.failing.index}` : ''}; the full log shows ` +
      'the path it took to get there.',
    suggestion:
      'Open the full verifier log and read it from the bottom up: the last lines name the ' +
      'register and the check that failed.',
  };
}
