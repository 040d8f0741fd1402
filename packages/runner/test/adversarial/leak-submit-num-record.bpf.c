// expect: refused-static static/address-leak
// A ring-buffer record's own address written into it.
#include "lab.h"

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	__u64 *r = bpf_ringbuf_reserve(&lab_events, 8, 0);

	if (!r)
		return 0;
	*r = (__u64)r;
	bpf_ringbuf_submit(r, 0);
	return 0;
}
