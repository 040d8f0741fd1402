// The verifier gives up on this program at its limit of a million instructions, and its log of
// that walk fills the loader's whole log buffer (8 MiB). On sys_enter_acct, never attached.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int walk_forever(void *ctx)
{
	u64 x = bpf_get_prandom_u32();

	for (int i = 0; i < 1000000; i++) {
		x = x * 31 + i;
		barrier_var(x);
	}
	SUBMIT_NUM(x);
	return 0;
}
