// Reference solution of function-argument.
#include "lab.h"

SEC("uprobe/check_password")
int on_check(struct pt_regs *ctx)
{
	char guess[128];
	long n;

	/* check_password(const char *guess): the guess is the first argument */
	n = bpf_probe_read_user_str(guess, sizeof(guess), (const char *)ARG(ctx, 1));
	/* n counts the NUL: the guess itself is n - 1 bytes */
	if (n > 0)
		SUBMIT(guess, n - 1);
	return 0;
}
