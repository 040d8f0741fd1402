// expect: refused-static static/context-bound
// ctx->args[6] on sys_enter_read: bytes 64..71 of a 40-byte record.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_read")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(ctx->args[6]);
	return 0;
}
