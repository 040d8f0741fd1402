// expect: refused-static static/address-leak
// A map value's address used as a key of another map: the keys are dumped too.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} by_address SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;
	__u64 one = 1;
	__u64 *v = bpf_map_lookup_elem(&cells, &k);
	__u64 key = (__u64)v;

	bpf_map_update_elem(&by_address, &key, &one, BPF_ANY);
	return 0;
}
