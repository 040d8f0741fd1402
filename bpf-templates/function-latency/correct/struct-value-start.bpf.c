// Keeps the start time in a struct value beside the call's argument; the slot by an unrolled scan.
#include "lab.h"

struct call {
	__u64 start_ns;
	__u64 work_us;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} usecs SEC(".maps");

SEC("uprobe/handle_request")
int call_start(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = {.start_ns = bpf_ktime_get_ns(), .work_us = ARG(ctx, 1)};

	bpf_map_update_elem(&calls, &id, &c, BPF_ANY);
	return 0;
}

SEC("uretprobe/handle_request")
int call_end(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), took;
	struct call *c = bpf_map_lookup_elem(&calls, &id);
	__u32 slot;
	__u64 *n;

	if (!c)
		return 0;
	took = bpf_ktime_get_ns() - c->start_ns;
	bpf_map_delete_elem(&calls, &id);
	took /= 1000;
	slot = 0;
#pragma clang loop unroll(full)
	for (int i = 0; i < 32; i++)
		if (took >> (i + 1))
			slot = i + 1;
	if (slot > 31)
		slot = 31;
	n = bpf_map_lookup_elem(&usecs, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
