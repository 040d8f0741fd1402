// expect: refused-static static/map-count
// Nine maps, over the limit of 8.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m0 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m1 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m2 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m3 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m4 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m5 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m6 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m7 SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} m8 SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;
	long n = 0;

	n += !!bpf_map_lookup_elem(&m0, &k);
	n += !!bpf_map_lookup_elem(&m1, &k);
	n += !!bpf_map_lookup_elem(&m2, &k);
	n += !!bpf_map_lookup_elem(&m3, &k);
	n += !!bpf_map_lookup_elem(&m4, &k);
	n += !!bpf_map_lookup_elem(&m5, &k);
	n += !!bpf_map_lookup_elem(&m6, &k);
	n += !!bpf_map_lookup_elem(&m7, &k);
	n += !!bpf_map_lookup_elem(&m8, &k);
	SUBMIT_NUM(n);
	return 0;
}
