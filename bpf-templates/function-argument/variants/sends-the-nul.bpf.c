// Submits the count bpf_probe_read_user_str returns, which includes the NUL.
// expect-fail: each-guess
#include "lab.h"

SEC("uprobe/check_password")
int on_check(struct pt_regs *ctx)
{
	char guess[128];
	long n;

	n = bpf_probe_read_user_str(guess, sizeof(guess), (const char *)ARG(ctx, 1));
	if (n > 0)
		SUBMIT(guess, n);
	return 0;
}
