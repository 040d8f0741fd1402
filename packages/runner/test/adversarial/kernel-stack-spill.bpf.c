// expect: refused-kernel via_stack
// The context pointer goes through a stack slot (volatile, so clang keeps the spill) and is
// read far past the record after it comes back.
#include "lab.h"

SEC("tp/syscalls/sys_enter_acct")
int via_stack(void *ctx)
{
	void *volatile saved = ctx;
	char *p = saved;

	SUBMIT_NUM(*(__u64 *)(p + 512));
	return 0;
}
