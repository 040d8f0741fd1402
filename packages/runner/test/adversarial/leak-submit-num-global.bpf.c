// expect: refused-static static/address-leak
// SUBMIT_NUM of a global's address (a pointer into a map the loader made).
#include "lab.h"

__u64 counter;

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM((__u64)&counter);
	return 0;
}
