// tracepoint-fields: report the pid of the child the target creates.
#include "lab.h"

/*
 * The record of sched_process_fork, as vmlinux.h declares it:
 *
 *   struct trace_event_raw_sched_process_fork {
 *           struct trace_entry ent;         // common header, 8 bytes
 *           u32 __data_loc_parent_comm;     // where the parent's name is (not needed here)
 *           pid_t parent_pid;
 *           u32 __data_loc_child_comm;
 *           pid_t child_pid;
 *           char __data[0];
 *   };
 */
SEC("tracepoint/sched/sched_process_fork")
int on_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	/* TODO: SUBMIT_NUM the child's pid, read from the record. */
	return 0;
}
