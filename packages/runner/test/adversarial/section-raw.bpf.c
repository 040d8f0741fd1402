// expect: refused-static static/section
// A hand-made non-program section.
#include "lab.h"

asm(".section .evil,\"aw\",@progbits\n.quad 1\n.text\n");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}
