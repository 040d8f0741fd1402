// Submits the buffer at read entry, before the kernel has filled it.
// expect-fail: stdin-bytes
#include "lab.h"

/* Buffer address of a read() from fd 0, from entry to exit, per thread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} saved SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 buf = ctx->args[1];

	/* read(fd, buf, count) */
	if (ctx->args[0] != 0)
		return 0;
	SUBMIT_USER(buf, ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *buf = bpf_map_lookup_elem(&saved, &id);
	__u64 addr;

	if (!buf)
		return 0;
	addr = *buf;
	bpf_map_delete_elem(&saved, &id);
	/* now the buffer is filled, and ret says with how many bytes */
	return 0;
}
