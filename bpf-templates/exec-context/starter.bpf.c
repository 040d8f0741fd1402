// exec-context: which process started running `true`?
#include "lab.h"

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	char comm[16];

	/* TODO: read the name of the running task into comm (bpf_get_current_comm). */
	/* TODO: leave unless it is exactly "true". */
	/* TODO: SUBMIT_NUM the process id (not the whole pid_tgid). */
	return 0;
}
