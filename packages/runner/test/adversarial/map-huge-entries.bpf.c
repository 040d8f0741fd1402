// expect: refused-static static/map-size
// An array of 16 M entries.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 24);
	__type(key, __u32);
	__type(value, __u64);
} big SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;

	return !!bpf_map_lookup_elem(&big, &k);
}
