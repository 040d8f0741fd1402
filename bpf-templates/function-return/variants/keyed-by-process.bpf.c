// Keys the calls in progress by process id: right while one thread calls at a time, but a second
// thread's call overwrites the first one's guess, and its return deletes it.
// expect-fail: two-threads
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} in_flight SEC(".maps");

SEC("uprobe/check_password")
int on_entry(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 guess = ARG(ctx, 1);

	bpf_map_update_elem(&in_flight, &pid, &guess, BPF_ANY);
	return 0;
}

SEC("uretprobe/check_password")
int on_return(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 *kept = bpf_map_lookup_elem(&in_flight, &pid);
	__u64 guess;
	char buf[128];
	long n;

	if (!kept)
		return 0;
	guess = *kept;
	bpf_map_delete_elem(&in_flight, &pid);
	if ((int)RETVAL(ctx) == 0)
		return 0;
	n = bpf_probe_read_user_str(buf, sizeof(buf), (const char *)guess);
	if (n > 0)
		SUBMIT(buf, n - 1);
	return 0;
}
