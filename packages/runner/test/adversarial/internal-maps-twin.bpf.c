// expect: harmless
// The twin: globals in .data, .rodata and .bss, within the limits.
#include "lab.h"

__u64 seen;
const volatile __u64 start = 3;
__u64 count = 1;

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	seen += start + count;
	SUBMIT_NUM(seen);
	return 0;
}
