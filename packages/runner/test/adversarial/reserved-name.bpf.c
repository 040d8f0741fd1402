// expect: refused-static static/reserved-name
// A global in lab.h's reserved lab_ names.
#include "lab.h"

__u64 lab_counter;

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	lab_counter++;
	return 0;
}
