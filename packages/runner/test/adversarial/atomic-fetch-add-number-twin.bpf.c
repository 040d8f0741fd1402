// expect: harmless
// The in-bounds twin: a fetch-add on a stack slot that holds a number.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"r7 = 5\n" /* r7 = 5 */
		"*(u64 *)(r10 - 8) = r7\n" /* a number on the stack */
		".byte 0xdb, 0x7a, 0xf8, 0xff, 0x01, 0x00, 0x00, 0x00\n" /* r7 = atomic_fetch_add((u64 *)(r10 - 8), r7) */
		"r0 = *(u64 *)(r6 + 16)\n" /* read ctx->args[0], in bounds */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
