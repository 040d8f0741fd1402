// Keys the fds by a packed u64 under names of its own, and never hooks close(): the checks find
// the map by its keys and see the fd still tracked after it was reused.
// expect-fail: reuse, forgets-closed, dup2-over
#include "lab.h"

#define TARGET "/tmp/password"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u8);
} opening_now SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u8);
} secret_fds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} pending_read SEC(".maps");

static __always_inline __u64 fd_id(__u64 pid_tgid, __u64 fd)
{
	return (pid_tgid & 0xffffffff00000000ULL) | (fd & 0xffffffff);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int a(struct trace_event_raw_sys_enter *ctx)
{
	char name[sizeof(TARGET) + 2];
	__u64 t = bpf_get_current_pid_tgid();
	__u8 v = 1;

	if (bpf_probe_read_user_str(name, sizeof(name), (void *)ctx->args[1]) <= 0)
		return 0;
	if (bpf_strncmp(name, sizeof(TARGET), TARGET))
		return 0;
	bpf_map_update_elem(&opening_now, &t, &v, BPF_NOEXIST);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int b(struct trace_event_raw_sys_exit *ctx)
{
	__u64 t = bpf_get_current_pid_tgid();
	__u64 id;
	__u8 v = 1;

	if (bpf_map_delete_elem(&opening_now, &t) != 0)
		return 0; /* nothing was marked */
	if (ctx->ret < 0)
		return 0;
	id = fd_id(t, ctx->ret);
	bpf_map_update_elem(&secret_fds, &id, &v, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int c(struct trace_event_raw_sys_enter *ctx)
{
	__u64 t = bpf_get_current_pid_tgid();
	__u64 id = fd_id(t, ctx->args[0]);
	__u64 where = ctx->args[1];

	if (!bpf_map_lookup_elem(&secret_fds, &id))
		return 0;
	bpf_map_update_elem(&pending_read, &t, &where, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int d(struct trace_event_raw_sys_exit *ctx)
{
	__u64 t = bpf_get_current_pid_tgid();
	__u64 *where = bpf_map_lookup_elem(&pending_read, &t);
	__u64 w;

	if (!where)
		return 0;
	w = *where;
	bpf_map_delete_elem(&pending_read, &t);
	if (ctx->ret <= 0)
		return 0;
	SUBMIT_USER(w, ctx->ret);
	return 0;
}
