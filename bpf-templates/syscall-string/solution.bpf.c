// Reference solution of syscall-string.
#include "lab.h"

#define O_CREAT 0100 /* octal, as in <fcntl.h>; vmlinux.h has no macros */

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[64];
	long n;

	/* openat(dirfd, path, flags, mode) */
	if (!(ctx->args[2] & O_CREAT))
		return 0;
	n = bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]);
	/* n counts the NUL: the name itself is n - 1 bytes */
	if (n > 1)
		SUBMIT(path, n - 1);
	return 0;
}
