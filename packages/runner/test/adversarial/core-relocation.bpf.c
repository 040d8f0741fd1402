// expect: refused-static static/core-relocation
// A struct with preserve_access_index named like a kernel struct: libbpf would rewrite the
// field offset to the kernel's (task_struct's pid lies thousands of bytes in) after the checks.
#include "lab.h"

struct task_struct___mine {
	int pid;
} __attribute__((preserve_access_index));

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(((struct task_struct___mine *)ctx)->pid);
	return 0;
}
