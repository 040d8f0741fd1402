// expect: refused-static static/address-leak
// A stack address stored in a global (a map the lab dumps).
#include "lab.h"

__u64 where;

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[8] = {};

	where = (__u64)buf;
	SUBMIT(buf, 8);
	return 0;
}
