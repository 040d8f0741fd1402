// expect: refused-static static/context-flow
// A 32-bit fetch-add on the low half of the spilled context pointer: the half comes back.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer to fp-8 */
		"r7 = 0\n" /* r7 = 0 */
		".byte 0xc3, 0x7a, 0xf8, 0xff, 0x01, 0x00, 0x00, 0x00\n" /* w7 = atomic_fetch_add((u32 *)(r10 - 8), w7) */
		"*(u32 *)(r10 - 16) = r7\n" /* keep it */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
