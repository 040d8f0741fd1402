// expect: refused-static static/context-write
// The context pointer is spilled to the stack, copied to a second slot and reloaded from there
// before the store: the write must still be seen as one into the context.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct trace_event_raw_sys_enter *volatile first = ctx;
	struct trace_event_raw_sys_enter *volatile second = first;

	second->args[2] = 0;
	return 0;
}
