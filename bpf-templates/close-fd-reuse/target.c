// Target of close-fd-reuse. argv[1] names the scenario.
//   reuse:           password read and closed; notes.txt then opened, getting the same fd back
//   close-then-exit: password read and closed; nothing else
//   dup2-over:       password read; notes.txt then dup2()'d onto the password's fd and read
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/*
 * Copies a path to the stack before passing it to open(). A string literal sits in a page of
 * the binary that may not be loaded yet when open() is called; the kernel can fault it in, but
 * a tracing program cannot (bpf_probe_read_user_str just fails). Copying touches the page in
 * user space first, and the stack copy is resident.
 */
static int open_path(const char *literal, int flags)
{
	char path[64];

	strncpy(path, literal, sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	return open(path, flags);
}

static void read_once(int fd)
{
	char buf[256];

	memset(buf, 0, sizeof(buf));
	read(fd, buf, sizeof(buf));
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "reuse";
	int p = open_path("/tmp/password", O_RDONLY);

	if (!strcmp(s, "dup2-over")) {
		read_once(p);
		int n = open_path("/tmp/notes.txt", O_RDONLY);
		/* dup2 closes p first: from now on p's number names notes.txt */
		dup2(n, p);
		read_once(p);
		return 0;
	}
	read_once(p);
	close(p);
	if (!strcmp(s, "reuse")) {
		/* the lowest free fd is handed out: the one the password just gave back */
		int n = open_path("/tmp/notes.txt", O_RDONLY);
		read_once(n);
		close(n);
	}
	return 0;
}
