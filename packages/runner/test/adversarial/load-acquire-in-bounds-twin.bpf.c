// expect: harmless verifier/unrecognised
// The in-bounds twin: load-acquire of ctx->args[1], inside the 48-byte record.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0xdb, 0x67, 0x18, 0x00, 0x00, 0x01, 0x00, 0x00\n" /* r7 = load_acquire((u64 *)(r6 + 24)) */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
