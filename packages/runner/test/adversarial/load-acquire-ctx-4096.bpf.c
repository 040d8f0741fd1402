// expect: refused-static static/context-bound
// r7 = load_acquire((u64 *)(r6 + 4096)), hand-encoded, with r6 the context: a load,
// not a store, 4096 bytes past the record.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0xdb, 0x67, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00\n" /* r7 = load_acquire((u64 *)(r6 + 4096)) */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
