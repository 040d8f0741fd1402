// Keys by the process id with a struct value {port, family}: the target connects from one thread.
#include "lab.h"
#include <bpf/bpf_endian.h>

struct attempt {
	__u16 port;
	__u16 family;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct attempt);
} attempts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct sockaddr_in sa;
	struct attempt a;

	if (bpf_probe_read_user(&sa, sizeof(sa), (void *)ctx->args[1]))
		return 0;
	a.family = sa.sin_family;
	a.port = bpf_ntohs(sa.sin_port);
	bpf_map_update_elem(&attempts, &pid, &a, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct attempt *a = bpf_map_lookup_elem(&attempts, &pid);
	struct attempt copy;

	if (!a)
		return 0;
	copy = *a;
	bpf_map_delete_elem(&attempts, &pid);
	if (ctx->ret == 0 && copy.family == 2)
		SUBMIT_NUM(copy.port);
	return 0;
}
