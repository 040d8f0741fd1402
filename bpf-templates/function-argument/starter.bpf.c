// function-argument: submit every guess the target passes to check_password().
#include "lab.h"

SEC("uprobe/check_password")
int on_check(struct pt_regs *ctx)
{
	char guess[128];

	/* TODO: check_password(const char *guess): take its first argument with ARG(ctx, 1). */
	/* TODO: copy the string it points to (in the target's memory) into guess. */
	/* TODO: SUBMIT the characters of the guess, without the terminating NUL. */
	return 0;
}
