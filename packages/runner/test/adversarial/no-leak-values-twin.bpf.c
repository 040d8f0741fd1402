// expect: harmless verifier/uninit-stack
// The twin: what lives at those addresses may be submitted, stored and compared freely.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	char path[32] = {};
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&cells, &k);
	char *p;

	bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[1]);
	for (p = path; p < path + sizeof(path) - 1; p++)
		if (*p == 0)
			break;
	SUBMIT_NUM(p - path);
	SUBMIT(path, sizeof(path));
	if (v) {
		*v += 1;
		SUBMIT_NUM(*v);
		DEBUG("count %llu", *v);
	}
	return 0;
}
