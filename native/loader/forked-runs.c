// SPDX-License-Identifier: GPL-2.0
/*
 * Runs forked by the resident process: a run asked for on the stream socket gets a child of this
 * long-lived process, which runs exactly that run (run_lab, as `loader` does) and exits. Starting
 * a loader from Node costs a fork of the whole Node process and an exec (~20 ms, blocking
 * Node's event loop); a fork of this small process costs well under a millisecond, and the
 * child starts with libbpf, the dynamic linker and the page cache already warm.
 *
 * The child runs in the host's mount namespace, in the directory the resident process started
 * in, in a process group of its own; it dies with this process (PDEATHSIG), which dies with the
 * runner. What it writes on stdout goes straight to the connection; its stderr goes to a memfd
 * that this process sends after the child's exit, with how it exited (forked-runs.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "forked-runs.h"

/* The end of a child's stderr sent back: enough for any message of ours. */
#define STDERR_TAIL 16384
/* A client that has not sent its whole config by then gets a `fatal` line. */
#define CONFIG_TIMEOUT_S 5

static size_t cgroups_bytes(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct cgroups) + page - 1) / page * page * MAX_FORKED_RUNS;
}

int forked_runs_open(struct forked_runs *s, const char *path, int host_ns, int cwd,
		     const char *dispatcher_path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	*s = (struct forked_runs){.lfd = -1, .self = getpid(), .host_ns = host_ns, .cwd = cwd};
	for (int i = 0; i < MAX_FORKED_RUNS; i++)
		s->runs[i] = (struct forked_run){.pidfd = -1, .conn = -1, .errfd = -1};
	if (strlen(path) >= sizeof(addr.sun_path) ||
	    strlen(dispatcher_path) >= sizeof(s->dispatcher_path))
		return -ENAMETOOLONG;
	strcpy(s->dispatcher_path, dispatcher_path);
	s->cgroups = mmap(NULL, cgroups_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			  -1, 0);
	if (s->cgroups == MAP_FAILED) {
		s->cgroups = NULL;
		return -errno;
	}
	strcpy(addr.sun_path, path);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0600) ||
	    listen(s->lfd, MAX_FORKED_RUNS))
		return -errno;
	return 0;
}

static struct cgroups *cgroups_of(const struct forked_runs *s, int i)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t each = (sizeof(struct cgroups) + page - 1) / page * page;

	return (struct cgroups *)((char *)s->cgroups + each * (size_t)i);
}

static void say(int fd, const char *what, const char *message)
{
	char text[512];
	int n = snprintf(text, sizeof(text), "%s %s\n", what, message);

	send(fd, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1,
	     MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* In the child: becomes the run. Never returns. */
static void become_run(const struct forked_runs *s, int i, int conn, int errfd)
{
	char why[256];
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	struct timeval timeout = {.tv_sec = CONFIG_TIMEOUT_S};
	sigset_t none;

	/* LAB_LOADER_TIMING: the run's times count from the fork */
	phase("forked");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != s->self)
		_exit(1);
	setpgid(0, 0);
	/* as a freshly exec'd loader: default dispositions, nothing blocked */
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setns(s->host_ns, CLONE_NEWNS) || fchdir(s->cwd)) {
		snprintf(why, sizeof(why), "the child cannot leave the resident's namespace: %s",
			 strerror(errno));
		say(conn, "busy", why);
		_exit(1);
	}
	if (dup2(conn, 0) < 0 || dup2(conn, 1) < 0 ||
	    /* LAB_LOADER_TIMING: the phases go where the resident process's stderr goes */
	    (!getenv("LAB_LOADER_TIMING") && dup2(errfd, 2) < 0)) {
		say(conn, "busy", "the child cannot set up its output");
		_exit(1);
	}
	/* nothing of the resident process: its dispatcher, sockets and other runs' connections */
	syscall(SYS_close_range, 3u, ~0u, 0u);
	setsockopt(0, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	libbpf_messages_reset();
	snprintf(why, sizeof(why), "run %d\n", (int)getpid());
	if (write(1, why, strlen(why)) < 0)
		_exit(1);
	exit(run_lab(s->dispatcher_path, cgroups_of(s, i)));
}

static void start_run(struct forked_runs *s)
{
	int conn = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC), errfd, i = 0;
	pid_t pid;

	if (conn < 0)
		return;
	while (i < MAX_FORKED_RUNS && s->runs[i].pid)
		i++;
	if (i == MAX_FORKED_RUNS) {
		say(conn, "busy", "every run slot of the resident process is taken");
		close(conn);
		return;
	}
	errfd = memfd_create("loader-stderr", MFD_CLOEXEC);
	if (errfd < 0) {
		say(conn, "busy", "cannot make the run's stderr");
		close(conn);
		return;
	}
	memset(cgroups_of(s, i), 0, sizeof(struct cgroups));
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		become_run(s, i, conn, errfd);
	if (pid < 0) {
		say(conn, "busy", strerror(errno));
		close(conn);
		close(errfd);
		return;
	}
	/* the pid stays this child's until it is reaped: no race opening its pidfd */
	s->runs[i] = (struct forked_run){.pid = pid,
					 .pidfd = (int)syscall(SYS_pidfd_open, pid, 0),
					 .conn = conn,
					 .errfd = errfd};
}

