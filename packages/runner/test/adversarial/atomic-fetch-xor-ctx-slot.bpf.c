// expect: refused-static static/context-flow
// r7 = atomic_fetch_xor((u64 *)(r10 - 8), r7), hand-encoded: the old value of the slot, the context
// pointer, comes back in r7, which then reads 4096 bytes past it.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer to fp-8 */
		"r7 = 0\n" /* r7 = 0 */
		".byte 0xdb, 0x7a, 0xf8, 0xff, 0xa1, 0x00, 0x00, 0x00\n" /* r7 = atomic_fetch_xor((u64 *)(r10 - 8), r7) */
		"r0 = *(u64 *)(r7 + 4096)\n" /* read 4096 bytes into what r7 holds */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
