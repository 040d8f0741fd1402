// Two programs on one hook, checked on the same perf event: the first reads inside the 24-byte
// record of sys_enter_acct, the second 8 bytes past its end. The first's consent must not let the
// second through. Never give it a tracepoint that fires: sys_enter_acct is process accounting,
// which nothing here turns on.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int read_inside(void *ctx)
{
	__u64 path = *(__u64 *)((char *)ctx + 16);

	SUBMIT_NUM(path);
	return 0;
}

SEC("tp/syscalls/sys_enter_acct")
int read_just_past(void *ctx)
{
	__u64 past = *(__u64 *)((char *)ctx + 24);

	SUBMIT_NUM(past);
	return 0;
}
