// expect: refused-static static/context-bound
// store-release spills the context pointer (an old decoder took it for an atomic store of
// something else); the reload then reads past the record.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0xdb, 0x6a, 0xf8, 0xff, 0x10, 0x01, 0x00, 0x00\n" /* store_release((u64 *)(r10 - 8), r6) */
		"r7 = *(u64 *)(r10 - 8)\n" /* reload */
		"r0 = *(u64 *)(r7 + 4096)\n" /* read 4096 bytes into what r7 holds */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
