// A u64 key with the fd in its upper half and the process id in its lower half.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u8);
} will_open SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u8);
} fd_is_password SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} will_read SEC(".maps");

#define KEY(fd, id) (((__u64)(__u32)(fd) << 32) | ((id) >> 32))

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[16] = {};
	__u64 id = bpf_get_current_pid_tgid();
	__u8 one = 1;
	long len = bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]);

	/* 14 = the 13 characters of the name and its NUL */
	if (len == 14 && bpf_strncmp(path, 14, "/tmp/password") == 0)
		bpf_map_update_elem(&will_open, &id, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 key;
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&will_open, &id))
		return 0;
	bpf_map_delete_elem(&will_open, &id);
	if (ctx->ret < 0)
		return 0;
	key = KEY(ctx->ret, id);
	bpf_map_update_elem(&fd_is_password, &key, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 key = KEY(ctx->args[0], id);
	__u64 buf = ctx->args[1];

	if (bpf_map_lookup_elem(&fd_is_password, &key))
		bpf_map_update_elem(&will_read, &id, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *buf = bpf_map_lookup_elem(&will_read, &id);
	__u64 b;

	if (!buf)
		return 0;
	b = *buf;
	bpf_map_delete_elem(&will_read, &id);
	if (ctx->ret > 0)
		SUBMIT_USER(b, ctx->ret);
	return 0;
}
