// expect: refused-kernel via_call
// The over-read happens in a function of its own, called with the context: the kernel counts
// the furthest read of the whole program, subprograms included.
#include "lab.h"

static __noinline __u64 peek(void *ctx, int unused)
{
	return *(__u64 *)((char *)ctx + 256) + unused;
}

SEC("tp/syscalls/sys_enter_acct")
int via_call(void *ctx)
{
	SUBMIT_NUM(peek(ctx, 0));
	return 0;
}
