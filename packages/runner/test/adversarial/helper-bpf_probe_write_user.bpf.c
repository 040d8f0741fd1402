// expect: refused-static static/forbidden-helper
// bpf_probe_write_user: not on the students' list of helpers.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[4] = {};

	bpf_probe_write_user((void *)ctx->args[1], buf, 4);
	return 0;
}
