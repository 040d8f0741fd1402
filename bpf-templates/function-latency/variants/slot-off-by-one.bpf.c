// Counts each call one slot too high (the number of bits, not the floor of log2).
// expect-fail: histogram, two-workers
#include "lab.h"

#define SLOTS 32

/* When each call in progress started, by thread (pid_tgid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} started SEC(".maps");

/* Slot i counts the calls that took [2^i, 2^(i+1)) microseconds. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} latency SEC(".maps");

/* floor(log2(v)), and 0 for 0 and 1 */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

	for (int i = 0; i < 63 && v > 1; i++) {
		v >>= 1;
		slot++;
	}
	return slot;
}

SEC("uprobe/handle_request")
int on_entry(struct pt_regs *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&started, &tid, &now, BPF_ANY);
	return 0;
}

SEC("uretprobe/handle_request")
int on_return(struct pt_regs *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&started, &tid);
	__u64 *count;
	__u32 slot;

	if (!start)
		return 0;
	slot = log2_slot((bpf_ktime_get_ns() - *start) / 1000) + 1;
	bpf_map_delete_elem(&started, &tid);
	if (slot >= SLOTS)
		slot = SLOTS - 1;
	count = bpf_map_lookup_elem(&latency, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
