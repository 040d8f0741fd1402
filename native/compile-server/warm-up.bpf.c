// Compiled by every compile server worker before it takes a request, so that the student's
// compile finds clang's code paged in and its memory allocated. It is the platform's own file
// (never a student's or a solution), touching what exercises use: a map, a tracepoint context,
// user-memory reads, records and DEBUG.
#include "lab.h"

struct counts {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} warm_up_counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_write")
int warm_up(struct trace_event_raw_sys_enter *ctx)
{
	__u32 fd = (__u32)ctx->args[0];
	__u64 first = 1, *seen;
	char head[16];

	seen = bpf_map_lookup_elem(&warm_up_counts, &fd);
	if (seen)
		__sync_fetch_and_add(seen, 1);
	else
		bpf_map_update_elem(&warm_up_counts, &fd, &first, BPF_NOEXIST);
	if (bpf_probe_read_user(head, sizeof(head), (const void *)ctx->args[1]) == 0)
		SUBMIT(head, sizeof(head));
	SUBMIT_NUM(fd);
	DEBUG("fd %d", fd);
	return 0;
}
