// expect: refused-kernel after_ret
// sys_exit_acct's record ends with ret (offset 16, 8 bytes): the 8 bytes after it are not the
// record's. The in-bounds program beside it is not what is refused.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int in_bounds(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(ctx->args[0]);
	return 0;
}

SEC("tp/syscalls/sys_exit_acct")
int after_ret(void *ctx)
{
	SUBMIT_NUM(*(__u64 *)((char *)ctx + 24));
	return 0;
}
