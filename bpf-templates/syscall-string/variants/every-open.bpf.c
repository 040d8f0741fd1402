// Forgets the O_CREAT filter and submits every path the target opens.
// expect-fail: created-path
#include "lab.h"

#define O_CREAT 0100 /* octal, as in <fcntl.h>; vmlinux.h has no macros */

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[64];
	long n;

	/* openat(dirfd, path, flags, mode) */
	n = bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]);
	/* n counts the NUL: the name itself is n - 1 bytes */
	if (n > 1)
		SUBMIT(path, n - 1);
	return 0;
}
