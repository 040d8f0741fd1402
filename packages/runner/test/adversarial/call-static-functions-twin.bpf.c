// expect: harmless
// The twin: static functions calling each other in .text, which clang links without a
// relocation; libbpf resolves those exactly as the checks do.
#include "lab.h"

static __noinline long second_arg(struct trace_event_raw_sys_enter *ctx)
{
	return ctx->args[1];
}

static __noinline long both(struct trace_event_raw_sys_enter *ctx)
{
	return ctx->args[0] + second_arg(ctx);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(both(ctx));
	return 0;
}
