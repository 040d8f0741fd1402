// expect: refused-kernel one_past
// One byte just past the end of the record (offset 24 of 24): the smallest over-read there is.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int one_past(void *ctx)
{
	__u8 b = *((__u8 *)ctx + 24);

	SUBMIT_NUM(b);
	return 0;
}
