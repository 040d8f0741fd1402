// The fd comes first in the key and the process second, with the padding in the middle.
#include "lab.h"

struct which {
	__u32 fd;
	__u64 tgid; /* 4 bytes of padding before this field */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u64);
	__type(value, __u8);
} pending_open SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct which);
	__type(value, __u8);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, __u64);
	__type(value, __u64);
} pending_buf SEC(".maps");

static __always_inline void set_key(struct which *w, __u64 tgid, __u32 fd)
{
	__builtin_memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->tgid = tgid;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int open_in(struct trace_event_raw_sys_enter *ctx)
{
	char s[32];
	__u64 id = bpf_get_current_pid_tgid();
	__u8 t = 1;

	bpf_probe_read_user_str(s, sizeof(s), (const char *)ctx->args[1]);
	if (bpf_strncmp(s, sizeof("/tmp/password"), "/tmp/password") == 0)
		bpf_map_update_elem(&pending_open, &id, &t, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int open_out(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct which w;
	__u8 t = 1;
	__u8 *marked = bpf_map_lookup_elem(&pending_open, &id);

	if (!marked)
		return 0;
	bpf_map_delete_elem(&pending_open, &id);
	if (ctx->ret >= 0) {
		set_key(&w, id >> 32, ctx->ret);
		bpf_map_update_elem(&tracked, &w, &t, BPF_ANY);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int read_in(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct which w;
	__u64 b = ctx->args[1];

	set_key(&w, id >> 32, ctx->args[0]);
	if (bpf_map_lookup_elem(&tracked, &w))
		bpf_map_update_elem(&pending_buf, &id, &b, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int read_out(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *b = bpf_map_lookup_elem(&pending_buf, &id);
	__u64 addr;

	if (!b)
		return 0;
	addr = *b;
	bpf_map_delete_elem(&pending_buf, &id);
	if (ctx->ret > 0)
		SUBMIT_USER(addr, ctx->ret);
	return 0;
}
