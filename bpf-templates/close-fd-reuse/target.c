// Target of close-fd-reuse. argv[1] names the scenario.
//   reuse:           password read and closed; notes.txt then opened, getting the same fd back
//   close-then-exit: password read and closed; nothing else
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void read_once(int fd)
{
	char buf[256];

	memset(buf, 0, sizeof(buf));
	read(fd, buf, sizeof(buf));
}

int main(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : "reuse";
	int p = open("/tmp/password", O_RDONLY);

	read_once(p);
	close(p);
	if (!strcmp(s, "reuse")) {
		/* the lowest free fd is handed out: the one the password just gave back */
		int n = open("/tmp/notes.txt", O_RDONLY);
		read_once(n);
		close(n);
	}
	return 0;
}
