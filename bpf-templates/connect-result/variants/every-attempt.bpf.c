// Submits every port at connect entry, before the outcome is known.
// expect-fail: connected-port
#include "lab.h"
#include <bpf/bpf_endian.h>

#define AF_INET 2

/* The port a thread is connecting to, from entry to exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u16);
} connecting SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct sockaddr_in sa = {};
	__u64 id = bpf_get_current_pid_tgid();
	__u16 port;

	/* connect(fd, addr, addrlen): addr points into the target's memory */
	if (bpf_probe_read_user(&sa, sizeof(sa), (const void *)ctx->args[1]) != 0)
		return 0;
	if (sa.sin_family != AF_INET)
		return 0;
	port = bpf_ntohs(sa.sin_port); /* stored big-endian, "network order" */
	SUBMIT_NUM(port);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u16 *port = bpf_map_lookup_elem(&connecting, &id);
	__u16 p;

	if (!port)
		return 0;
	p = *port;
	bpf_map_delete_elem(&connecting, &id);
	/* only the exit knows the outcome: 0 is success, -ECONNREFUSED and others are not */
	if (ctx->ret == 0)
		SUBMIT_NUM(p);
	return 0;
}
