// expect: refused-static static/context-bound
// A 32-bit load-acquire from ctx + 1000.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0xc3, 0x67, 0xe8, 0x03, 0x00, 0x01, 0x00, 0x00\n" /* w7 = load_acquire((u32 *)(r6 + 1000)) */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
