// expect: refused-static static/address-leak
// Bits of an address passed as a helper's size: whether the read fails reveals them.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char buf[16] = {};
	__u64 n = ((__u64)buf) & 15;

	bpf_probe_read_user(buf, n, (void *)ctx->args[1]);
	SUBMIT(buf, 16);
	return 0;
}
