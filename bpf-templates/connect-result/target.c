// Target of connect-result: listens on a port the kernel picks, finds two ports nobody listens
// on, and connects to all three over loopback. Only one connect() succeeds. It prints the
// listening port (the grader reads it; the student's programs cannot).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int bound_socket(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0; /* any free port */
	if (s < 0 || bind(s, (struct sockaddr *)addr, sizeof(*addr)) != 0 ||
	    getsockname(s, (struct sockaddr *)addr, &len) != 0)
		return -1;
	return s;
}

static void try_connect(const struct sockaddr_in *addr)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	connect(s, (const struct sockaddr *)addr, sizeof(*addr));
	close(s);
}

int main(void)
{
	struct sockaddr_in live, dead1, dead2;
	int l = bound_socket(&live);

	if (l < 0 || listen(l, 4) != 0)
		return 1;
	/* bound then closed: nobody listens there, so connecting is refused */
	close(bound_socket(&dead1));
	close(bound_socket(&dead2));
	try_connect(&dead1);
	try_connect(&live);
	try_connect(&dead2);
	printf("listening on port %d\n", ntohs(live.sin_port));
	return 0;
}
