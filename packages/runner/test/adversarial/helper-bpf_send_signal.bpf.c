// expect: refused-static static/forbidden-helper
// bpf_send_signal: not on the students' list of helpers.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	bpf_send_signal(9);
	return 0;
}
