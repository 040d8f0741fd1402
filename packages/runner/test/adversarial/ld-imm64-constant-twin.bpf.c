// expect: harmless
// The twin: a hand-encoded 64-bit constant (source 0) is a plain number.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0x18, 0x07, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00\n" /* r7 = 3 ll */
		".byte 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00\n" /* upper half 1 */
		"r0 = *(u64 *)(r6 + 16)\n" /* read ctx->args[0] */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
