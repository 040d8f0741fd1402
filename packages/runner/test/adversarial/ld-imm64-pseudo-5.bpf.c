// expect: refused-static static/raw-load
// A hand-encoded 64-bit load of a map by index (BPF_PSEUDO_MAP_IDX), with no relocation
// to explain it: whatever object that number names on the host.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0x18, 0x57, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00\n" /* r7 = ld_imm64 src 5, imm 3 */
		".byte 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00\n" /* second half */
		"r0 = *(u64 *)(r7 + 0)\n" /* read it */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
