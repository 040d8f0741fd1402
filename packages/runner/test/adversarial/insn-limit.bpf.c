// expect: refused-static static/insn-limit
// An unrolled loop of 5000 instructions, over the limit of 4096.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	#pragma clang loop unroll(full)
	for (int i = 0; i < 5000; i++)
		asm volatile("r0 = 0" ::: "r0");
	return 0;
}
