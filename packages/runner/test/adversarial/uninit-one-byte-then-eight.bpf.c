// expect: refused-static static/uninitialised-stack
// Hand-written: one byte of a stack slot written, then all eight read and submitted. The other
// seven bytes are whatever the kernel left on its stack.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u64 v;

	asm volatile(
		"r1 = 7\n"
		"*(u8 *)(r10 - 8) = r1\n" /* one byte of the slot */
		"%[v] = *(u64 *)(r10 - 8)\n" /* all eight of it */
		: [v] "=r"(v)
		:
		: "r1", "memory");
	SUBMIT_NUM(v);
	return 0;
}
