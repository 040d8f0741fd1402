// Measures the name, then submits it straight from the target's memory.
#include "lab.h"

SEC("uprobe/libc.so.6:getenv")
int lookup(struct pt_regs *regs)
{
	char tmp[200];
	const char *name = (const char *)regs->di;
	long len = bpf_probe_read_user_str(tmp, sizeof(tmp), name);

	if (len > 0)
		SUBMIT_USER(name, len - 1);
	return 0;
}
