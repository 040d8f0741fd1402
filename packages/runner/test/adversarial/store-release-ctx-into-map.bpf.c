// expect: refused-static static/context-flow
// store_release((u64 *)(value + 0), ctx), hand-encoded: the context pointer stored into a map
// value, where the next event could load it back and read past the record.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&slots, &k);

	if (!v)
		return 0;
	asm volatile(
		"r6 = %[c]\n"
		"r8 = %[v]\n"
		".byte 0xdb, 0x68, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00\n" /* store_release((u64 *)(r8 + 0), r6) */
		:: [c] "r"(ctx), [v] "r"(v)
		: "r0", "r6", "r8", "memory");
	return 0;
}
