// Keys by {u32 pid; u32 tid}, the two halves of pid_tgid as fields.
#include "lab.h"

struct who {
	__u32 pid;
	__u32 tid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, struct who);
	__type(value, __u64);
} pending SEC(".maps");

static __always_inline struct who current(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct who w = { .pid = id >> 32, .tid = (__u32)id };
	return w;
}

SEC("tracepoint/syscalls/sys_enter_read")
int read_in(struct trace_event_raw_sys_enter *ctx)
{
	struct who w = current();
	__u64 buf = ctx->args[1];

	if (ctx->args[0] != 0)
		return 0;
	bpf_map_update_elem(&pending, &w, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int read_out(struct trace_event_raw_sys_exit *ctx)
{
	struct who w = current();
	__u64 *buf = bpf_map_lookup_elem(&pending, &w);
	__u64 b;

	if (!buf)
		return 0;
	b = *buf;
	bpf_map_delete_elem(&pending, &w);
	if (ctx->ret > 0)
		SUBMIT_USER(b, ctx->ret);
	return 0;
}
