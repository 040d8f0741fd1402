// SPDX-License-Identifier: GPL-2.0
/*
 * The resident process: one for the whole lab, started by the runner. It keeps the dispatcher
 * loaded and attached to every hook a run has needed, and slots each run in and out through
 * maps, so a run pays no dispatcher load, attach or detach; and it forks a child for each run
 * asked for on its run socket (forked-runs.c), so a run pays no process start from Node. The
 * child still loads and checks the student's programs, runs the target and reports. Everything
 * goes with this process: its links, programs and maps are its fds, its children die with it,
 * and the runner kills it with the lab.
 *
 * Its sockets are in a tmpfs of its own mount namespace, mounted on /tmp there, which the lab
 * reaches through /proc/PID/root/tmp: nothing of it is on the host's file system, so nothing is
 * left when it dies, however it dies, and only root can reach them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "forked-runs.h"
#include "host.h"
#include "resident.h"

#define MAX_CLIENTS (2 * DISP_RUNS)
/* where the sockets are, in this process's own mount namespace */
#define SOCKET_DIR "/tmp"
#define DISPATCHER_SOCKET "dispatcher.sock"
#define RUNS_SOCKET "runs.sock"

struct client {
	int fd;
	int slot; /* -1 until registered */
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig) { stopping = sig; }

/* One message and the fds that came with it (closed by the caller). */
static ssize_t receive(int fd, struct resident_request *req, int *fds, int *nfds)
{
	char control[CMSG_SPACE(sizeof(int) * DISP_SLOTS)];
	struct iovec iov = {.iov_base = req, .iov_len = sizeof(*req)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			     .msg_controllen = sizeof(control)};
	ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

	*nfds = 0;
	if (n <= 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			memcpy(fds + *nfds, CMSG_DATA(c), sizeof(int) * (size_t)k);
			*nfds += k;
		}
	return msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC) ? -EMSGSIZE : n;
}

