// An object libbpf could not open: refused while libbpf read its sections, symbols and BTF,
// before any program reached the verifier. Its messages are the only clue, so they lead.
import { constants } from 'node:os';

import type { Diagnostic } from '@ebpf-lab/protocol';

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** libbpf's own lines, without its prefix and the lines that only say what it skipped. */
function libbpfComplaints(log: string): string[] {
  const lines = log
    .split('\n')
    .map((l) => l.replace(/^libbpf:\s*/, '').trim())
    .filter(Boolean);
  const complaints = lines.filter((l) => !/\bskipping\b/i.test(l));
  return complaints.length ? complaints : lines;
}

export function explainUnopenedObject(log: string, errno: number): Diagnostic {
  const code = ERRNO_NAMES.get(Math.abs(errno));
  const said = libbpfComplaints(log).at(-1);
  return {
    source: 'verifier',
    severity: 'error',
    line: 0,
    column: 0,
    code: 'verifier/object-unopened',
    message:
      'libbpf could not open your compiled object' +
      `${code ? ` (${code})` : ''}${said ? `: ${said}` : ''}`,
    explanation:
      'Before the verifier sees anything, libbpf reads the compiled object: its sections, its ' +
      'symbols and the type information clang wrote for them. It refused this one, so no ' +
      'program was checked or loaded. Its messages, in the verifier stage, name what it tripped ' +
      'on; unusual declarations are the usual cause (a zero-length array, an empty constant, a ' +
      'section or assembly written by hand).',
    suggestion:
      'Remove or rewrite the declaration libbpf names (give arrays a length, drop hand-written ' +
      'SEC() names and assembly), then run again.',
  };
}
