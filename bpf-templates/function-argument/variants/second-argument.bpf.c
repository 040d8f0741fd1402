// Takes the second argument register: check_password has only one argument, so rsi holds
// whatever the caller last put there.
// expect-fail: each-guess
#include "lab.h"

SEC("uprobe/check_password")
int on_check(struct pt_regs *ctx)
{
	char guess[128];
	long n;

	n = bpf_probe_read_user_str(guess, sizeof(guess), (const char *)ARG(ctx, 2));
	if (n > 0)
		SUBMIT(guess, n - 1);
	return 0;
}
