// Watches for the loader's set-up of a target: the mount namespace, the private /tmp, the planted
// files, the redirections and the cwd. The test target makes none of these calls, so any number
// but 7 this submits is set-up the run's programs should never have seen (1 unshare, 2 mount,
// 3 a file created, 4 chdir, 5 dup2, 6 close_range). 7 is each read of the target: the programs
// did run.
#include "lab.h"

#define O_CREAT 0100

SEC("tp/syscalls/sys_enter_unshare")
int enter_unshare(void *ctx)
{
	SUBMIT_NUM(1);
	return 0;
}

SEC("tp/syscalls/sys_enter_mount")
int enter_mount(void *ctx)
{
	SUBMIT_NUM(2);
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[2] & O_CREAT)
		SUBMIT_NUM(3);
	return 0;
}

SEC("tp/syscalls/sys_enter_chdir")
int enter_chdir(void *ctx)
{
	SUBMIT_NUM(4);
	return 0;
}

SEC("tp/syscalls/sys_enter_dup2")
int enter_dup2(void *ctx)
{
	SUBMIT_NUM(5);
	return 0;
}

SEC("tp/syscalls/sys_enter_close_range")
int enter_close_range(void *ctx)
{
	SUBMIT_NUM(6);
	return 0;
}

SEC("tp/syscalls/sys_enter_read")
int enter_read(void *ctx)
{
	SUBMIT_NUM(7);
	return 0;
}
