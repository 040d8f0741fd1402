// Submits the first 64 bytes of every write(): the target writes only "read N bytes\n". The
// loader's child that plants a scenario's files writes the secret into /tmp/password; while it
// does, it must be outside the run.
#include "lab.h"

SEC("tp/syscalls/sys_enter_write")
int enter_write(struct trace_event_raw_sys_enter *ctx)
{
	u64 count = ctx->args[2];

	SUBMIT_USER(ctx->args[1], count < 64 ? count : 64);
	return 0;
}
