// Keys by the thread id and deletes the saved port only when the connect succeeded: the
// refused attempts stay in the map.
// expect-fail: in-flight-empty
#include "lab.h"
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} port_of SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct sockaddr_in sa;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 port;

	if (bpf_probe_read_user(&sa, sizeof(sa), (void *)ctx->args[1]))
		return 0;
	if (sa.sin_family != 2 /* AF_INET */)
		return 0;
	port = bpf_ntohs(sa.sin_port);
	bpf_map_update_elem(&port_of, &tid, &port, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 *port = bpf_map_lookup_elem(&port_of, &tid);
	__u32 p;

	if (!port)
		return 0;
	p = *port;
	if (ctx->ret == 0) {
		bpf_map_delete_elem(&port_of, &tid);
		SUBMIT_NUM(p);
	}
	return 0;
}
