// Target of walk-argv: reads a token from /tmp/token and runs
//   /bin/true --user alice --token <token> --retries 3
// in a child process, the way a script would pass a secret on a command line.
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	char token[64] = { 0 };
	int fd = open("/tmp/token", O_RDONLY);

	if (fd < 0 || read(fd, token, sizeof(token) - 1) <= 0)
		return 1;
	token[strcspn(token, "\n")] = 0;
	pid_t pid = fork();
	if (pid == 0) {
		/*
		 * Arguments on the stack, not literals: a literal's page may not be loaded yet at
		 * execve() entry, and a tracing program cannot fault it in (its read just fails).
		 */
		char a0[] = "true", a1[] = "--user", a2[] = "alice", a3[] = "--token", a5[] = "--retries", a6[] = "3";
		char *argv[] = { a0, a1, a2, a3, token, a5, a6, NULL };

		execv("/bin/true", argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return 0;
}
