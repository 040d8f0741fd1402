// expect: harmless verifier/user-pointer-deref
// The in-bounds twin of may-alias-store: the same may-alias store, then a read inside the record.
#include "lab.h"

#define OFF 16
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&cells, &k);

	if (!v)
		return 0;
	asm volatile(
		"r6 = %[c]\n"
		"r8 = %[v]\n"
		"*(u64 *)(r10 - 8) = r6\n" /* spill the context pointer */
		"r9 = r10\n"
		"r9 += -8\n" /* r9 = fp-8 ... */
		"r7 = *(u64 *)(r8 + 0)\n"
		"if r7 == 0 goto +1\n"
		"r9 = r8\n" /* ... or the map value, depending on the map */
		"r7 = 0\n"
		"*(u64 *)(r9 + 0) = r7\n" /* overwrites the spill on one path only */
		"r7 = *(u64 *)(r10 - 8)\n" /* still the context pointer when r9 was the map value */
		"r0 = *(u64 *)(r7 + %[off])\n"
		:: [c] "r"(ctx), [v] "r"(v), [off] "i"(OFF)
		: "r0", "r6", "r7", "r8", "r9", "memory");
	return 0;
}
