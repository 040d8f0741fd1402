// Target of shared-map: derives two exit codes from /tmp/seed, then starts two children:
// one runs `/bin/sh -c "exit <code>"`, the other exits with a different code without running
// any program. It prints the code sh exited with (the grader reads it; the student cannot).
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_code(pid_t pid)
{
	int status = 0;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int main(void)
{
	char seed[64] = { 0 };
	char cmd[32];
	unsigned sum = 0;
	int fd = open("/tmp/seed", O_RDONLY);

	if (fd < 0 || read(fd, seed, sizeof(seed) - 1) <= 0)
		return 1;
	for (size_t i = 0; seed[i]; i++)
		sum = sum * 31 + (unsigned char)seed[i];
	int code = 1 + sum % 200;
	int other = 1 + (code + 23) % 200;

	pid_t quiet = fork();
	if (quiet == 0)
		_exit(other);
	wait_code(quiet);

	snprintf(cmd, sizeof(cmd), "exit %d", code);
	pid_t sh = fork();
	if (sh == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	printf("sh exited with %d\n", wait_code(sh));
	return 0;
}
