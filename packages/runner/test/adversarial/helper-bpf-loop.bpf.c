// expect: refused-static static/forbidden-helper
// bpf_loop with a callback: one event could run for a very long time.
#include "lab.h"

static long spin(__u64 i, void *data)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	bpf_loop(1 << 23, spin, 0, 0);
	return 0;
}
