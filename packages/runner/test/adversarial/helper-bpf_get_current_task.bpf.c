// expect: refused-static static/forbidden-helper
// bpf_get_current_task: not on the students' list of helpers.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(bpf_get_current_task() & 1);
	return 0;
}
