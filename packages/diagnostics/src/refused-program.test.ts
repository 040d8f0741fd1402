import { describe, expect, it } from 'vitest';
import { explainVerifierLog } from './explain-verifier.ts';
import { programsOf, refusedProgram } from './refused-program.ts';

const source = `#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}

static __always_inline int helper(__u64 *p)
{
	return *p > 3;
}

SEC("tracepoint/syscalls/sys_exit_read") int
exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 *saved = bpf_map_lookup_elem(&reading, &id);

	return helper(saved);
}
`;

// Recorded from this kernel: the error is in exit_read, reached through the inlined helper.
const log = `0: R1=ctx() R10=fp0
;  @ student.bpf.c:16
0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()
;  @ student.bpf.c:18
1: (85) call bpf_get_current_pid_tgid#14      ; R0=scalar()
;  @ student.bpf.c:0
4: (07) r2 += -8                      ; R2=fp-8
7: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=2,map=reading,ks=8,vs=8)
;  @ student.bpf.c:11
8: (79) r7 = *(u64 *)(r0 +0)
R0 invalid mem access 'map_value_or_null'
processed 8 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`;

describe('refusedProgram', () => {
  it('finds each program and the line of its SEC(), however the definition is split', () => {
    expect(programsOf(source)).toEqual([
      { name: 'enter_read', line: 3 },
      { name: 'exit_read', line: 14 },
    ]);
  });

  it('names the program whose body holds the first line of the log, not the first program', () => {
    expect(refusedProgram(log, source, 'student.bpf.c')).toBe('exit_read');
    const d = explainVerifierLog(log, {
      program: 'enter_read',
      sourceFile: 'student.bpf.c',
      source,
    });
    expect(d.program).toBe('exit_read');
    expect(d.line).toBe(11);
  });

  it('keeps the loader’s name when the log has no line of the student’s file', () => {
    const bare = "R0 invalid mem access 'map_value_or_null'\n";
    expect(refusedProgram(bare, source, 'student.bpf.c')).toBeUndefined();
    expect(
      explainVerifierLog(bare, { program: 'enter_read', sourceFile: 'student.bpf.c', source })
        .program,
    ).toBe('enter_read');
  });
});
