import { Diagnostic } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';

import { explainUnopenedObject } from './unopened-object.ts';

describe('explainUnopenedObject', () => {
  it("leads with libbpf's own complaint and the error's name", () => {
    const log = [
      'libbpf: elf: skipping section(6) .rodata (size 0)',
      "libbpf: sec '.rodata': failed to find BTF for it",
    ].join('\n');
    const d = explainUnopenedObject(log, 2);
    expect(d.message).toBe(
      "libbpf could not open your compiled object (ENOENT): sec '.rodata': failed to find BTF for it",
    );
    expect(d.code).toBe('verifier/object-unopened');
    expect(d.line).toBe(0);
    expect(Diagnostic.parse(d)).toEqual(d);
  });

  it('keeps a message that only says what was skipped, and copes with no message at all', () => {
    expect(
      explainUnopenedObject('libbpf: elf: skipping section(6) .rodata (size 0)\n', 2).message,
    ).toContain('skipping section(6) .rodata');
    expect(explainUnopenedObject('', 22).message).toBe(
      'libbpf could not open your compiled object (EINVAL)',
    );
  });
});
