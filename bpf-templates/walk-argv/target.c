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
		execl("/bin/true", "true", "--user", "alice", "--token", token, "--retries", "3", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return 0;
}
