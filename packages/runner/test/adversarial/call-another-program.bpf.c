// expect: refused-static static/call
// A program calling another program's function: libbpf only links functions of .text.
#include "lab.h"

SEC("tracepoint/syscalls/sys_exit_openat")
__noinline int other(struct trace_event_raw_sys_exit *ctx)
{
	return ctx->ret;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	return other((void *)ctx);
}
