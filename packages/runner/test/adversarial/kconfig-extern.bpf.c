// expect: refused-static static/extern
// A __kconfig extern.
#include "lab.h"

extern int LINUX_KERNEL_VERSION __kconfig;

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(LINUX_KERNEL_VERSION);
	return 0;
}
