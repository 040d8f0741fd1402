// Submits the count bpf_probe_read_user_str returns, which includes the NUL.
// expect-fail: names-looked-up
#include "lab.h"

SEC("uprobe/libc.so.6:getenv")
int on_getenv(struct pt_regs *ctx)
{
	char name[128];
	long n = bpf_probe_read_user_str(name, sizeof(name), (const char *)ARG(ctx, 1));

	if (n > 0)
		SUBMIT(name, n);
	return 0;
}
