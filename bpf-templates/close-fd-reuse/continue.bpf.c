
/* New in this exercise: a closed fd can come back as another file. */
SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: the fd in ctx->args[0] is being closed: remove (process, fd) from your fd map, */
	/* with the key built exactly as at openat exit. */
	return 0;
}
