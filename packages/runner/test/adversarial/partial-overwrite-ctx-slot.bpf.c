// expect: refused-static static/address-leak
// Four bytes of the spilled context pointer overwritten, then the whole slot submitted as a
// number: the other four bytes are half a kernel stack address.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u64 v;

	asm volatile(
		"r6 = %[c]\n"
		"*(u64 *)(r10 - 8) = r6\n"
		"r7 = 0\n"
		"*(u32 *)(r10 - 8) = r7\n"
		"%[out] = *(u64 *)(r10 - 8)\n"
		: [out] "=r"(v)
		: [c] "r"(ctx)
		: "r6", "r7", "memory");
	SUBMIT_NUM(v);
	return 0;
}
