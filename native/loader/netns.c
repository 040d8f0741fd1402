/*
 * A network namespace of the run's own. An exercise that declares "network": "private" has its
 * target started in a fresh namespace holding one interface, loopback, brought up here. Whatever
 * the target sends (a DNS query, an HTTP request with a password in it) then stays inside the
 * run, and its ports can neither clash with the host's nor reach a service of the host.
 *
 * The loader's child enters it before it joins the run's cgroup, so the student's programs and
 * the ground truth never see this set-up (the socket and ioctl below would otherwise show up as
 * the target's own calls). The namespace has no name under /run/netns: it lives exactly as long
 * as the processes in it, so killing the run's cgroup removes it, even when the loader itself
 * was killed.
 */
#define _GNU_SOURCE
#include "netns.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int enter_private_network(char *err, size_t errlen)
{
	struct ifreq ifr;
	int s;

	if (unshare(CLONE_NEWNET)) {
		snprintf(err, errlen, "unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	/* a new namespace's loopback exists but is down: 127.0.0.1 answers nothing until it is up */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		snprintf(err, errlen, "socket in the run's network namespace: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr))) {
		snprintf(err, errlen, "bringing up loopback in the run's network namespace: %s",
			 strerror(errno));
		close(s);
		return -1;
	}
	close(s);
	return 0;
}
