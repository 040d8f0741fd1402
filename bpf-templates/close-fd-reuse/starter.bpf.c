// close-fd-reuse: the previous exercise's skeleton, plus close(). Fill in the four programs
// with your own code from "Only the password" (its attempt history keeps your passing run).
#include "lab.h"

#define PASSWORD "/tmp/password"

/* Identifies an open file: which process, which fd. */
struct pid_fd_key {
	__u64 pid;
	__u32 fd;
};

/* Threads that are inside an openat() of the password (key: pid_tgid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u8);
} open_curr_fd_interesting SEC(".maps");

/* The fds under which a process has the password open. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct pid_fd_key);
	__type(value, __u8);
} open_interesting_fds SEC(".maps");

/* The buffer address of a read() of the password, saved at entry (key: pid_tgid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} read_curr_fd_buf SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: copy the path (which argument of openat is it?) into a stack buffer. */
	/* TODO: if it is exactly PASSWORD, mark this thread in open_curr_fd_interesting. */
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	/* TODO: was this thread opening the password? Then forget that, whatever happened, */
	/* TODO: and if the open succeeded (ctx->ret is the fd), record (process, fd) */
	/* in open_interesting_fds. */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: is (process, ctx->args[0]) in open_interesting_fds? Then save the buffer address */
	/* (ctx->args[1]) in `read_curr_fd_buf` for this thread. */
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	/* TODO: if this thread saved a buffer, submit the bytes the read put there */
	/* (ctx->ret of them) with SUBMIT_USER, and clean up. */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: the fd in ctx->args[0] is being closed: remove (process, fd) from open_interesting_fds. */
	return 0;
}
