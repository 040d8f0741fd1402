/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Runs forked by the resident process (forked-runs.c). A run is one connection to its stream
 * socket:
 *
 *   client -> the run's `LoaderConfig` as JSON, then end of its writing half (EOF)
 *   server -> "run PID\n"         a child (process group PID) now runs exactly this run; then
 *             the JSON lines of `loader` on stdout, as they come; then, once the child exited,
 *             one NUL byte and {"code":N|null,"signal":"SIGKILL"|null,"stderr":"..."} on one
 *             line
 *   server -> "busy MESSAGE\n"    no child was started: run the loader some other way
 *
 * The client closes the connection once it has the status line. Until then the child stays
 * unreaped, so its pid (and its process group, which the client may kill) cannot be another
 * process's. Closing the connection before the child exited kills it, and what it left of the
 * run's cgroups is removed.
 */
#ifndef LAB_FORKED_RUNS_H
#define LAB_FORKED_RUNS_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#include "loader.h"

#define MAX_FORKED_RUNS 32

struct forked_run {
	pid_t pid; /* 0: the slot is free */
	int pidfd;
	int conn;  /* -1 once the client went away */
	int errfd; /* the child's stderr, a memfd read back when it exits */
	bool exited; /* its status sent; reaped once the client closes the connection */
};

struct forked_runs {
	int lfd;
	pid_t self;
	/* the mount namespace and directory the resident process started in, for its children */
	int host_ns, cwd;
	/* the resident dispatcher's socket, as the children (in the host's namespace) reach it */
	char dispatcher_path[108];
	/* one page per slot, shared with the child: the run's cgroups, for a killed child */
	struct cgroups *cgroups;
	struct forked_run runs[MAX_FORKED_RUNS];
};

/* One run from its config on stdin (main.c); shared_cg, when set, mirrors the run's cgroups. */
int run_lab(const char *resident_path, struct cgroups *shared_cg);

/*
 * Listens on path (in the resident's own namespace); host_ns and cwd are fds of the host's
 * mount namespace and of the directory to run in. 0 or -errno.
 */
int forked_runs_open(struct forked_runs *s, const char *path, int host_ns, int cwd,
		     const char *dispatcher_path);
/* The fds to poll, written to pfds (room for 1 + 2 * MAX_FORKED_RUNS); how many. */
int forked_runs_pollfds(const struct forked_runs *s, struct pollfd *pfds);
/* Handles what poll() reported on the fds forked_runs_pollfds() gave. */
void forked_runs_handle(struct forked_runs *s, const struct pollfd *pfds);
/* Kills every child still running and removes what it left. */
void forked_runs_close(struct forked_runs *s);

#endif
