// Target of syscall-string: reads a name from /tmp/name, creates /tmp/<name>.log (the only
// open with O_CREAT), and opens /tmp/readme.txt read-only on the way.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char name[64] = { 0 };
	char path[128];
	int fd = open("/tmp/name", O_RDONLY);

	if (fd < 0 || read(fd, name, sizeof(name) - 1) <= 0)
		return 1;
	name[strcspn(name, "\n")] = 0;
	int r = open("/tmp/readme.txt", O_RDONLY);
	snprintf(path, sizeof(path), "/tmp/%s.log", name);
	int w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (w < 0)
		return 1;
	write(w, "started\n", 8);
	(void)r;
	return 0;
}
