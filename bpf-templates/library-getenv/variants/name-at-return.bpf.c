// Reads the name at getenv's return: by then the argument register holds whatever getenv left.
// expect-fail: names-looked-up
#include "lab.h"

SEC("uretprobe/libc.so.6:getenv")
int on_return(struct pt_regs *ctx)
{
	char name[128];
	long n = bpf_probe_read_user_str(name, sizeof(name), (const char *)ARG(ctx, 1));

	if (n > 0)
		SUBMIT(name, n - 1);
	return 0;
}
