// http-password: report the password a login request sends over a socket.
#include "lab.h"

#define CHUNK 256 /* bytes of one write() looked at */
#define VALUE_MAX 128
#define FIELD "password="
#define FIELD_LEN (sizeof(FIELD) - 1) /* without the NUL: the value follows at once */

/* A socket: the process that holds it and its fd. Two 4-byte fields, so no padding. */
struct sock_key {
	__u32 pid;
	__u32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct sock_key);
	__type(value, __u8);
} sockets SEC(".maps");

/* What one write() sends, copied: too big for the 512-byte stack next to everything else. */
struct chunk {
	char b[CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct chunk);
} scratch SEC(".maps");

SEC("tracepoint/syscalls/sys_exit_socket")
int exit_socket(struct trace_event_raw_sys_exit *ctx)
{
	/* TODO: when socket() succeeded, remember {process id, ctx->ret} in sockets. */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: forget the closed fd (ctx->args[0]): its number may come back for a file. */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int enter_write(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: write(fd, buf, count): only for an fd in sockets, copy at most CHUNK bytes into
	 * scratch, find FIELD with a bounded loop and submit its value, up to '&' or the end. */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: sendto(fd, buf, len, ...) sends the same way: do the same. */
	return 0;
}
