// Reads 8 bytes at offset 4096 of its context: far past the 24-byte record of sys_enter_acct.
// The verifier accepts it (tracepoint contexts may be read up to 8 KiB); only the kernel's check
// at attach time refuses it. Never put it in the dispatcher's prog array, and never give it a
// tracepoint that fires: sys_enter_acct is process accounting, which nothing here turns on.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int read_far(void *ctx)
{
	__u64 far = *(__u64 *)((char *)ctx + 4096);

	SUBMIT_NUM(far);
	return 0;
}
