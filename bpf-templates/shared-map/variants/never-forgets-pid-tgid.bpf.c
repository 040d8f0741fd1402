// Keys by the whole pid_tgid under a name of its own and never deletes: right answer, but the
// map keeps the dead shell.
// expect-fail: map-cleaned
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u64);
	__type(value, __u32);
} shells SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int exec(void *ctx)
{
	char name[16];
	__u64 id = bpf_get_current_pid_tgid();
	__u32 one = 1;

	bpf_get_current_comm(name, sizeof(name));
	if (bpf_strncmp(name, 3, "sh") == 0)
		bpf_map_update_elem(&shells, &id, &one, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_exit_group")
int leave(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (bpf_map_lookup_elem(&shells, &id)) {
		SUBMIT_NUM((int)ctx->args[0]);
	}
	return 0;
}
