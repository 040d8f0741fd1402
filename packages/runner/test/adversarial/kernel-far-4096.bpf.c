// expect: refused-kernel read_far
// Reads 8 bytes at offset 4096 of sys_enter_acct's 24-byte record. The verifier allows it
// (a tracepoint's context may be read up to 8 KiB); tail-called, it would oops the kernel.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int read_far(void *ctx)
{
	__u64 far = *(__u64 *)((char *)ctx + 4096);

	SUBMIT_NUM(far);
	return 0;
}
