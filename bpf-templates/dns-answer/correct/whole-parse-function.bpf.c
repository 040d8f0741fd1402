// Saves the buffer and its size at entry in a struct, compares the question's name byte by
// byte in a loop (no bpf_strncmp), and does the whole parse in one global function that
// returns the address, or 0 when there is none to report, calling another for each name.
#include "lab.h"

struct call {
	__u64 buf;
	__u64 size;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

struct reply {
	__u8 raw[512];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct reply);
} work SEC(".maps");

const volatile __u8 target_name[13] = {2, 'd', 'b', 3, 'l', 'a', 'b', 4, 't', 'e', 's', 't', 0};

static __always_inline __u32 at(const struct reply *r, __u32 i)
{
	return r->raw[i & 511];
}

/* Global too: a name walk inlined in the record loop would multiply the verifier's paths. */
__noinline __u32 skip(const struct reply *r, __u32 i, __u32 n)
{
	if (!r)
		return 0;
	for (int k = 0; k < 12; k++) {
		__u32 b;

		if (i >= n)
			return 0;
		b = at(r, i);
		if (b == 0)
			return i + 1;
		if (b >= 0xc0)
			return i + 2;
		i += b + 1;
	}
	return 0;
}

/* The first A record's address when the question is db.lab.test, else 0. */
__noinline __u32 address_in(const struct reply *r, __u32 n)
{
	__u32 i, records;

	if (!r || n < 12 + sizeof(target_name) + 4)
		return 0;
	for (int k = 0; k < sizeof(target_name); k++)
		if (at(r, 12 + k) != target_name[k])
			return 0;
	records = at(r, 6) << 8 | at(r, 7);
	i = 12 + sizeof(target_name) + 4;
	for (int k = 0; k < 8 && k < records; k++) {
		__u32 type, len;

		i = skip(r, i, n);
		if (i == 0 || i + 10 > n)
			return 0;
		type = at(r, i) << 8 | at(r, i + 1);
		len = at(r, i + 8) << 8 | at(r, i + 9);
		i += 10;
		if (type == 1 && len == 4)
			return i + 4 <= n ? at(r, i) << 24 | at(r, i + 1) << 16 | at(r, i + 2) << 8 |
						    at(r, i + 3)
					  : 0;
		i += len;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int recv_in(struct trace_event_raw_sys_enter *ctx)
{
	__u64 who = bpf_get_current_pid_tgid();
	struct call c = {.buf = ctx->args[1], .size = ctx->args[2]};

	bpf_map_update_elem(&calls, &who, &c, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int recv_out(struct trace_event_raw_sys_exit *ctx)
{
	__u64 who = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &who);
	struct call saved;
	__u32 zero = 0, n, addr;
	struct reply *r;

	if (!c)
		return 0;
	saved = *c;
	bpf_map_delete_elem(&calls, &who);
	if (ctx->ret <= 0 || ctx->ret > saved.size)
		return 0;
	n = ctx->ret > 512 ? 512 : ctx->ret;
	r = bpf_map_lookup_elem(&work, &zero);
	if (!r || bpf_probe_read_user(r->raw, n, (const void *)saved.buf))
		return 0;
	addr = address_in(r, n);
	if (addr)
		SUBMIT_NUM(addr);
	return 0;
}
