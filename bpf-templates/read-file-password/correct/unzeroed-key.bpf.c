// Builds struct pid_fd_key on the stack without zeroing it. Built elsewhere, its 4 padding bytes
// would hold leftovers and the lookups would miss; the lab compiles with every local variable
// zeroed (so the kernel's leftovers never reach a student), so here it passes.
#include "lab.h"

#define PASSWORD "/tmp/password"

struct pid_fd_key {
	__u64 pid; /* the process: its fd table is shared by all its threads */
	__u32 fd;
	/* 4 bytes of padding follow: the compiler aligns the struct to 8 */
};

/* In flight: threads inside an openat() of the password, keyed by pid_tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u8);
} open_curr_fd_interesting SEC(".maps");

/* Lasting: the fds under which a process has the password open. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct pid_fd_key);
	__type(value, __u8);
} open_interesting_fds SEC(".maps");

/* In flight: the buffer of a read() of the password, from entry to exit, keyed by pid_tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} read_curr_fd_buf SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	char path[32];
	__u64 id = bpf_get_current_pid_tgid();
	__u8 one = 1;

	/* openat(dirfd, path, flags, mode): the path is the second argument */
	if (bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]) < 0)
		return 0;
	/* sizeof counts the NUL, so "/tmp/password.bak" does not match */
	if (bpf_strncmp(path, sizeof(PASSWORD), PASSWORD) != 0)
		return 0;
	bpf_map_update_elem(&open_curr_fd_interesting, &id, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pid_fd_key key;
	__u8 one = 1;

	if (!bpf_map_lookup_elem(&open_curr_fd_interesting, &id))
		return 0;
	/* forget the marker on every path, failed opens included */
	bpf_map_delete_elem(&open_curr_fd_interesting, &id);
	if (ctx->ret < 0)
		return 0;
	key.pid = id >> 32;
	key.fd = ctx->ret;
	bpf_map_update_elem(&open_interesting_fds, &key, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pid_fd_key key;
	__u64 buf = ctx->args[1];

	key.pid = id >> 32;
	key.fd = ctx->args[0];
	if (!bpf_map_lookup_elem(&open_interesting_fds, &key))
		return 0;
	bpf_map_update_elem(&read_curr_fd_buf, &id, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *saved = bpf_map_lookup_elem(&read_curr_fd_buf, &id);
	__u64 buf;
	long n = ctx->ret;

	if (!saved)
		return 0;
	buf = *saved;
	bpf_map_delete_elem(&read_curr_fd_buf, &id);
	/* the buffer holds exactly ret bytes now; 0 is end of file, < 0 an error */
	if (n > 0)
		SUBMIT_USER(buf, n);
	return 0;
}
