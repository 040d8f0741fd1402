// expect: refused-static static/context-flow
// r0 = cmpxchg((u64 *)(r10 - 8), r0, r7), hand-encoded: r0 gets the slot's old value,
// the context pointer, and reads 4096 bytes past it.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer to fp-8 */
		"r0 = 0\n" /* r0 = 0 */
		"r7 = 0\n" /* r7 = 0 */
		".byte 0xdb, 0x7a, 0xf8, 0xff, 0xf1, 0x00, 0x00, 0x00\n" /* r0 = cmpxchg((u64 *)(r10 - 8), r0, r7) */
		"r0 = *(u64 *)(r0 + 4096)\n" /* read past the record */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
