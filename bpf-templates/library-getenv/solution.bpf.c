// Reference solution of library-getenv.
#include "lab.h"

SEC("uprobe/libc.so.6:getenv")
int on_getenv(struct pt_regs *ctx)
{
	char name[128];
	long n;

	/* getenv(const char *name) */
	n = bpf_probe_read_user_str(name, sizeof(name), (const char *)ARG(ctx, 1));
	if (n > 0)
		SUBMIT(name, n - 1);
	return 0;
}
