// expect: refused-static static/uninitialised-stack
// Hand-written: 16 bytes of stack handed to bpf_ringbuf_output, of which only the upper 8 were
// written. The record would carry 8 bytes of the kernel's stack to the student.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} out SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	asm volatile(
		"r1 = 0\n"
		"*(u64 *)(r10 - 8) = r1\n" /* the upper slot only */
		"r1 = %[out] ll\n"
		"r2 = r10\n"
		"r2 += -16\n"
		"r3 = 16\n"
		"r4 = 0\n"
		"call 130\n" /* bpf_ringbuf_output(&out, fp - 16, 16, 0) */
		:
		: [out] "i"(&out)
		: "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return 0;
}