/* A reply, lending nfds fds (the kernel check's events, lent_checks saying whose). */
static void reply_with(int fd, int err, int hook, int instance, const char *message,
		       uint64_t lent_checks, const int *fds, int nfds)
{
	struct resident_reply r = {
		.err = err, .hook = hook, .instance = instance, .lent_checks = lent_checks};
	char control[CMSG_SPACE(sizeof(int) * MAX_HOOKS)] = {0};
	struct iovec iov = {.iov_base = &r, .iov_len = sizeof(r)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

	snprintf(r.message, sizeof(r.message), "%s", message ? message : "");
	put_fds(&msg, control, fds, nfds);
	sendmsg(fd, &msg, MSG_NOSIGNAL);
}

static void reply(int fd, int err, int hook, int instance, const char *message)
{
	reply_with(fd, err, hook, instance, message, 0, NULL, 0);
}

/*
 * The kernel check's perf events (kernel-check.c), one per hook of the dispatcher's that a
 * run's programs were on, opened once and lent to every later run on the hook: a run then opens
 * none and, above all, closes none (closing an event that holds a program waits ~10 ms for the
 * kernel, and costs CPU). Each event's canary was refused when it was opened. -1: none yet.
 */
static struct {
	int holder, canary;
	int events[DISP_HOOKS];
} checks;

static void checks_init(void)
{
	checks.holder = checks.canary = -1;
	for (int i = 0; i < DISP_HOOKS; i++)
		checks.events[i] = -1;
}

/* The held event of the dispatcher's hook id (described as want), or -1 when it cannot be had. */
static int check_event_of(int id, const struct hook *want)
{
	if (checks.events[id] >= 0)
		return checks.events[id];
	if (checks.holder < 0 && load_check_programs(&checks.holder, &checks.canary))
		return -1;
	int fd = open_check_event(want, checks.holder, checks.canary);
	if (fd >= 0)
		checks.events[id] = fd;
	return fd;
}

static bool valid_hook_run(const struct resident_hook *rh)
{
	const struct disp_hook_run *hr = &rh->run;

	if (hr->hook >= MAX_HOOKS || hr->nprogs > DISP_INSTANCES || rh->instances < 1 ||
	    rh->instances > DISP_INSTANCES || memchr(rh->cat, 0, sizeof(rh->cat)) == NULL ||
	    memchr(rh->name, 0, sizeof(rh->name)) == NULL)
		return false;
	for (uint32_t i = 0; i < hr->nprogs; i++)
		if (hr->slot[i] >= DISP_SLOTS)
			return false;
	return true;
}

static void do_register(struct disp_host *host, struct client *c, struct resident_request *req,
			int ring_fd, int lost_fd)
{
	char msg[512];
	int slot, err, lent[MAX_HOOKS], nlent = 0;
	uint64_t lent_checks = 0;

	if (c->slot >= 0 || req->count > MAX_HOOKS || ring_fd < 0 || lost_fd < 0)
		return reply(c->fd, -EINVAL, -1, -1, "malformed registration");
	if ((slot = host_add_run(host)) < 0)
		return reply(c->fd, slot, -1, -1, "every run slot of the resident dispatcher is taken");
	c->slot = slot;
	for (uint32_t h = 0; h < req->count; h++) {
		struct resident_hook *rh = &req->hooks[h];
		struct hook want;
		int failed, id;

		if (!valid_hook_run(rh))
			return reply(c->fd, -EINVAL, (int)h, -1, "malformed hook");
		/* the shape comes from this process's own reading of tracefs */
		if ((err = describe_hook(&want, rh->cat, rh->name, msg, sizeof(msg))) < 0)
			return reply(c->fd, err, (int)h, -1, msg);
		if ((id = host_hook(host, &want, rh->instances, &failed, msg, sizeof(msg))) < 0)
			return reply(c->fd, id, (int)h, failed, msg);
		if ((err = host_set_hook_run(host, slot, id, &rh->run)))
			return reply(c->fd, err, -1, -1, "cannot write the run's hooks");
		/* the loader opens (and reports the failure of) any event not lent here */
		if (rh->run.nprogs > 0 && (lent[nlent] = check_event_of(id, &want)) >= 0) {
			nlent++;
			lent_checks |= 1ull << h;
		}
	}
	if ((err = host_set_ring(host, slot, ring_fd, lost_fd)) ||
	    (err = host_show_run(host, slot, req->cgroup)))
		return reply(c->fd, err, -1, -1, "cannot slot the run in");
	reply_with(c->fd, 0, -1, -1, NULL, lent_checks, lent, nlent);
}

static void handle(struct disp_host *host, struct client *c)
{
	static struct resident_request req;
	int fds[DISP_SLOTS], nfds, err;
	ssize_t n = receive(c->fd, &req, fds, &nfds);

	if (n <= 0 || n < (ssize_t)offsetof(struct resident_request, hooks)) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		host_end_run(host, c->slot);
		close(c->fd);
		c->fd = -1;
		return;
	}
	if (req.op == RESIDENT_REGISTER) {
		do_register(host, c, &req, nfds == 2 ? fds[0] : -1, nfds == 2 ? fds[1] : -1);
	} else if (req.op == RESIDENT_ARM && c->slot >= 0 && (int)req.count == nfds) {
		err = host_arm(host, c->slot, nfds, fds);
		reply(c->fd, err, -1, -1, err ? "cannot fill the prog array" : NULL);
	} else if (req.op == RESIDENT_CLEAR_PATHS && c->slot >= 0) {
		host_clear_paths(host, c->slot);
		reply(c->fd, 0, -1, -1, NULL);
	} else {
		reply(c->fd, -EINVAL, -1, -1, "unexpected request");
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
}

static int listen_on(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(addr.sun_path))
		return -1;
	strcpy(addr.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0600) ||
	    listen(fd, MAX_CLIENTS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A mount namespace of this process's own, with a fresh tmpfs on SOCKET_DIR; fds of the host's
 * namespace and of the working directory are kept for the forked runs. 0 or -errno.
 */
static int own_socket_dir(int *host_ns, int *cwd)
{
	*host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	*cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*host_ns < 0 || *cwd < 0 || unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("lab-resident", SOCKET_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700,size=64k"))
		return -errno;
	return 0;
}

int resident_main(void)
{
	static struct disp_host host;
	static struct forked_runs runs;
	struct client clients[MAX_CLIENTS];
	struct sigaction sa = {.sa_handler = on_stop};
	char outside[64], dispatcher_path[108];
	int lfd, err, host_ns, cwd;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	ensure_tracefs();
	if ((err = own_socket_dir(&host_ns, &cwd))) {
		fprintf(stderr, "cannot make the socket directory: %s\n", strerror(-err));
		return 1;
	}
	/* one openat path per thread of every run: each run's pids limit is far below 1024 */
	if ((err = host_open(&host, DISP_RUNS, DISP_RUNS * 1024, NULL, 0))) {
		size_t len;
		const char *msgs = libbpf_messages(&len);

		fprintf(stderr, "cannot load the dispatcher: %s %.*s\n", strerror(-err), (int)len, msgs);
		return 1;
	}
	snprintf(outside, sizeof(outside), "/proc/%d/root" SOCKET_DIR, (int)getpid());
	snprintf(dispatcher_path, sizeof(dispatcher_path), "%s/" DISPATCHER_SOCKET, outside);
	if ((lfd = listen_on(SOCKET_DIR "/" DISPATCHER_SOCKET)) < 0) {
		fprintf(stderr, "cannot listen in %s: %s\n", SOCKET_DIR, strerror(errno));
		host_close(&host);
		return 1;
	}
	if ((err = forked_runs_open(&runs, SOCKET_DIR "/" RUNS_SOCKET, host_ns, cwd,
				    dispatcher_path))) {
		fprintf(stderr, "cannot listen in %s: %s\n", SOCKET_DIR, strerror(-err));
		forked_runs_close(&runs);
		host_close(&host);
		return 1;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i] = (struct client){.fd = -1, .slot = -1};
	checks_init();
	printf("ready %s\n", outside);
	fflush(stdout);
	while (!stopping) {
		struct pollfd pfds[1 + MAX_CLIENTS + 1 + 2 * MAX_FORKED_RUNS] = {
			{.fd = lfd, .events = POLLIN}};
		struct pollfd *forked = &pfds[1 + MAX_CLIENTS];
		int n;

		for (int i = 0; i < MAX_CLIENTS; i++)
			pfds[i + 1] = (struct pollfd){.fd = clients[i].fd, .events = POLLIN};
		n = 1 + MAX_CLIENTS + forked_runs_pollfds(&runs, forked);
		if (poll(pfds, (nfds_t)n, -1) < 0)
			continue;
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0 && pfds[i + 1].revents)
				handle(&host, &clients[i]);
		if (pfds[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			int i = 0;

			while (i < MAX_CLIENTS && clients[i].fd >= 0)
				i++;
			if (fd >= 0 && i < MAX_CLIENTS)
				clients[i] = (struct client){.fd = fd, .slot = -1};
			else if (fd >= 0)
				close(fd);
		}
		forked_runs_handle(&runs, forked);
	}
	forked_runs_close(&runs);
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			host_end_run(&host, clients[i].slot);
	host_close(&host);
	return 0;
}
