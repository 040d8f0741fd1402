// Keeps everything it sees on sys_enter_close: a record per call, a count per process, and two
// global counters (.bss from 0, .data from 100). The loader's kernel check offers it to
// sys_enter_close, which the loader's own close() fires again and again: none of that may reach
// the run's result.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} closes_by_pid SEC(".maps");

u64 closes_seen;
u64 closes_from_100 = 100;

SEC("tp/syscalls/sys_enter_close")
int on_close(struct trace_event_raw_sys_enter *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 one = 1, *n = bpf_map_lookup_elem(&closes_by_pid, &pid);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&closes_by_pid, &pid, &one, BPF_NOEXIST);
	__sync_fetch_and_add(&closes_seen, 1);
	__sync_fetch_and_add(&closes_from_100, 1);
	SUBMIT_NUM(pid);
	return 0;
}
