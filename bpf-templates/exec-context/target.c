// Target of exec-context: starts two short-lived programs, one after the other:
// /bin/false first, then /bin/true. Each runs in a child process created with fork().
#include <sys/wait.h>
#include <unistd.h>

static void run(const char *path, const char *name)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int main(void)
{
	run("/bin/false", "false");
	run("/bin/true", "true");
	return 0;
}
