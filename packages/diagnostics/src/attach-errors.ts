// Attach failures in plain words. The loader reports the errno, the program's section and
// libbpf's message; the Diagnostic lands on the student's `SEC("...")` line when the source is
// given.
import type { Diagnostic } from '@ebpf-lab/protocol';

export interface ExplainAttachOptions {
  program?: string;
  /** The student's source, to place the diagnostic on the line of the section. */
  source?: string;
  /** Hooks the exercise allows or the kernel has (`syscalls/sys_enter_openat`), for "did you mean". */
  knownHooks?: string[];
}

const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EACCES: 13,
  EBUSY: 16,
  EINVAL: 22,
  E2BIG: 7,
  EOPNOTSUPP: 95,
  ENOTSUPP: 524,
} as const;

/** Edit distance, to suggest the hook a typo meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function hookOf(section: string): string {
  return section.replace(/^(?:tracepoint|tp|raw_tracepoint|raw_tp|tp_btf)\//, '');
}

export function closestHook(section: string, knownHooks: string[]): string | undefined {
  const hook = hookOf(section);
  let best: { name: string; d: number } | undefined;
  for (const known of knownHooks) {
    const d = distance(hook, hookOf(known));
    if (!best || d < best.d) best = { name: known, d };
  }
  // A typo is a few characters; anything further is a different hook, not a suggestion.
  return best && best.d > 0 && best.d <= Math.max(2, Math.floor(hook.length / 5))
    ? best.name
    : undefined;
}

/** 1-based line of `SEC("section")` in the source, 0 when not found. */
export function sectionLine(source: string, section: string): number {
  const lines = source.split('\n');
  const quoted = JSON.stringify(section);
  const at = lines.findIndex((l) => /\bSEC\s*\(/.test(l) && l.includes(quoted));
  return at + 1;
}

export function explainAttachError(
  errno: number,
  section: string,
  message: string,
  options: ExplainAttachOptions = {},
): Diagnostic {
  const code = Math.abs(errno);
  const line = options.source ? sectionLine(options.source, section) : 0;
  const base = {
    source: 'attach' as const,
    severity: 'error' as const,
    line,
    column: 0,
    program: options.program,
  };
  const raw = message ? ` (${message})` : '';
  const isTracepoint = /^(?:tracepoint|tp)\//.test(section);

  if (code === ERRNO.ENOENT || (code === ERRNO.ESRCH && !isTracepoint)) {
    const guess = options.knownHooks ? closestHook(section, options.knownHooks) : undefined;
    return {
      ...base,
      code: 'attach/no-such-hook',
      message: `No such hook: SEC("${section}")${raw}`,
      explanation:
        `The kernel has no hook named \`${hookOf(section)}\`, so the program could not be ` +
        'attached. The section name is the hook: a typo in `SEC("...")` compiles and loads ' +
        'fine, and only fails here.',
      suggestion: guess
        ? `Did you mean \`SEC("${section.slice(0, section.length - hookOf(section).length)}${hookOf(guess)}")\`?`
        : 'Check the spelling against the hooks listed in the exercise, e.g. ' +
          '`SEC("tracepoint/syscalls/sys_enter_openat")`.',
    };
  }
  if (code === ERRNO.EACCES && isTracepoint) {
    return {
      ...base,
      code: 'attach/context-too-large',
      message: `Refused by the kernel: SEC("${section}") reads past the tracepoint's record${raw}`,
      explanation:
        "The program reads further into its context than this tracepoint's record goes. The " +
        'verifier accepts such reads, but the kernel checks them against the real record ' +
        'when the program is attached.',
      suggestion:
        "Read only the fields of this tracepoint's record: `sys_enter_*` has `args[0..5]`, " +
        '`sys_exit_*` has `ret`. Check which struct your `ctx` parameter is.',
    };
  }
  if (code === ERRNO.EOPNOTSUPP || code === ERRNO.ENOTSUPP || code === ERRNO.ESRCH) {
    return {
      ...base,
      code: 'attach/not-supported',
      message: `This kind of hook is not available here: SEC("${section}")${raw}`,
      explanation:
        'The section names a kind of program this kernel or this lab cannot attach (kprobes ' +
        'and fentry are not available on the lab machines; tracepoints are).',
      suggestion: 'Use a tracepoint: `SEC("tracepoint/<category>/<name>")`.',
    };
  }
  if (code === ERRNO.EINVAL) {
    return {
      ...base,
      code: 'attach/invalid-section',
      message: `The kernel refused to attach SEC("${section}")${raw}`,
      explanation:
        'The section does not describe a hook the program can be attached to: its type or ' +
        'format does not match what this kind of program needs.',
      suggestion:
        'Write tracepoint sections as `SEC("tracepoint/<category>/<name>")`, e.g. ' +
        '`SEC("tracepoint/syscalls/sys_exit_read")`.',
    };
  }
  if (code === ERRNO.EBUSY) {
    return {
      ...base,
      code: 'attach/busy',
      message: `The hook is busy: SEC("${section}")${raw}`,
      explanation:
        'The kernel refused to attach because the hook is in use; this is not your code.',
      suggestion: 'Run again in a moment.',
    };
  }
  return {
    ...base,
    code: 'attach/refused',
    message: `Refused by the kernel: SEC("${section}"), error ${code}${raw}`,
    explanation:
      'The program passed the verifier but the kernel refused to attach it to its hook ' +
      `(error ${code}${code === ERRNO.EPERM ? ', operation not permitted' : ''}).`,
    suggestion:
      'Check that the section is one of the hooks this exercise allows; if it is, this is ' +
      'likely a problem of the lab, not of your code: run again.',
  };
}
