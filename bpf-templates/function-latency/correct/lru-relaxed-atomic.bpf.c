// An LRU hash for the start times (old entries make room by themselves) and a relaxed atomic add.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} t0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

SEC("uprobe/handle_request")
int timed_in(struct pt_regs *ctx)
{
	__u64 k = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();

	bpf_map_update_elem(&t0, &k, &now, BPF_ANY);
	return 0;
}

SEC("uretprobe/handle_request")
int timed_out(struct pt_regs *ctx)
{
	__u64 k = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns();
	__u64 *start = bpf_map_lookup_elem(&t0, &k), us, *count;
	__u32 s = 0;

	if (!start || now < *start)
		return 0;
	us = (now - *start) / 1000;
	bpf_map_delete_elem(&t0, &k);
	while (us > 1 && s < 31) {
		us /= 2;
		s++;
	}
	count = bpf_map_lookup_elem(&slots, &s);
	if (count)
		__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
	return 0;
}
