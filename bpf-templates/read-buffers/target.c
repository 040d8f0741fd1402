// Target of read-buffers: reads /tmp/noise.txt, then reads a message from its standard input
// (fd 0), which it first points at /tmp/message, as a shell would for `target < /tmp/message`.
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char buf[128];
	int in = open("/tmp/message", O_RDONLY);

	if (in < 0 || dup2(in, 0) != 0)
		return 1;
	close(in);
	int noise = open("/tmp/noise.txt", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	read(noise, buf, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	if (read(0, buf, sizeof(buf)) <= 0)
		return 1;
	return 0;
}
