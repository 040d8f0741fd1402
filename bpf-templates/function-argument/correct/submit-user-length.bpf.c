// Measures the string first, then submits it straight from the target's memory.
#include "lab.h"

SEC("uprobe/check_password")
int on_guess(struct pt_regs *ctx)
{
	char probe[150];
	const char *guess = (const char *)ARG(ctx, 1);
	long n = bpf_probe_read_user_str(probe, sizeof(probe), guess);

	if (n > 0)
		SUBMIT_USER(guess, n - 1);
	return 0;
}
