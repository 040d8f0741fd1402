// expect: refused-static static/address-leak
// xchg stores the context pointer into a slot through an atomic: a pointer as an
// atomic operand is refused.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"r8 = r10\n" /* r8 = the frame pointer */
		"r7 = 0\n" /* r7 = 0 */
		"*(u64 *)(r10 - 8) = r7\n" /* a number on the stack */
		".byte 0xdb, 0x8a, 0xf8, 0xff, 0xe1, 0x00, 0x00, 0x00\n" /* r8 = xchg((u64 *)(r10 - 8), r8) with r8 = fp */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
