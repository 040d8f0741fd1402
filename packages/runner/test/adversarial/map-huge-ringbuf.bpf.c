// expect: refused-static static/map-memory
// A 256 MiB ring buffer of the student's own.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 28);
} mine SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	bpf_ringbuf_output(&mine, ctx, 0, 0);
	return 0;
}
