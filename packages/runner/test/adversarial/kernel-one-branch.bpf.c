// expect: refused-kernel on_one_path
// In bounds on one path, past the record on the other: the kernel takes the furthest read of
// any path, as the static checks do, whichever path would have run. (Two widths, so that clang
// cannot merge the reads into one at a variable offset, which the verifier would refuse.)
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int on_one_path(void *ctx)
{
	if (bpf_get_prandom_u32() & 1) {
		SUBMIT_NUM(*(__u64 *)((char *)ctx + 16));
		return 0;
	}
	SUBMIT_NUM(*(__u32 *)((char *)ctx + 200));
	return 0;
}
