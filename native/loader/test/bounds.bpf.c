// Every way a student might bound a length before SUBMIT / SUBMIT_USER / DEBUG. Loaded (never
// attached) by the loader tests: each program must pass the verifier.
#include "lab.h"

struct val {
	__u32 len;
	char data[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct val);
} bounds_vals SEC(".maps");

SEC("tp/syscalls/sys_exit_read")
int user_signed_ret(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;
	__u64 ptr = bpf_get_current_pid_tgid();

	SUBMIT_USER(ptr, ret);
	return 0;
}

SEC("tp/syscalls/sys_exit_read")
int user_int_ret(struct trace_event_raw_sys_exit *ctx)
{
	int ret = ctx->ret;

	SUBMIT_USER((void *)ctx, ret);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int user_unbounded(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_USER(ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int user_masked(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_USER(ctx->args[1], ctx->args[2] & 0xff);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int user_checked(struct trace_event_raw_sys_enter *ctx)
{
	__u64 len = ctx->args[2];
	char buf[32];

	if (len > sizeof(buf))
		len = sizeof(buf);
	SUBMIT_USER(ctx->args[1], len);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int stack_unbounded(struct trace_event_raw_sys_enter *ctx)
{
	char buf[48] = {};

	bpf_probe_read_user(buf, sizeof(buf), (void *)ctx->args[1]);
	SUBMIT(buf, ctx->args[2]);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int stack_masked(struct trace_event_raw_sys_enter *ctx)
{
	char buf[16] = {};

	SUBMIT(buf, ctx->args[2] & 0xff);
	return 0;
}

SEC("tp/syscalls/sys_exit_read")
int stack_signed(struct trace_event_raw_sys_exit *ctx)
{
	char buf[300] = {};
	long ret = ctx->ret;

	if (ret > sizeof(buf))
		return 0;
	SUBMIT(buf, ret);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int map_value(struct trace_event_raw_sys_enter *ctx)
{
	__u32 key = 0;
	struct val *v = bpf_map_lookup_elem(&bounds_vals, &key);

	if (!v)
		return 0;
	SUBMIT(v->data, v->len);
	SUBMIT(v, sizeof(*v));
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int numbers_and_debug(struct trace_event_raw_sys_enter *ctx)
{
	int fd = ctx->args[0];

	SUBMIT_NUM(fd);
	SUBMIT_NUM(ctx->args[2]);
	SUBMIT_NUM(-1);
	DEBUG("no args");
	DEBUG("fd=%d count=%lu pid=%u", fd, ctx->args[2], bpf_get_current_pid_tgid() >> 32);
	return 0;
}
