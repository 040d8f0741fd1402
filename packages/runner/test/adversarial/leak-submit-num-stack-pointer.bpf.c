// expect: refused-static static/address-leak
// SUBMIT_NUM of a stack buffer's address: a kernel stack address in the submission.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[16] = {};

	SUBMIT_NUM((__u64)buf);
	return 0;
}
