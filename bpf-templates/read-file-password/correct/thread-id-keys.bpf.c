// The in-flight maps are keyed by the thread id alone (the lower half of pid_tgid), and the fd
// map by {process id, fd} as two u32.
#include "lab.h"

struct pfd {
	__u32 pid;
	__u32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} opening_tids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct pfd);
	__type(value, __u8);
} password_pfds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} reading_tids SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[24];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u8 one = 1;

	if (bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]) < 0)
		return 0;
	if (bpf_strncmp(path, sizeof("/tmp/password"), "/tmp/password"))
		return 0;
	bpf_map_update_elem(&opening_tids, &tid, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pfd key = { .pid = id >> 32, .fd = ctx->ret };
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&opening_tids, &tid))
		return 0;
	bpf_map_delete_elem(&opening_tids, &tid);
	if (ctx->ret >= 0)
		bpf_map_update_elem(&password_pfds, &key, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pfd key = { .pid = id >> 32, .fd = ctx->args[0] };
	__u64 buf = ctx->args[1];

	if (bpf_map_lookup_elem(&password_pfds, &key))
		bpf_map_update_elem(&reading_tids, &tid, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *buf = bpf_map_lookup_elem(&reading_tids, &tid);
	__u64 addr;

	if (!buf)
		return 0;
	addr = *buf;
	bpf_map_delete_elem(&reading_tids, &tid);
	if (ctx->ret > 0)
		SUBMIT_USER(addr, ctx->ret);
	return 0;
}
