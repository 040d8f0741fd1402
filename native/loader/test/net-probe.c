// Test target for the run's own network: says which interfaces it sees and which network
// namespace it is in, tries to reach services of the host (a TCP listener and a UDP socket on
// the host's 127.0.0.1, and another of the host's addresses), then pushes a volume of traffic
// over its own loopback. Usage: net-probe TCP_PORT UDP_PORT OTHER_ADDR MEGABYTES [SLEEP_MS]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static struct sockaddr_in address(const char *ip, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};

	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static void try_tcp(const char *label, const char *ip, int port)
{
	struct sockaddr_in a = address(ip, port);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
		printf("%s connected\n", label);
	else
		printf("%s %s\n", label, strerrorname_np(errno));
	close(s);
}

/* UDP over our own loopback: a receiver and a sender, `mb` megabytes in 32 KiB datagrams. */
static long loopback_traffic(int mb)
{
	struct sockaddr_in a = address("127.0.0.1", 0);
	socklen_t len = sizeof(a);
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	static char buf[32768];
	long got = 0;

	if (bind(rx, (struct sockaddr *)&a, sizeof(a)) || getsockname(rx, (struct sockaddr *)&a, &len))
		return -1;
	for (long sent = 0; sent < (long)mb << 20; sent += sizeof(buf)) {
		if (sendto(tx, buf, sizeof(buf), 0, (struct sockaddr *)&a, sizeof(a)) < 0)
			return -1;
		ssize_t n = recv(rx, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		got += n;
	}
	return got;
}

int main(int argc, char **argv)
{
	char line[512];
	struct stat st;
	FILE *f;

	if (argc < 5)
		return 2;
	if (stat("/proc/self/ns/net", &st) == 0)
		printf("netns %lu\n", (unsigned long)st.st_ino);
	/* /proc/self/net/dev lists the interfaces of the reader's own namespace */
	f = fopen("/proc/self/net/dev", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		char *name = line;

		if (!colon)
			continue;
		*colon = 0;
		while (*name == ' ')
			name++;
		printf("interface %s\n", name);
	}
	if (f)
		fclose(f);
	try_tcp("host-tcp", "127.0.0.1", atoi(argv[1]));
	{
		struct sockaddr_in a = address("127.0.0.1", atoi(argv[2]));
		int s = socket(AF_INET, SOCK_DGRAM, 0);

		sendto(s, "hello host", 10, 0, (struct sockaddr *)&a, sizeof(a));
		close(s);
	}
	try_tcp("other-address", argv[3], atoi(argv[1]));
	printf("loopback bytes %ld\n", loopback_traffic(atoi(argv[4])));
	fflush(stdout);
	if (argc > 5)
		usleep((useconds_t)atoi(argv[5]) * 1000);
	return 0;
}
