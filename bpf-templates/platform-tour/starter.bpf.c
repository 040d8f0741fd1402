// platform-tour: your first program. It runs each time the target calls getppid().
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int hello(void *ctx)
{
	char msg[] = "hello, kernel";

	/* TODO: print a line with DEBUG, e.g. DEBUG("hi from pid %d", bpf_get_current_pid_tgid() >> 32); */
	/* TODO: submit the 13 characters of msg with SUBMIT(msg, length). */
	return 0;
}
