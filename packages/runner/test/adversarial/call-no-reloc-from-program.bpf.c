// expect: refused-static static/call
// A hand-encoded bpf-to-bpf call (src_reg 1) with no relocation, from a program section. The
// checks used to follow it inside the program's own section; libbpf 1.1 resolves it in .text,
// linking in a function nobody checked.
#include "lab.h"

__noinline int reads_far(struct trace_event_raw_sys_enter *ctx)
{
	return *(long *)((char *)ctx + 4000);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r1 = %[c]\n"
		".byte 0x85, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00\n" /* call +1, no relocation */
		"goto +1\n"
		"r0 = 0\n"
		:: [c] "r"(ctx)
		: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 0;
}
