// Per-CPU counters (no atomics needed: each CPU has its own), the slot found by halving.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u64);
} entry_ns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 40);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

SEC("uprobe/handle_request")
int begin(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid(), t = bpf_ktime_get_ns();

	bpf_map_update_elem(&entry_ns, &id, &t, BPF_ANY);
	return 0;
}

SEC("uretprobe/handle_request")
int end(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *t = bpf_map_lookup_elem(&entry_ns, &id);
	__u64 us, *c;
	__u32 b = 0;

	if (!t)
		return 0;
	us = (bpf_ktime_get_ns() - *t) / 1000;
	bpf_map_delete_elem(&entry_ns, &id);
	if (us >= 1ull << 16) { b += 16; us >>= 16; }
	if (us >= 1ull << 8) { b += 8; us >>= 8; }
	if (us >= 1ull << 4) { b += 4; us >>= 4; }
	if (us >= 1ull << 2) { b += 2; us >>= 2; }
	if (us >= 1ull << 1) { b += 1; }
	c = bpf_map_lookup_elem(&hist, &b);
	if (c)
		*c += 1;
	return 0;
}
