// Submits for every exec, not only the one that runs `true`.
// expect-fail: pid-of-true
#include "lab.h"

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	char comm[16];

	/* at this tracepoint the process already runs the new program, under its new name */
	bpf_get_current_comm(comm, sizeof(comm));
	/* upper 32 bits: the process id; lower 32 bits: the thread id */
	SUBMIT_NUM(bpf_get_current_pid_tgid() >> 32);
	return 0;
}
