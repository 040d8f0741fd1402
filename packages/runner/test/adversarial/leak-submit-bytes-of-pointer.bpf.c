// expect: refused-static static/address-leak
// A pointer spilled on the stack, then SUBMIT of its bytes: each byte is part of an address.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[8] = {};
	__u64 p = (__u64)buf;

	asm volatile("" : "+m"(p));
	SUBMIT(&p, 8);
	return 0;
}
