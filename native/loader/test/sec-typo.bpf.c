// A typo in the section name: the tracepoint does not exist.
#include "lab.h"

SEC("tp/syscalls/sys_enter_opnat")
int on_open(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(1);
	return 0;
}
