// Copies the name into a per-CPU scratch value and submits from there; stops at a failed copy.
#include "lab.h"

struct name_buf {
	char bytes[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct name_buf);
} scratch SEC(".maps");

SEC("uprobe/libc.so.6:getenv")
int env_lookup(struct pt_regs *ctx)
{
	__u32 k = 0;
	struct name_buf *b = bpf_map_lookup_elem(&scratch, &k);
	int n;

	if (!b)
		return 0;
	n = bpf_probe_read_user_str(b->bytes, sizeof(b->bytes), (const void *)ARG(ctx, 1));
	if (n <= 0)
		return 0;
	SUBMIT(b->bytes, n - 1);
	return 0;
}
