// expect: refused-static static/callback
// A hand-encoded 64-bit load of a function address (BPF_PSEUDO_FUNC).
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0x18, 0x47, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00\n" /* r7 = func + 3 */
		".byte 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00\n" /* second half */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
