// Clang's messages, turned into Diagnostics on the student's own lines. Every block of output
// that is located in any other file is dropped whole, with the source line clang quotes under
// it: whatever a header holds never reaches the student through the compiler's messages.
import type { Diagnostic, Severity } from '@ebpf-lab/protocol';
import { STUDENT_FILE } from './flags.ts';

type FixIt = NonNullable<Diagnostic['fixits']>[number];

const HEADER =
  /^(.+?):(\d+):(\d+):((?:\{\d+:\d+-\d+:\d+\})*):?\s*(fatal error|error|warning|note|remark): (.*)$/;
const RANGE = /\{(\d+):(\d+)-(\d+):(\d+)\}/g;
const FIXIT = /^fix-it:"((?:[^"\\]|\\.)*)":\{(\d+):(\d+)-(\d+):(\d+)\}:"((?:[^"\\]|\\.)*)"$/;
const CARET = /^[ \t]*[~^][ \t~^]*$/;
const SUMMARY = /^\d+ (?:warnings?|errors?)(?: and \d+ (?:warnings?|errors?))? generated\.$/;

function severityOf(kind: string): Severity {
  if (kind === 'fatal error' || kind === 'error') return 'error';
  if (kind === 'warning') return 'warning';
  return 'info';
}

/** Clang escapes fix-it text C-style; only the escapes it emits are undone. */
function unescape(text: string): string {
  return text.replace(/\\(["\\nt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/**
 * Clang names other files inside a message too ("unnamed struct at /…/build/include/lab.h:57:1",
 * where lab.h lives on the host). Every absolute path clang points into (followed by a line
 * number) becomes the file name the student knows (`lab.h`, `vmlinux.h`), and clang's name for
 * stdin becomes STUDENT_FILE. A path the student wrote (`'/etc/shadow' file not found`) stays.
 */
export function scrubPaths(text: string, file = STDIN_NAME): string {
  return text.replaceAll(file, STUDENT_FILE).replace(
    // Directory names may hold spaces (a checkout in "/srv/my lab/"); the file name may not.
    /(?<=^|[\s'"`(\[{<=,])\/(?:[^\s'"`():,]+(?: [^\s'"`():,/]+)*\/)*([^\s'"`():,/]+)(?=:\d)/g,
    '$1',
  );
}

export interface ParsedOutput {
  diagnostics: Diagnostic[];
  /** The compiler output with every block about another file removed. */
  log: string;
}

/** How clang names the file it reads from stdin. */
const STDIN_NAME = '<stdin>';
/**
 * The assembler's messages about `asm(...)` text. That text is the student's own (or from the
 * public libbpf headers), so it is kept, without a line: clang 14 does not say which C line
 * the statement was on.
 */
const INLINE_ASM = '<inline asm>';

/**
 * `file` is the name the student's file has in clang's output (`<stdin>`, as compile() feeds
 * it); messages are rewritten to call it `student.bpf.c`.
 */
export function parseClangOutput(stderr: string, file = STDIN_NAME): ParsedOutput {
  const diagnostics: Diagnostic[] = [];
  const kept: string[] = [];
  let current: Diagnostic | undefined;
  let keeping = false;
  // Under a message clang quotes the source line, a caret line and, when it has a fix-it, the
  // text to insert. Only that shape is kept: anything else (a crash's stack dump, driver
  // chatter) is not the student's. The insertion line waits for its `fix-it:` line.
  let quoted = 0;
  let hint: string | undefined;
  for (const line of stderr.split('\n')) {
    const h = HEADER.exec(line);
    if (h) {
      const asm = h[1] === INLINE_ASM;
      keeping = h[1] === file || asm;
      quoted = 0;
      hint = undefined;
      current = undefined;
      if (!keeping) continue;
      const d: Diagnostic = {
        source: 'clang',
        severity: severityOf(h[5]),
        line: asm ? 0 : Number(h[2]),
        column: asm ? 0 : Number(h[3]),
        message: scrubPaths(asm ? `in inline assembly: ${h[6].trim()}` : h[6].trim(), file),
      };
      const first = [...h[4].matchAll(RANGE)][0];
      if (!asm && first && Number(first[1]) === d.line) {
        d.column = Math.min(d.column, Number(first[2]));
        d.endLine = Number(first[3]);
        d.endColumn = Number(first[4]);
      }
      const flag = /\s\[(-W[\w-]+(?:=[\w-]+)?)(?:,[^\]]*)?\]$/.exec(d.message);
      if (flag) d.code = `clang/${flag[1].slice(2)}`;
      diagnostics.push(d);
      current = d;
      kept.push(scrubPaths(asm ? line : STUDENT_FILE + line.slice(file.length), file));
      continue;
    }
    const f = FIXIT.exec(line);
    if (f) {
      if (keeping && current && unescape(f[1]) === file) {
        const fix: FixIt = {
          line: Number(f[2]),
          column: Number(f[3]),
          endLine: Number(f[4]),
          endColumn: Number(f[5]),
          text: unescape(f[6]),
        };
        (current.fixits ??= []).push(fix);
        if (hint !== undefined) kept.push(hint);
        hint = undefined;
      }
      continue;
    }
    if (SUMMARY.test(line)) {
      kept.push(line);
      keeping = false;
      continue;
    }
    // "In file included from …" starts a block about a header; anything else unlabelled
    // (crash stack dumps, driver chatter) is not the student's either.
    if (line.startsWith('In file included from') || line.startsWith('                 from ')) {
      keeping = false;
      continue;
    }
    // Quoted source and caret lines of a kept block are the student's own text.
    if (!keeping) continue;
    if (quoted === 0) kept.push(line);
    else if (quoted === 1 && CARET.test(line)) kept.push(line);
    else if (quoted === 2) hint = line;
    else keeping = false;
    quoted += 1;
  }
  return { diagnostics, log: kept.join('\n').trim() };
}
