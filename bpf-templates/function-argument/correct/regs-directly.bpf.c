// Reads rdi from pt_regs by hand rather than through ARG, and sends the string as a map value.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[256]);
} buffer SEC(".maps");

SEC("uprobe/check_password")
int probe_guess(struct pt_regs *regs)
{
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&buffer, &zero);
	long got;

	if (!buf)
		return 0;
	got = bpf_probe_read_user_str(buf, 256, (const char *)regs->di);
	if (got >= 1)
		SUBMIT(buf, got - 1);
	return 0;
}
