// expect: refused-static compile
// .incbin of a host file into the object, to submit it as events.
#include "lab.h"

asm(".incbin \"/etc/passwd\"");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}
