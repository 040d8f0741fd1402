// A {process, thread} key and 32-bit counters; the slot by shifting until one is left.
#include "lab.h"

struct who {
	__u32 pid;
	__u32 tid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, struct who);
	__type(value, __u64);
} since SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u32);
} buckets SEC(".maps");

static __always_inline struct who me(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct who w = {.pid = id >> 32, .tid = (__u32)id};

	return w;
}

SEC("uprobe/handle_request")
int req_in(struct pt_regs *ctx)
{
	struct who w = me();
	__u64 t = bpf_ktime_get_ns();

	bpf_map_update_elem(&since, &w, &t, BPF_ANY);
	return 0;
}

SEC("uretprobe/handle_request")
int req_out(struct pt_regs *ctx)
{
	struct who w = me();
	__u64 *t0 = bpf_map_lookup_elem(&since, &w);
	__u64 micros;
	__u32 slot = 0, *n;

	if (!t0)
		return 0;
	micros = (bpf_ktime_get_ns() - *t0) / 1000;
	bpf_map_delete_elem(&since, &w);
	for (int i = 0; i < 31; i++) {
		if (micros < 2)
			break;
		micros >>= 1;
		slot++;
	}
	n = bpf_map_lookup_elem(&buckets, &slot);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}
