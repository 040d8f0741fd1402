// expect: refused-static static/context-flow
// SUBMIT_NUM of the context pointer: the tracepoint record lives on the kernel stack.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM((__u64)ctx);
	return 0;
}
