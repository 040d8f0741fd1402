// expect: refused-static static/forbidden-helper
// bpf_trace_printk: not on the students' list of helpers.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	bpf_printk("flood");
	return 0;
}
