// expect: refused-static static/context-bound
// The context pointer spilled, then reloaded with load-acquire, then read past the record.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer to fp-8 */
		".byte 0xdb, 0xa7, 0xf8, 0xff, 0x00, 0x01, 0x00, 0x00\n" /* r7 = load_acquire((u64 *)(r10 - 8)) */
		"r0 = *(u64 *)(r7 + 4096)\n" /* read 4096 bytes into what r7 holds */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
