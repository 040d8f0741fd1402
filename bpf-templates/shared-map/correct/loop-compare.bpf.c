// Compares the command name character by character, NUL included.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} is_shell SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	char comm[16];
	const char want[] = "sh";
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u8 yes = 1;

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < sizeof(want); i++)
		if (comm[i] != want[i])
			return 0;
	bpf_map_update_elem(&is_shell, &pid, &yes, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_exit_group")
int on_exit(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	int code = ctx->args[0];

	if (!bpf_map_lookup_elem(&is_shell, &pid))
		return 0;
	bpf_map_delete_elem(&is_shell, &pid);
	SUBMIT_NUM(code);
	return 0;
}
