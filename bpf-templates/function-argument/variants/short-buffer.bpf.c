// A 32-byte buffer: the long guess comes back cut.
// expect-fail: each-guess
#include "lab.h"

SEC("uprobe/check_password")
int on_check(struct pt_regs *ctx)
{
	char guess[32];
	long n;

	n = bpf_probe_read_user_str(guess, sizeof(guess), (const char *)ARG(ctx, 1));
	if (n > 0)
		SUBMIT(guess, n - 1);
	return 0;
}
