// Submits the value getenv returned instead of the name it was asked for.
// expect-fail: names-looked-up
#include "lab.h"

SEC("uretprobe/libc.so.6:getenv")
int on_return(struct pt_regs *ctx)
{
	char value[128];
	long n;

	if (!RETVAL(ctx))
		return 0;
	n = bpf_probe_read_user_str(value, sizeof(value), (const char *)RETVAL(ctx));
	if (n > 0)
		SUBMIT(value, n - 1);
	return 0;
}
