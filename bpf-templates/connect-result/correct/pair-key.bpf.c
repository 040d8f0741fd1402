// Keys by {u32 pid; u32 tid}.
#include "lab.h"
#include <bpf/bpf_endian.h>

struct thread {
	__u32 pid;
	__u32 tid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, struct thread);
	__type(value, __u16);
} trying SEC(".maps");

static __always_inline struct thread self(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct thread t = { .pid = id >> 32, .tid = (__u32)id };
	return t;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int on_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct thread t = self();
	struct sockaddr_in sa;
	__u16 port;

	if (bpf_probe_read_user(&sa, sizeof(sa), (void *)ctx->args[1]) < 0 || sa.sin_family != 2)
		return 0;
	port = bpf_ntohs(sa.sin_port);
	bpf_map_update_elem(&trying, &t, &port, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int on_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct thread t = self();
	__u16 *port = bpf_map_lookup_elem(&trying, &t);
	__u16 p;

	if (!port)
		return 0;
	p = *port;
	bpf_map_delete_elem(&trying, &t);
	if (ctx->ret == 0)
		SUBMIT_NUM(p);
	return 0;
}
