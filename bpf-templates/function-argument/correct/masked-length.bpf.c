// Bounds the length with a mask, and skips a failed copy explicitly.
#include "lab.h"

SEC("uprobe/check_password")
int seen(struct pt_regs *ctx)
{
	char text[256];
	long got = bpf_probe_read_user_str(text, sizeof(text), (void *)ARG(ctx, 1));

	if (got < 0) {
		DEBUG("copy failed: %ld", got);
		return 0;
	}
	SUBMIT(text, (got - 1) & 0xff);
	return 0;
}
