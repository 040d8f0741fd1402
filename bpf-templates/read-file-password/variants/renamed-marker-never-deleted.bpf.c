// Names and keys of its own, and the in-flight marker (keyed by pid_tgid) is never deleted: every
// later open of the thread looks like the password.
// expect-fail: bait-around, kept-open, failed-open, tracks-password-fd, in-flight-empty
#include "lab.h"

struct fdkey {
	__u32 tgid;
	__u32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u64);
	__type(value, __u32);
} marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct fdkey);
	__type(value, __u32);
} pw_fds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u64);
	__type(value, __u64);
} bufs SEC(".maps");

static __always_inline int is_password(const char *p)
{
	const char want[] = "/tmp/password";

	for (int i = 0; i < sizeof(want); i++)
		if (p[i] != want[i])
			return 0;
	return 1;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int on_open(struct trace_event_raw_sys_enter *ctx)
{
	char p[20] = {};
	__u64 me = bpf_get_current_pid_tgid();
	__u32 yes = 1;

	bpf_probe_read_user_str(p, sizeof(p), (const char *)ctx->args[1]);
	if (is_password(p))
		bpf_map_update_elem(&marks, &me, &yes, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int on_open_done(struct trace_event_raw_sys_exit *ctx)
{
	__u64 me = bpf_get_current_pid_tgid();
	struct fdkey k;
	__u32 yes = 1;
	int was = bpf_map_lookup_elem(&marks, &me) != 0;

	if (!was || ctx->ret < 0)
		return 0;
	k.tgid = me >> 32;
	k.fd = ctx->ret;
	bpf_map_update_elem(&pw_fds, &k, &yes, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int on_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 me = bpf_get_current_pid_tgid();
	struct fdkey k = { .tgid = me >> 32, .fd = ctx->args[0] };
	__u64 addr = ctx->args[1];

	if (bpf_map_lookup_elem(&pw_fds, &k))
		bpf_map_update_elem(&bufs, &me, &addr, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int on_read_done(struct trace_event_raw_sys_exit *ctx)
{
	__u64 me = bpf_get_current_pid_tgid();
	__u64 *addr = bpf_map_lookup_elem(&bufs, &me);
	long got = ctx->ret;

	if (!addr)
		return 0;
	if (got > 0)
		SUBMIT_USER(*addr, got);
	bpf_map_delete_elem(&bufs, &me);
	return 0;
}
