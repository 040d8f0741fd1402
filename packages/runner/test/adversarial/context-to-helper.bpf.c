// expect: refused-static static/context-flow
// The context pointer handed to a helper as memory to read.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	bpf_ringbuf_output(&lab_events, ctx, 64, 0);
	return 0;
}
