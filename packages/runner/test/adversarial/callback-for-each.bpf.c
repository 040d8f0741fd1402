// expect: refused-static static/callback
// bpf_for_each_map_elem takes a callback: refused with the helper.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");
static long visit(void *map, __u32 *k, __u64 *v, void *data)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	bpf_for_each_map_elem(&cells, visit, 0, 0);
	return 0;
}
