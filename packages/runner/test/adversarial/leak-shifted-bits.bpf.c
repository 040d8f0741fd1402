// expect: refused-static static/address-leak
// A map value's address shifted down: still bits of an address.
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
	__u64 *v = bpf_map_lookup_elem(&cells, &k);

	SUBMIT_NUM(((__u64)v) >> 12);
	return 0;
}
