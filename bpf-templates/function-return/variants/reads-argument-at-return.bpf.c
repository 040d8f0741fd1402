// Reads the guess from the argument register at the return: by then it holds what the function
// left there (here the outcome it passed to its audit call), not the guess.
// expect-fail: accepted-only, two-threads
#include "lab.h"

SEC("uretprobe/check_password")
int on_return(struct pt_regs *ctx)
{
	char buf[128];
	long n;

	if ((int)RETVAL(ctx) == 0)
		return 0;
	n = bpf_probe_read_user_str(buf, sizeof(buf), (const char *)ARG(ctx, 1));
	if (n > 0)
		SUBMIT(buf, n - 1);
	return 0;
}
