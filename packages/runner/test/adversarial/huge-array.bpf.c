// expect: student-limit object
// A 20 MiB initialised global: the object is over the 16 MiB cap.
#include "lab.h"

char big[20 << 20] = {1};

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(big[0]);
	return 0;
}
