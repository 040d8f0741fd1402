// Remembers every exec'd process with its command name, and decides at exit: the map keeps one
// entry per process, deleted when the process leaves.
#include "lab.h"

struct seen {
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct seen);
} execd SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	struct seen s = {};
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_get_current_comm(s.comm, sizeof(s.comm));
	bpf_map_update_elem(&execd, &pid, &s, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_exit_group")
int on_exit_group(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct seen *s = bpf_map_lookup_elem(&execd, &pid);

	if (!s)
		return 0;
	if (bpf_strncmp(s->comm, sizeof("sh"), "sh") == 0)
		SUBMIT_NUM((int)ctx->args[0]);
	bpf_map_delete_elem(&execd, &pid);
	return 0;
}
