// expect: harmless
// The twin: store-release of the context pointer to its own stack slot, reloaded and
// read in bounds.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0xdb, 0x6a, 0xf8, 0xff, 0x10, 0x01, 0x00, 0x00\n" /* store_release((u64 *)(r10 - 8), r6) */
		"r7 = *(u64 *)(r10 - 8)\n" /* reload */
		"r0 = *(u64 *)(r7 + 16)\n" /* read ctx->args[0] */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
