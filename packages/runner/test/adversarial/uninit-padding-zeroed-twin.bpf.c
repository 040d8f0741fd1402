// expect: harmless
// The twin: a struct with 4 bytes of padding and a buffer filled only in part, submitted whole.
// The lab compiles with every local zeroed, so those bytes are zeros, not the kernel's leftovers.
#include "lab.h"

struct record {
	__u32 pid;
	/* 4 bytes of padding */
	__u64 ts;
	char first[16];
};

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	struct record r;

	r.pid = bpf_get_current_pid_tgid() >> 32;
	r.ts = bpf_ktime_get_ns();
	r.first[0] = 'o';
	r.first[1] = 'k';
	SUBMIT(&r, sizeof(r));
	return 0;
}
