// expect: refused-static static/extern
// A kfunc declared __ksym.
#include "lab.h"

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(!!bpf_task_from_pid(1));
	return 0;
}
