// expect: harmless
// Submits the buffer of every read() on the machine: allowed by the checks; the dispatcher
// keeps it to the run's own target.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;
	__u64 buf = ctx->args[1];

	bpf_map_update_elem(&cells, &k, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int after(struct trace_event_raw_sys_exit *ctx)
{
	__u32 k = 0;
	__u64 *buf = bpf_map_lookup_elem(&cells, &k);

	if (buf && ctx->ret > 0)
		SUBMIT_USER((const void *)*buf, ctx->ret);
	return 0;
}
