// expect: refused-static static/forbidden-helper
// bpf_probe_read_kernel: not on the students' list of helpers.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[8];

	bpf_probe_read_kernel(buf, 8, (void *)ctx->args[1]);
	return 0;
}
