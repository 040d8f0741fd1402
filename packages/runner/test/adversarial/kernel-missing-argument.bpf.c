// expect: refused-kernel second_arg
// The mistake a student makes honestly: acct() takes one argument, so args[1] lies past the
// record. The struct every sys_enter tracepoint shares has room for six.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int second_arg(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(ctx->args[1]);
	return 0;
}
