// expect: refused-static static/address-leak
// The low 32 bits of a stack address, as a number.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[8] = {};

	SUBMIT_NUM((__u32)(__u64)buf);
	return 0;
}
