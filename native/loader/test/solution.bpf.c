// Captures only the reads of /tmp/password: openat enter/exit mark the fd, read enter/exit
// submit exactly the bytes read from it, close forgets the fd (the target reuses fds).
#include "lab.h"

struct pid_fd_key {
	u64 pid;
	u32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u8);
} open_curr_fd_interesting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct pid_fd_key);
	__type(value, u8);
} open_interesting_fds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u64);
} read_curr_fd_buf SEC(".maps");

SEC("tp/syscalls/sys_enter_openat")
int on_open_enter(struct trace_event_raw_sys_enter *ctx)
{
	char path[32] = {};
	u64 id = bpf_get_current_pid_tgid();
	u8 one = 1;

	bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]);
	if (bpf_strncmp(path, sizeof("/tmp/password"), "/tmp/password") == 0)
		bpf_map_update_elem(&open_curr_fd_interesting, &id, &one, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_openat")
int on_open_exit(struct trace_event_raw_sys_exit *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	struct pid_fd_key key = {};
	u8 one = 1;

	if (!bpf_map_lookup_elem(&open_curr_fd_interesting, &id))
		return 0;
	bpf_map_delete_elem(&open_curr_fd_interesting, &id);
	if (ctx->ret < 0)
		return 0;
	key.pid = id >> 32;
	key.fd = ctx->ret;
	bpf_map_update_elem(&open_interesting_fds, &key, &one, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int on_read_enter(struct trace_event_raw_sys_enter *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	struct pid_fd_key key = {};
	u64 buf = ctx->args[1];

	key.pid = id >> 32;
	key.fd = ctx->args[0];
	if (!bpf_map_lookup_elem(&open_interesting_fds, &key))
		return 0;
	bpf_map_update_elem(&read_curr_fd_buf, &id, &buf, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_read")
int on_read_exit(struct trace_event_raw_sys_exit *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u64 *buf = bpf_map_lookup_elem(&read_curr_fd_buf, &id);
	long ret = ctx->ret;

	if (!buf)
		return 0;
	bpf_map_delete_elem(&read_curr_fd_buf, &id);
	if (ret > 0)
		SUBMIT_USER(*buf, ret);
	return 0;
}

/* The fd is free again: without this, the next file opened on the same fd is captured too. */
SEC("tp/syscalls/sys_enter_close")
int on_close(struct trace_event_raw_sys_enter *ctx)
{
	struct pid_fd_key key = {};

	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.fd = ctx->args[0];
	bpf_map_delete_elem(&open_interesting_fds, &key);
	return 0;
}
