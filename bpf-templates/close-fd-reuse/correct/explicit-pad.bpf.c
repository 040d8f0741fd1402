// The key names its padding as a field and sets it to zero, so no byte is left unset.
// Closing: forgets the fd at close(), and follows dup2() onto and from it.
#include "lab.h"

struct open_file {
	__u64 process;
	__u32 fd;
	__u32 unused; /* always 0 */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u8);
} in_open SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct open_file);
	__type(value, __u8);
} password_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} in_read SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[16];
	__u64 thread = bpf_get_current_pid_tgid();
	__u8 one = 1;

	if (bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]) < 0)
		return 0;
	if (bpf_strncmp(path, 14, "/tmp/password") == 0)
		bpf_map_update_elem(&in_open, &thread, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 thread = bpf_get_current_pid_tgid();
	struct open_file f;
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&in_open, &thread))
		return 0;
	bpf_map_delete_elem(&in_open, &thread);
	if (ctx->ret < 0)
		return 0;
	f.process = thread >> 32;
	f.fd = ctx->ret;
	f.unused = 0;
	bpf_map_update_elem(&password_files, &f, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 thread = bpf_get_current_pid_tgid();
	struct open_file f;
	__u64 buf = ctx->args[1];

	f.process = thread >> 32;
	f.fd = ctx->args[0];
	f.unused = 0;
	if (bpf_map_lookup_elem(&password_files, &f))
		bpf_map_update_elem(&in_read, &thread, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 thread = bpf_get_current_pid_tgid();
	__u64 *buf = bpf_map_lookup_elem(&in_read, &thread);
	__u64 addr;

	if (!buf)
		return 0;
	addr = *buf;
	bpf_map_delete_elem(&in_read, &thread);
	if (ctx->ret > 0)
		SUBMIT_USER(addr, ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	struct open_file f;

	f.process = bpf_get_current_pid_tgid() >> 32;
	f.fd = ctx->args[0];
	f.unused = 0;
	bpf_map_delete_elem(&password_files, &f);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_dup2")
int enter_dup2(struct trace_event_raw_sys_enter *ctx)
{
	struct open_file from = {}, to = {};
	__u8 one = 1;

	from.process = to.process = bpf_get_current_pid_tgid() >> 32;
	from.fd = ctx->args[0];
	to.fd = ctx->args[1];
	if (from.fd == to.fd)
		return 0;
	bpf_map_delete_elem(&password_files, &to);
	if (bpf_map_lookup_elem(&password_files, &from))
		bpf_map_update_elem(&password_files, &to, &one, BPF_ANY);
	return 0;
}
