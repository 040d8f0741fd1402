// expect: refused-static static/raw-load
// A hand-encoded 64-bit load of a kernel variable by BTF id (BPF_PSEUDO_BTF_ID), with no relocation
// to explain it: whatever object that number names on the host.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		".byte 0x18, 0x37, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00\n" /* r7 = ld_imm64 src 3, imm 3 */
		".byte 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00\n" /* second half */
		"r0 = *(u64 *)(r7 + 0)\n" /* read it */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
