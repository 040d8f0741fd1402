// Submits the argument "--token" itself instead of the one after it.
// expect-fail: token-value
#include "lab.h"

#define MAX_ARGS 16

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct trace_event_raw_sys_enter *ctx)
{
	/* execve(filename, argv, envp): argv is an array of pointers, ended by NULL */
	const char *const *argv = (const char *const *)ctx->args[1];
	char arg[64];
	int after_flag = 0;

	for (int i = 0; i < MAX_ARGS; i++) {
		const char *p = 0;
		long n;

		/* first the pointer, then the string it points to: two copies */
		if (bpf_probe_read_user(&p, sizeof(p), &argv[i]) != 0 || !p)
			break;
		n = bpf_probe_read_user_str(arg, sizeof(arg), p);
		if (n <= 0)
			break;
		if (bpf_strncmp(arg, sizeof("--token"), "--token") == 0) {
			SUBMIT(arg, n - 1);
			break;
		}
	}
	return 0;
}
