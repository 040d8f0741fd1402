// expect: refused-static static/address-leak
// The context pointer kept in a map for a later event.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;
	__u64 v = (__u64)ctx;

	bpf_map_update_elem(&cells, &k, &v, BPF_ANY);
	return 0;
}
