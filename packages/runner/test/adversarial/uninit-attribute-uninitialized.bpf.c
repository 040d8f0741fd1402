// expect: refused-static static/uninitialised-stack
// __attribute__((uninitialized)) opts a variable out of the zeroing the lab compiles with: its
// bytes are the kernel's leftovers, and submitting them is refused.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[64] __attribute__((uninitialized));

	buf[0] = 'x';
	SUBMIT(buf, sizeof(buf));
	return 0;
}
