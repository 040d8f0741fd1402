// expect: harmless
// A store certainly to fp-8 does replace the spilled context pointer: what is reloaded is a
// number, and reading through a number is no context read (the verifier refuses it anyway).
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer */
		"r9 = r10\n"
		"r9 += -8\n"
		"r7 = 0\n"
		"*(u64 *)(r9 + 0) = r7\n" /* certainly fp-8: the spill is gone */
		"r7 = *(u64 *)(r10 - 8)\n"
		"r0 = *(u64 *)(r6 + 16)\n"
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r9", "memory");
	return 0;
}
