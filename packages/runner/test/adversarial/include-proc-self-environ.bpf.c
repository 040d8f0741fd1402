// expect: refused-static compile
// #include of a host file: the sandbox has no /proc/self/environ.
#include "lab.h"

#include "/proc/self/environ"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}
