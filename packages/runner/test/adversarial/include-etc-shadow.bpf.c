// expect: refused-static compile
// #include of a host file: the sandbox has no /etc/shadow.
#include "lab.h"

#include "/etc/shadow"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}
