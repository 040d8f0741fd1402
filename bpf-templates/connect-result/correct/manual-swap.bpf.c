// Swaps the two bytes of the port by hand instead of bpf_ntohs.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u16);
} ports SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_connect")
int enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sockaddr_in sa = {};
	__u16 raw, port;

	bpf_probe_read_user(&sa, sizeof(sa), (void *)ctx->args[1]);
	if (sa.sin_family != 2)
		return 0;
	raw = sa.sin_port;
	port = (raw >> 8) | (raw << 8); /* big-endian on the wire, little-endian here */
	bpf_map_update_elem(&ports, &id, &port, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int leave(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u16 *port = bpf_map_lookup_elem(&ports, &id);
	__u16 p;

	if (!port)
		return 0;
	p = *port;
	bpf_map_delete_elem(&ports, &id);
	if (!ctx->ret)
		SUBMIT_NUM(p);
	return 0;
}
