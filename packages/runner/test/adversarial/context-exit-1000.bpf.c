// expect: refused-static static/context-bound
// 1000 bytes into sys_exit_openat's 24-byte record: the read that oopsed the kernel.
#include "lab.h"

SEC("tracepoint/syscalls/sys_exit_openat")
int adv(struct trace_event_raw_sys_exit *ctx)
{
	SUBMIT_NUM(*(long *)((char *)ctx + 1000));
	return 0;
}
