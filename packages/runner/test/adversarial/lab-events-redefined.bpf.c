// expect: refused-static compile
// A 1 GiB array named lab_events, in place of lab.h's ring buffer: the compiler refuses the
// redefinition (and were lab.h's renamed out of the way, the checks recognise the lab's ring
// buffer by what it is, not by its name).
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 18);
	__type(key, __u32);
	__type(value, char[4096]);
} lab_events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(1);
	return 0;
}
