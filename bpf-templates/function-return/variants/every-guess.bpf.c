// Pairs entry and return correctly but never looks at the return value: submits every guess.
// expect-fail: accepted-only, two-threads
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} in_flight SEC(".maps");

SEC("uprobe/check_password")
int on_entry(struct pt_regs *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 guess = ARG(ctx, 1);

	bpf_map_update_elem(&in_flight, &tid, &guess, BPF_ANY);
	return 0;
}

SEC("uretprobe/check_password")
int on_return(struct pt_regs *ctx)
{
	__u64 tid = bpf_get_current_pid_tgid();
	__u64 *kept = bpf_map_lookup_elem(&in_flight, &tid);
	char buf[128];
	long n;

	if (!kept)
		return 0;
	n = bpf_probe_read_user_str(buf, sizeof(buf), (const char *)*kept);
	bpf_map_delete_elem(&in_flight, &tid);
	if (n > 0)
		SUBMIT(buf, n - 1);
	return 0;
}
