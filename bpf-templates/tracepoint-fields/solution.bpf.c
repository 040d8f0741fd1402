// Reference solution of tracepoint-fields.
#include "lab.h"

SEC("tracepoint/sched/sched_process_fork")
int on_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	/* this runs in the parent: the child's id is only in the record */
	SUBMIT_NUM(ctx->child_pid);
	return 0;
}
