// Keeps the fd beside the buffer and checks it again at exit, with the pid_tgid split into a
// {tid, pid} key (the thread first).
#include "lab.h"

struct tkey {
	__u32 tid;
	__u32 pid;
};

struct saved_read {
	__u64 buf;
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct tkey);
	__type(value, struct saved_read);
} reads SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tkey k = { .tid = (__u32)id, .pid = id >> 32 };
	struct saved_read r = {};

	r.buf = ctx->args[1];
	r.fd = ctx->args[0];
	bpf_map_update_elem(&reads, &k, &r, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct tkey k = { .tid = (__u32)id, .pid = id >> 32 };
	struct saved_read *r = bpf_map_lookup_elem(&reads, &k);
	struct saved_read copy;

	if (!r)
		return 0;
	copy = *r;
	bpf_map_delete_elem(&reads, &k);
	if (copy.fd == 0 && ctx->ret > 0)
		SUBMIT_USER(copy.buf, ctx->ret);
	return 0;
}
