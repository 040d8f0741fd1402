// Reads only the family and the port, each at its offset in struct sockaddr_in.
#include "lab.h"
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} pending_port SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	const char *sa = (const char *)ctx->args[1];
	__u64 id = bpf_get_current_pid_tgid();
	__u16 family = 0, port = 0;
	__u64 value;

	bpf_probe_read_user(&family, sizeof(family), sa + __builtin_offsetof(struct sockaddr_in, sin_family));
	if (family != 2)
		return 0;
	bpf_probe_read_user(&port, sizeof(port), sa + __builtin_offsetof(struct sockaddr_in, sin_port));
	value = bpf_ntohs(port);
	bpf_map_update_elem(&pending_port, &id, &value, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *value = bpf_map_lookup_elem(&pending_port, &id);
	__u64 v;

	if (!value)
		return 0;
	v = *value;
	bpf_map_delete_elem(&pending_port, &id);
	if (ctx->ret == 0)
		SUBMIT_NUM(v);
	return 0;
}
