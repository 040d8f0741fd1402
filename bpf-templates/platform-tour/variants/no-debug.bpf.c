// Never prints: the bonus check fails, the exercise still passes.
// expect-fail: printed-debug
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int hello(void *ctx)
{
	char msg[] = "hello, kernel";

	/* sizeof(msg) counts the NUL at the end: submit the 13 characters only */
	SUBMIT(msg, sizeof(msg) - 1);
	return 0;
}
