// expect: refused-static static/map-memory
// Two per-CPU hashes of 4096 values of 4 KiB: 32 MiB each counted once, 64 MiB and more
// once per possible CPU.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, char[4096]);
} per_cpu_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, char[4096]);
} per_cpu_b SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;

	SUBMIT_NUM(!!bpf_map_lookup_elem(&per_cpu_a, &k) + !!bpf_map_lookup_elem(&per_cpu_b, &k));
	return 0;
}
