import { Diagnostic } from '@ebpf-lab/protocol';
import { describe, expect, it } from 'vitest';

import { closestHook, explainAttachError, explainClangMessage } from './index.ts';

const source = [
  '#include "lab.h"',
  '',
  'SEC("tracepoint/syscalls/sys_enter_opnat")',
  'int on_open(struct trace_event_raw_sys_enter *ctx)',
  '{',
  '  return 0;',
  '}',
].join('\n');

// Attach errors are tested with the errno and message libbpf reports, never by attaching.
describe('explainAttachError', () => {
  it('explains a typo in SEC as no such hook, on the SEC line, with the likely name', () => {
    const d = explainAttachError(
      -2,
      'tracepoint/syscalls/sys_enter_opnat',
      'No such file or directory',
      {
        source,
        knownHooks: [
          'syscalls/sys_enter_openat',
          'syscalls/sys_exit_openat',
          'syscalls/sys_enter_read',
        ],
      },
    );
    expect(d.code).toBe('attach/no-such-hook');
    expect(d.line).toBe(3);
    expect(d.source).toBe('attach');
    expect(d.suggestion).toContain('SEC("tracepoint/syscalls/sys_enter_openat")');
    expect(Diagnostic.parse(d)).toEqual(d);
  });

  it('does not suggest a hook that is not a near miss', () => {
    expect(
      closestHook('tracepoint/sched/sched_switch', ['syscalls/sys_enter_openat']),
    ).toBeUndefined();
  });

  it('tells a context read past the record from other refusals', () => {
    expect(
      explainAttachError(13, 'tracepoint/syscalls/sys_exit_read', 'Permission denied').code,
    ).toBe('attach/context-too-large');
    expect(
      explainAttachError(1, 'tracepoint/syscalls/sys_exit_read', 'Operation not permitted').code,
    ).toBe('attach/refused');
    expect(explainAttachError(524, 'fentry/do_sys_openat2', '').code).toBe('attach/not-supported');
    expect(explainAttachError(22, 'tracepoint/syscalls', 'Invalid argument').code).toBe(
      'attach/invalid-section',
    );
  });
});

describe('explainClangMessage', () => {
  it('explains the 512-byte stack limit and undeclared helpers', () => {
    expect(
      explainClangMessage(
        'Looks like the BPF stack limit of 512 bytes is exceeded. Please move large on stack variables into BPF per-cpu array map.',
      )?.code,
    ).toBe('clang/stack-limit');
    expect(explainClangMessage("call to undeclared function 'bpf_map_lookup_elm'")?.code).toBe(
      'clang/implicit-function',
    );
    expect(explainClangMessage('something else entirely')).toBeUndefined();
  });
});
