// expect: refused-static static/program
// A program that is static: libbpf and the lab need global functions.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
static int hidden(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}

int (*keep)(struct trace_event_raw_sys_enter *) = hidden;
