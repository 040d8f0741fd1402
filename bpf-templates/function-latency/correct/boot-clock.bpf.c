// Times with the boot clock (it also counts suspend, so on a running machine durations are the
// same as the monotonic clock's), and finds the slot from the top bit down.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, __u64);
} begun SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 48);
	__type(key, __u32);
	__type(value, __u64);
} dist SEC(".maps");

SEC("uprobe/handle_request")
int on_in(struct pt_regs *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid(), t = bpf_ktime_get_boot_ns();

	bpf_map_update_elem(&begun, &tid, &t, BPF_ANY);
	return 0;
}

SEC("uretprobe/handle_request")
int on_out(struct pt_regs *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 *t = bpf_map_lookup_elem(&begun, &tid);
	__u64 us, *c;
	__u32 slot = 0;

	if (!t)
		return 0;
	us = (bpf_ktime_get_boot_ns() - *t) / 1000;
	bpf_map_delete_elem(&begun, &tid);
	for (int bit = 40; bit > 0; bit--) {
		if (us >> bit) {
			slot = bit;
			break;
		}
	}
	c = bpf_map_lookup_elem(&dist, &slot);
	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}
