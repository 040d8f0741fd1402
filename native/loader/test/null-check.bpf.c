// Dereferences a map lookup without checking it for NULL: the verifier refuses it.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, u64);
	__type(value, u64);
} bufs SEC(".maps");

SEC("tp/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 *buf = bpf_map_lookup_elem(&bufs, &id);

	SUBMIT_USER(*buf, ctx->ret);
	return 0;
}