static void kill_run(const struct forked_run *r)
{
	if (r->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
	/* its process group (its own once it ran setpgid), before the child is reaped */
	kill(-r->pid, SIGKILL);
}

static json_object *exit_status(const siginfo_t *info, int errfd)
{
	json_object *o = json_object_new_object();
	char *tail = malloc(STDERR_TAIL);
	struct stat st;
	ssize_t n = 0;

	if (info->si_code == CLD_EXITED) {
		json_object_object_add(o, "code", json_object_new_int(info->si_status));
		json_object_object_add(o, "signal", NULL);
	} else {
		char name[32];
		const char *abbrev = sigabbrev_np(info->si_status);

		snprintf(name, sizeof(name), "SIG%s", abbrev ? abbrev : "UNKNOWN");
		json_object_object_add(o, "code", NULL);
		json_object_object_add(o, "signal", json_object_new_string(name));
	}
	if (tail && !fstat(errfd, &st)) {
		off_t from = st.st_size > STDERR_TAIL ? st.st_size - STDERR_TAIL : 0;

		n = pread(errfd, tail, (size_t)(st.st_size - from), from);
	}
	json_object_object_add(o, "stderr", jbytes(tail ? tail : "", n > 0 ? (size_t)n : 0));
	free(tail);
	return o;
}

/*
 * The child exited: remove what it left, tell the client how it ended. It is not reaped yet: the
 * client kills by process group, so its pid must stay its own until the client has read this.
 */
static void child_exited(struct forked_runs *s, int i)
{
	struct forked_run *r = &s->runs[i];
	siginfo_t info = {0};

	while (waitid(P_PID, (id_t)r->pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	r->exited = true;
	/* a child killed mid-run left its cgroups (one that exited cleared these) */
	remove_cgroups(cgroups_of(s, i));
	if (r->conn >= 0) {
		json_object *o = exit_status(&info, r->errfd);
		const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		size_t len = strlen(text);
		char *msg = malloc(len + 2);

		/* nonblocking: a client that stopped reading loses the status, never the server */
		if (msg) {
			msg[0] = 0;
			memcpy(msg + 1, text, len);
			msg[len + 1] = '\n';
			send(r->conn, msg, len + 2, MSG_NOSIGNAL | MSG_DONTWAIT);
			free(msg);
		}
		json_object_put(o);
	}
}

/* Reaps the child and frees its slot. */
static void end_run(struct forked_runs *s, int i)
{
	struct forked_run *r = &s->runs[i];

	while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r->conn >= 0)
		close(r->conn);
	if (r->pidfd >= 0)
		close(r->pidfd);
	close(r->errfd);
	*r = (struct forked_run){.pidfd = -1, .conn = -1, .errfd = -1};
}

int forked_runs_pollfds(const struct forked_runs *s, struct pollfd *pfds)
{
	int n = 0;

	pfds[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (int i = 0; i < MAX_FORKED_RUNS; i++) {
		const struct forked_run *r = &s->runs[i];

		pfds[n++] = (struct pollfd){.fd = r->pid && !r->exited ? r->pidfd : -1, .events = POLLIN};
		/* no events asked: POLLHUP, reported anyway, is the client closing the connection */
		pfds[n++] = (struct pollfd){.fd = r->pid ? r->conn : -1};
	}
	return n;
}

void forked_runs_handle(struct forked_runs *s, const struct pollfd *pfds)
{
	for (int i = 0; i < MAX_FORKED_RUNS; i++) {
		struct forked_run *r = &s->runs[i];
		const struct pollfd *exited = &pfds[1 + 2 * i], *conn = &pfds[2 + 2 * i];

		if (!r->pid)
			continue;
		if (exited->fd >= 0 && exited->fd == r->pidfd && (exited->revents & POLLIN))
			child_exited(s, i);
		if (r->conn >= 0 && conn->fd == r->conn && (conn->revents & (POLLHUP | POLLERR))) {
			if (!r->exited)
				kill_run(r);
			close(r->conn);
			r->conn = -1;
		}
		/* exited and its client gone (or never to read the status): nothing holds its pid */
		if (r->exited && r->conn < 0)
			end_run(s, i);
	}
	if (pfds[0].revents & POLLIN)
		start_run(s);
}

void forked_runs_close(struct forked_runs *s)
{
	for (int i = 0; i < MAX_FORKED_RUNS; i++)
		if (s->runs[i].pid) {
			if (!s->runs[i].exited) {
				kill_run(&s->runs[i]);
				/* no one to tell: the connection closes with this process */
				close(s->runs[i].conn);
				s->runs[i].conn = -1;
				child_exited(s, i);
			}
			end_run(s, i);
		}
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->cgroups)
		munmap(s->cgroups, cgroups_bytes());
}
