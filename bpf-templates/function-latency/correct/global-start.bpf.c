// Keeps the start times in a hash keyed by the thread id alone, and adds with a plain
// read-modify-write through an atomic builtin that returns the old value.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} t_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} log2_hist SEC(".maps");

SEC("uprobe/handle_request")
int start(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&t_start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("uretprobe/handle_request")
int stop(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *t = bpf_map_lookup_elem(&t_start, &tid);
	__u64 d, *slot;
	__u32 i = 0;

	if (!t)
		return 0;
	d = bpf_ktime_get_ns() - *t;
	bpf_map_delete_elem(&t_start, &tid);
	d /= 1000;
	while (i < 63 && (d >> (i + 1)))
		i++;
	slot = bpf_map_lookup_elem(&log2_hist, &i);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	return 0;
}
