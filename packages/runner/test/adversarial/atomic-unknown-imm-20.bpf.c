// expect: refused-static static/bad-insn
// an atomic with imm 0x20 (no such operation): an atomic the checks do not model is refused, whatever the kernel would do.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer to fp-8 */
		"r7 = 0\n" /* r7 = 0 */
		".byte 0xdb, 0x7a, 0xf8, 0xff, 0x20, 0x00, 0x00, 0x00\n" /* an atomic with imm 0x20 (no such operation) */
		"r0 = *(u64 *)(r7 + 4096)\n" /* read 4096 bytes into what r7 holds */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
