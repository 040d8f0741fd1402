// Submits sizeof(msg) bytes: the terminating NUL goes out with the text.
// expect-fail: says-hello
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int hello(void *ctx)
{
	char msg[] = "hello, kernel";

	DEBUG("getppid() called by pid %d", bpf_get_current_pid_tgid() >> 32);
	/* sizeof(msg) counts the NUL at the end: submit the 13 characters only */
	SUBMIT(msg, sizeof(msg));
	return 0;
}
