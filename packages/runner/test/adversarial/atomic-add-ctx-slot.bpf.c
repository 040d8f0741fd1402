// expect: refused-static static/context-flow
// A plain atomic add to the spilled context pointer turns it into a moved pointer
// the checks would no longer see as the context.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer to fp-8 */
		"r7 = 4096\n" /* r7 = 4096 */
		".byte 0xdb, 0x7a, 0xf8, 0xff, 0x00, 0x00, 0x00, 0x00\n" /* lock *(u64 *)(r10 - 8) += r7 */
		"r7 = *(u64 *)(r10 - 8)\n" /* reload */
		"r0 = *(u64 *)(r7 + 0)\n" /* ctx + 4096 */
		:: [c] "r"(ctx)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
