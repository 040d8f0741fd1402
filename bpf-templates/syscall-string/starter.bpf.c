// syscall-string: submit the path of the file the target creates.
#include "lab.h"

#define O_CREAT 0100 /* octal, as in <fcntl.h>; vmlinux.h has no macros */

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[64];

	/* TODO: leave unless the flags argument has O_CREAT set. */
	/* TODO: copy the path (a pointer into the target's memory) into path. */
	/* TODO: SUBMIT the characters of the path, without the terminating NUL. */
	return 0;
}
