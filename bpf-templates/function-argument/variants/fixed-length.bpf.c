// Submits a fixed 64 bytes straight from the target's memory: whatever follows each guess comes
// along, and the long guess is cut.
// expect-fail: each-guess
#include "lab.h"

SEC("uprobe/check_password")
int on_check(struct pt_regs *ctx)
{
	SUBMIT_USER(ARG(ctx, 1), 64);
	return 0;
}
