// connect-result: report the one port the target connected to successfully.
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

	/* TODO: copy the address (ctx->args[1]) into sa; skip anything but AF_INET. */
	/* TODO: save the port, in host byte order, for this thread. */
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	/* TODO: look up the saved port, delete it, and SUBMIT_NUM it if the connect succeeded. */
	return 0;
}
