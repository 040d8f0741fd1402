// Copies the command name into a zeroed buffer and compares its first 4 bytes as one word:
// "sh" and its NUL, then zeros.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} sh_pids SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int exec_prog(void *ctx)
{
	union {
		char c[16];
		__u32 first;
	} comm = {};
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 when = 1;

	bpf_get_current_comm(comm.c, sizeof(comm.c));
	/* little-endian: 's' is the lowest byte, 'h' the next, then two NULs */
	if (comm.first == ('s' | 'h' << 8))
		bpf_map_update_elem(&sh_pids, &pid, &when, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_exit_group")
int exit_prog(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	long code = ctx->args[0];

	if (!bpf_map_lookup_elem(&sh_pids, &pid))
		return 0;
	SUBMIT_NUM((int)code);
	bpf_map_delete_elem(&sh_pids, &pid);
	return 0;
}
