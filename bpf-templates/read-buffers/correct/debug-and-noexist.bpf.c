// Inserts with BPF_NOEXIST (a thread is in one read at a time) and prints what it saw.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} inflight SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 buf = ctx->args[1];

	if (ctx->args[0])
		return 0;
	DEBUG("read(0, %llx, %llu)", buf, ctx->args[2]);
	bpf_map_update_elem(&inflight, &tid, &buf, BPF_NOEXIST);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 *buf = bpf_map_lookup_elem(&inflight, &tid);
	__u64 b;
	long ret = ctx->ret;

	if (!buf)
		return 0;
	b = *buf;
	bpf_map_delete_elem(&inflight, &tid);
	DEBUG("read returned %ld", ret);
	if (ret > 0)
		SUBMIT_USER(b, ret);
	return 0;
}
