// expect: refused-static static/address-leak
// One bit of a stack address per run, by comparing it with a constant.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[8] = {};
	__u64 p = (__u64)buf;

	asm volatile("" : "+r"(p));
	if (p > (1ULL << 63) + (1ULL << 62))
		SUBMIT_NUM(1);
	return 0;
}
