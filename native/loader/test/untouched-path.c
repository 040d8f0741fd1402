// Test target: opens a file whose name lives in a page the process has never touched, the case
// where a BPF program cannot read the path at sys_enter_openat (it cannot fault pages in) but
// can at sys_exit_openat (the kernel faulted the page in to copy the path).
//
// The name sits at the start of its own 64 KiB-aligned, 64 KiB-long object in a section of its
// own: on a read fault the kernel also maps the neighbours of the faulting page ("fault-around",
// 64 KiB aligned windows), so the name must share no such window with anything the target reads.
// Nothing here reads it: only its address is passed to open().
//
// Usage: untouched-path [CHILDREN]  each of CHILDREN forked children (one after the other, each a
// new thread id) opens the file once and exits, then the parent opens it (children first: a child
// would inherit a page the parent had faulted in).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((section(".untouched_path"), aligned(65536), used))
static const char untouched_path[65536] = "/tmp/untouched.txt";

static int open_once(void)
{
	char buf[64];
	int fd = open(untouched_path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int children = argc > 1 ? atoi(argv[1]) : 0, failed = 0;

	for (int i = 0; i < children; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0)
			_exit(open_once() < 0);
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	failed += open_once() < 0;
	printf("opened %d times, %d failed\n", 1 + children, failed);
	return failed != 0;
}
