// expect: refused-static static/address-leak
// DEBUG("%lx") of a stack address: bpf_snprintf reads it from the argument array.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[8] = {};

	DEBUG("%lx", (__u64)buf);
	SUBMIT(buf, 8);
	return 0;
}
