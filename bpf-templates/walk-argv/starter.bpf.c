// walk-argv: submit the value that follows --token on the command line of an exec.
#include "lab.h"

#define MAX_ARGS 16

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct trace_event_raw_sys_enter *ctx)
{
	const char *const *argv = (const char *const *)ctx->args[1];
	char arg[64];

	for (int i = 0; i < MAX_ARGS; i++) {
		/* TODO: copy the pointer argv[i] out of the target's memory; stop at NULL. */
		/* TODO: copy the string it points to into arg. */
		/* TODO: if the previous argument was exactly "--token", SUBMIT this one (no NUL). */
	}
	return 0;
}
