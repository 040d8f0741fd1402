// expect: refused-static static/context-write
// A store into the context, hand-encoded so the compiler never sees it: *(u64 *)(r1 + 16) = r1.
// A uprobe's context is the target's registers, writable by the kernel's rules since 6.18; no
// program here writes its context, whatever its type.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(".quad 0x000000000010117b" ::: "memory");
	return 0;
}
