// expect: refused-static static/format
// DEBUG("%s"): bpf_snprintf would read memory through the argument.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	DEBUG("%s", ctx->args[1]);
	return 0;
}
