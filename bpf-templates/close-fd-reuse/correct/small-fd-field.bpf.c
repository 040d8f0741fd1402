// {u32 pid; u16 fd; u16 zero}: an fd fits in 16 bits here, and the spare half is set to 0.
// Closing: forgets the fd at close() (dup2 left out: that check is a bonus).
#include "lab.h"

struct small_key {
	__u32 pid;
	__u16 fd;
	__u16 zero;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u8);
} open_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct small_key);
	__type(value, __u8);
} interesting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} read_pending SEC(".maps");

static __always_inline struct small_key key_of(__u64 id, __u64 fd)
{
	struct small_key k = { .pid = id >> 32, .fd = (__u16)fd, .zero = 0 };
	return k;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[32];
	__u64 id = bpf_get_current_pid_tgid();
	__u8 one = 1;
	int i;

	if (bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]) < 0)
		return 0;
	for (i = 0; i < 14; i++) {
		if (path[i] != "/tmp/password"[i])
			return 0;
	}
	DEBUG("thread %d opens the password", (__u32)id);
	bpf_map_update_elem(&open_pending, &id, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct small_key k;
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&open_pending, &id))
		return 0;
	bpf_map_delete_elem(&open_pending, &id);
	if (ctx->ret < 0)
		return 0;
	k = key_of(id, ctx->ret);
	bpf_map_update_elem(&interesting, &k, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct small_key k = key_of(id, ctx->args[0]);
	__u64 buf = ctx->args[1];

	if (ctx->args[0] > 0xffff || !bpf_map_lookup_elem(&interesting, &k))
		return 0;
	bpf_map_update_elem(&read_pending, &id, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *buf = bpf_map_lookup_elem(&read_pending, &id);
	__u64 b;

	if (!buf)
		return 0;
	b = *buf;
	bpf_map_delete_elem(&read_pending, &id);
	if (ctx->ret > 0)
		SUBMIT_USER(b, ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	struct small_key k = key_of(bpf_get_current_pid_tgid(), ctx->args[0]);

	if (ctx->args[0] <= 0xffff)
		bpf_map_delete_elem(&interesting, &k);
	return 0;
}
