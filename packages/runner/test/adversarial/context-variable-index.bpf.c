// expect: refused-static static/context-flow
// A context read at an index the program computes.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 i = bpf_get_prandom_u32() & 63;

	SUBMIT_NUM(*(long *)((char *)ctx + i));
	return 0;
}
