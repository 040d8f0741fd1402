// expect: refused-static static/forbidden-helper
// bpf_probe_read_kernel (helper 113) called by number from hand-encoded bytes.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(".byte 0x85, 0x00, 0x00, 0x00, 0x71, 0x00, 0x00, 0x00" ::: "r0", "r1", "r2", "r3", "r4", "r5");
	return 0;
}
