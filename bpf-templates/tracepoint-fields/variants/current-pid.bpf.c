// Submits the current (parent) process id instead of the child's.
// expect-fail: child-pid
#include "lab.h"

SEC("tracepoint/sched/sched_process_fork")
int on_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	/* this runs in the parent: the child's id is only in the record */
	SUBMIT_NUM(bpf_get_current_pid_tgid() >> 32);
	return 0;
}
