// expect: refused-static static/uninitialised-stack
// Hand-written, in a function of its own: its frame starts as the kernel left it, and a slot it
// never wrote is handed to bpf_ringbuf_output.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} out SEC(".maps");

static __noinline int send(void)
{
	asm volatile(
		"r1 = %[out] ll\n"
		"r2 = r10\n"
		"r2 += -8\n"
		"r3 = 8\n"
		"r4 = 0\n"
		"call 130\n" /* bpf_ringbuf_output(&out, fp - 8, 8, 0), fp - 8 never written */
		:
		: [out] "i"(&out)
		: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	return send();
}
