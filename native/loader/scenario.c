// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios: the target run once per scenario, in the run's cgroups and a private /tmp
 * holding the scenario's planted files, watched until it exits or its wall time is up; then its
 * exit and output, and the student's maps (dumped, then cleared for the next scenario).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loader.h"
#include "netns.h"

/*
 * LAB_LOADER_TIMING: the child's steps, timed in the child (a page shared with the loader) and
 * printed by the loader once the target runs.
 */
enum child_step {
	CS_FORKED, CS_DIR, CS_UNSHARE, CS_PRIVATE, CS_TMPFS, CS_NET, CS_PLANTED, CS_FDS, CS_GO,
	CS_JOIN_MEM, CS_JOIN_PIDS, CS_JOIN_V2, CS_EXEC, CS_N
};
static const char *const child_step_name[CS_N] = {
	"   child: forked",	 "   child: target dir opened", "   child: unshare(NEWNS)",
	"   child: / private",	 "   child: tmpfs mounted",	   "   child: network",
	"   child: files planted", "   child: fds",		   "   child: released",
	"   child: joined memory", "   child: joined pids",	   "   child: joined v2",
	"   child: execveat"};
static uint64_t *child_clock;

static void child_step(enum child_step s)
{
	if (child_clock)
		child_clock[s] = now_ns();
}

/* On-CPU time of a task in ms (its schedstat), for LAB_LOADER_TIMING. */
static double cpu_ms(pid_t pid)
{
	char path[64], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return (double)strtoull(buf, NULL, 10) / 1e6;
}

static void print_child_steps(void)
{
	if (!child_clock)
		return;
	for (int i = 0; i < CS_N; i++)
		if (child_clock[i])
			phase_at(child_step_name[i], child_clock[i]);
	memset(child_clock, 0, sizeof(uint64_t) * CS_N);
}

/*
 * In the child: the scenario's mounts and files; then, once released (go_r, or at once when it is
 * -1), the run's cgroups and the target, with the signal mask set back to mask (when not NULL).
 * Never returns.
 */
static void plant_and_exec(const struct run *run, const struct scenario *sc, pid_t parent,
			   int out_w, int err_w, int status_w, int go_r, const sigset_t *mask)
{
	char pid[32], dir_path[PATH_MAX];
	const char *name;
	int fd, target_dir;

	child_step(CS_FORKED);
	/* a loader that died before the prctl is not there to release us: never run then */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(126);
	setpgid(0, 0);
#define FAIL(...)                                                                          \
	do {                                                                               \
		dprintf(status_w, __VA_ARGS__);                                            \
		_exit(126);                                                                \
	} while (0)
	/*
	 * The target's directory is opened before /tmp is replaced, and the target run through it
	 * with execveat: a checkout under /tmp (CI clones go there) is hidden by the private tmpfs.
	 * Through its directory rather than fexecve, so the target's comm stays its file name (an
	 * empty-path execveat names it after the fd number on older kernels).
	 */
	name = strrchr(sc->target, '/');
	if (name) {
		/* "/target" keeps its "/" */
		int len = name == sc->target ? 1 : (int)(name - sc->target);
		snprintf(dir_path, sizeof(dir_path), "%.*s", len, sc->target);
		name++;
	} else {
		snprintf(dir_path, sizeof(dir_path), ".");
		name = sc->target;
	}
	target_dir = open(dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target_dir < 0)
		FAIL("cannot open the target's directory %s: %s", dir_path, strerror(errno));
	child_step(CS_DIR);
	if (unshare(CLONE_NEWNS))
		FAIL("unshare(CLONE_NEWNS): %s", strerror(errno));
	child_step(CS_UNSHARE);
	/* private propagation: nothing mounted here leaks back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		FAIL("making / private: %s", strerror(errno));
	child_step(CS_PRIVATE);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777"))
		FAIL("mounting tmpfs on /tmp: %s", strerror(errno));
	child_step(CS_TMPFS);
	if (sc->private_network && enter_private_network(dir_path, sizeof(dir_path)))
		FAIL("%s", dir_path);
	child_step(CS_NET);
	for (int i = 0; i < sc->nfiles; i++) {
		const struct file_spec *f = &sc->files[i];
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", f->path);
		*strrchr(dir, '/') = 0;
		if (mkdir_p(dir, 0755))
			FAIL("creating %s: %s", dir, strerror(errno));
		fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, f->mode);
		if (fd < 0 || write(fd, f->data, f->len) != (ssize_t)f->len)
			FAIL("planting %s: %s", f->path, strerror(errno));
		fchmod(fd, (mode_t)f->mode);
		close(fd);
	}
	child_step(CS_PLANTED);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		FAIL("redirecting the target's output: %s", strerror(errno));
	/*
	 * The target must inherit none of the loader's BPF or pipe fds: all close at exec (the
	 * status pipe, the target's directory and the uprobes' hold pipe are in use until then).
	 */
	if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC))
		for (int i = 3; i < 1024; i++)
			if (i != status_w && i != target_dir && i != go_r)
				close(i);
	if (chdir("/tmp"))
		FAIL("chdir /tmp: %s", strerror(errno));
	child_step(CS_FDS);
	/*
	 * Held, outside the run's cgroups, until the loader has attached the uprobes to this pid
	 * (it writes a byte): the programs and the ground truth never see the wait. End-of-file
	 * without the byte means the loader is gone or gave up on this scenario: the target never
	 * runs.
	 */
	char go;
	ssize_t got = 1;
	while (go_r >= 0 && (got = read(go_r, &go, 1)) < 0 && errno == EINTR)
		;
	if (got != 1)
		_exit(126);
	child_step(CS_GO);
	/*
	 * Only now does the target become visible to the programs: v2 last, so the programs and
	 * the ground truth see as little of this set-up as possible.
	 */
	snprintf(pid, sizeof(pid), "%d", getpid());
	join_cgroup(run->cg.mem, pid, status_w);
	child_step(CS_JOIN_MEM);
	join_cgroup(run->cg.pids, pid, status_w);
	child_step(CS_JOIN_PIDS);
	join_cgroup(run->cg.v2, pid, status_w);
	child_step(CS_JOIN_V2);
	/*
	 * A fixed environment, never the loader's: the student's programs can read the target's
	 * memory, its environment included, and the server's may hold secrets (a database URL).
	 */
	static char *const target_env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp",
					   "LANG=C.UTF-8", NULL};
	child_step(CS_EXEC);
	if (mask)
		sigprocmask(SIG_SETMASK, mask, NULL);
	execveat(target_dir, name, (char *const *)sc->argv, target_env, 0);
	FAIL("cannot run the target %s: %s", sc->target, strerror(errno));
#undef FAIL
}

/* The target's stdout or stderr, kept up to limits.maxOutputBytes. */
struct capture {
	int fd;
	char *buf;
	size_t len;
	bool truncated;
	const char *name;
};

static void drain_pipe(struct run *run, struct capture *c)
{
	char tmp[4096];
	ssize_t n;

	while (c->fd >= 0 && (n = read(c->fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break;
		}
		size_t room = (size_t)run->cfg.max_output - c->len;
		size_t keep = (size_t)n < room ? (size_t)n : room;
		memcpy(c->buf + c->len, tmp, keep);
		c->len += keep;
		if (keep < (size_t)n && !c->truncated) {
			c->truncated = true;
			emit_limit(run->cur->id, "output",
				   "the target wrote more than %lld bytes to %s in scenario %s; the rest was "
				   "dropped",
				   run->cfg.max_output, c->name, run->cur->id);
		}
	}
	close(c->fd);
	c->fd = -1;
}

/*
 * A scenario's child, forked and setting itself up (namespace, /tmp, files), held before it joins
 * the run's cgroups until the loader releases it.
 *
 * Preparing the next scenario's child while the current target runs was tried and measured
 * (LAB_LOADER_TIMING, at load 11-14 on 2 cores): the set-up it moves off the path between two
 * targets is ~1 ms of the child's CPU, the loader used 0.3-1.2 ms more CPU per scenario in every
 * A/B pair, and whole runs were no faster. So each child is forked when its scenario starts.
 */
struct prepared {
	const struct scenario *sc; /* NULL: nothing prepared */
	pid_t pid;
	int out_r, err_r, status_r, go_w;
};

static void close_pipes(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Without uprobes the child need not be held, and is made as posix_spawn makes its children:
 * sharing the loader's memory (CLONE_VM) while the loader waits (CLONE_VFORK) until it execs or
 * exits. Nothing is copied, no page is faulted in twice, and exec has no copy of the loader's
 * memory to tear down: measured here, a fork of the loader cost each scenario ~2.5 ms of the
 * child's CPU and ~1.4 ms of the loader's.
 * The child runs on a stack of its own with every signal blocked (no loader handler may run on
 * the loader's memory in it); it allocates nothing but on its error path (a message, then
 * _exit), while the loader is stopped.
 */
static char spawn_stack[128 * 1024] __attribute__((aligned(16)));

struct spawn {
	struct run *run;
	const struct scenario *sc;
	pid_t parent;
	int out_w, err_w, status_w;
	sigset_t mask; /* the loader's, for the target */
};

static int spawned_child(void *arg)
{
	struct spawn *a = arg;
	struct sigaction dfl = {.sa_handler = SIG_DFL}, cur;

	for (int sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &cur) == 0 && cur.sa_handler != SIG_DFL &&
		    cur.sa_handler != SIG_IGN)
			sigaction(sig, &dfl, NULL);
	plant_and_exec(a->run, a->sc, a->parent, a->out_w, a->err_w, a->status_w, -1, &a->mask);
	return 126;
}

/*
 * Starts sc's child into *p: held before it joins the run's cgroups when the run has uprobes (they
 * are attached to its pid first), else already exec'd or failed on return. -1 with errno (pipe,
 * fork or clone) when it could not.
 */
static int prepare_child(struct run *run, const struct scenario *sc, struct prepared *p)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1}, go[2] = {-1, -1};
	bool hold = run->nuprobes > 0;

	if (timing_on() && !child_clock) {
		child_clock = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				   -1, 0);
		if (child_clock == MAP_FAILED)
			child_clock = NULL;
	}
	pid_t parent = getpid(), child = -1;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(status, O_CLOEXEC) ||
	    (hold && pipe2(go, O_CLOEXEC)))
		goto fail;
	if (hold) {
		child = fork();
		if (child == 0) {
			close(out[0]);
			close(err[0]);
			close(status[0]);
			close(go[1]);
			plant_and_exec(run, sc, parent, out[1], err[1], status[1], go[0], NULL);
		}
	} else {
		struct spawn a = {.run = run, .sc = sc, .parent = parent, .out_w = out[1],
				  .err_w = err[1], .status_w = status[1]};
		sigset_t all;

		/* the child's copies of the read ends close at its exec (O_CLOEXEC) */
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &a.mask);
		child = clone(spawned_child, spawn_stack + sizeof(spawn_stack),
			      CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
		int e = errno;
		pthread_sigmask(SIG_SETMASK, &a.mask, NULL);
		errno = e;
	}
	if (child < 0)
		goto fail;
	close_pipes((int[]){out[1], err[1], status[1], go[0]}, 4);
	*p = (struct prepared){.sc = sc, .pid = child, .out_r = out[0], .err_r = err[0],
			       .status_r = status[0], .go_w = go[1]};
	return 0;
fail:;
	int e = errno;

	close_pipes((int[]){out[0], out[1], err[0], err[1]}, 4);
	close_pipes((int[]){status[0], status[1], go[0], go[1]}, 4);
	errno = e;
	return -1;
}

/* A prepared child that will not run: it is killed (it is in none of the run's cgroups yet). */
static void discard_child(struct prepared *p)
{
	if (!p->sc)
		return;
	kill(p->pid, SIGKILL);
	close_pipes((int[]){p->out_r, p->err_r, p->status_r, p->go_w}, 4);
	waitpid(p->pid, NULL, 0);
	p->sc = NULL;
}

/*
 * The prepared target, let go: its uprobes attached, then released to join the run's cgroups
 * and exec. Its pid, with its stdout and stderr in cap; -1 after a `fatal` line.
 */
static pid_t start_target(struct run *run, struct prepared *p, struct capture cap[2])
{
	const struct scenario *sc = p->sc;
	char setup_err[512];
	pid_t child = p->pid;

	/* the pid filter follows the task through its exec: attach now, then let it go */
	if (uprobes_attach(run, sc, child, setup_err, sizeof(setup_err))) {
		discard_child(p);
		emit_fatal("scenario %s: %s", sc->id, setup_err);
		return -1;
	}
	phase("   uprobes attached");
	/* the byte is the release: a child whose loader died reads end-of-file and never runs */
	if (p->go_w >= 0 && write(p->go_w, "g", 1) != 1) {
		snprintf(setup_err, sizeof(setup_err), "releasing the target: %s", strerror(errno));
		discard_child(p);
		emit_fatal("scenario %s: %s", sc->id, setup_err);
		return -1;
	}
	if (p->go_w >= 0)
		close(p->go_w);
	/* the status pipe closes on exec (success) or carries the set-up error */
	ssize_t sn = read(p->status_r, setup_err, sizeof(setup_err) - 1);
	close(p->status_r);
	phase("   exec seen");
	print_child_steps();
	p->sc = NULL;
	if (sn > 0) {
		setup_err[sn] = 0;
		close(p->out_r);
		close(p->err_r);
		waitpid(child, NULL, 0);
		emit_fatal("scenario %s: %s", sc->id, setup_err);
		return -1;
	}
	cap[0] = (struct capture){.fd = p->out_r, .buf = malloc((size_t)run->cfg.max_output), .name = "stdout"};
	cap[1] = (struct capture){.fd = p->err_r, .buf = malloc((size_t)run->cfg.max_output), .name = "stderr"};
	fcntl(p->out_r, F_SETFL, O_NONBLOCK);
	fcntl(p->err_r, F_SETFL, O_NONBLOCK);
	return child;
}

enum watched { TARGET_EXITED, TARGET_TIMED_OUT, DISPATCHER_LOST };

/*
 * Until the target exits or its wall time is up: records and events as they come, output kept.
 * The target's cgroup is killed when the wall time runs out, or when the resident dispatcher
 * hangs up (its attachments are gone with it, so the run would see nothing more).
 */
static enum watched watch_target(struct run *run, const struct scenario *sc, pid_t child,
				 struct capture cap[2], uint64_t deadline)
{
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0), ep = epoll_create1(EPOLL_CLOEXEC);
	int fds[] = {ring_buffer__epoll_fd(run->rb), cap[0].fd, cap[1].fd, pidfd,
		     dispatcher_lost_fd(run)};
	enum watched how = TARGET_EXITED;

	for (uint32_t i = 0; i < 5; i++) {
		struct epoll_event ev = {.events = EPOLLIN | (i == 4 ? EPOLLRDHUP : 0), .data.u32 = i};

		if (fds[i] >= 0)
			epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	for (bool exited = false; !exited;) {
		struct epoll_event evs[5];
		uint64_t t = now_ns();

		if (t >= deadline) {
			how = TARGET_TIMED_OUT;
			emit_limit(sc->id, "wall-time",
				   "the target ran longer than %ld ms in scenario %s and was stopped",
				   sc->wall_ms, sc->id);
			break;
		}
		int ms = (int)((deadline - t + 999999) / 1000000);
		/* what the last wake-up read goes out before waiting again */
		flush_output();
		int n = epoll_wait(ep, evs, 5, ms);
		for (int i = 0; i < n; i++) {
			uint32_t which = evs[i].data.u32;

			if (which == 0) {
				ring_buffer__consume(run->rb);
			} else if (which == 3) {
				exited = true;
			} else if (which == 4) {
				how = DISPATCHER_LOST;
				exited = true;
			} else {
				drain_pipe(run, &cap[which - 1]);
				if (cap[which - 1].fd < 0)
					epoll_ctl(ep, EPOLL_CTL_DEL, fds[which], NULL);
			}
		}
	}
	if (how != TARGET_EXITED) {
		kill_cgroup(&run->cg);
		kill(child, SIGKILL);
	}
	close(ep);
	close(pidfd);
	return how;
}

static void emit_target_exit(const struct scenario *sc, int wstatus, bool timed_out,
			     struct capture cap[2])
{
	json_object *exit_o = json_object_new_object(), *o;

	if (WIFEXITED(wstatus) && !timed_out) {
		json_object_object_add(exit_o, "code", json_object_new_int(WEXITSTATUS(wstatus)));
		json_object_object_add(exit_o, "signal", NULL);
	} else {
		char sig[32];
		int s = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : SIGKILL;
		const char *abbrev = sigabbrev_np(s);

		snprintf(sig, sizeof(sig), "SIG%s", abbrev ? abbrev : "UNKNOWN");
		json_object_object_add(exit_o, "code", NULL);
		json_object_object_add(exit_o, "signal", json_object_new_string(sig));
	}
	json_object_object_add(exit_o, "timedOut", json_object_new_boolean(timed_out));
	json_object_object_add(exit_o, "stdout", jbytes(cap[0].buf, cap[0].len));
	json_object_object_add(exit_o, "stderr", jbytes(cap[1].buf, cap[1].len));
	o = line("target_exit");
	json_object_object_add(o, "scenario", json_object_new_string(sc->id));
	json_object_object_add(o, "exit", exit_o);
	emit(o);
}

/* The student's maps as the scenario left them; then back to empty and initial globals. */
static int dump_and_clear_maps(struct run *run, const struct scenario *sc)
{
	json_object *maps = json_object_new_array(), *o;
	struct bpf_map *m;

	bpf_object__for_each_map(m, run->obj)
		if (student_map(m))
			json_object_array_add(maps, dump_map(run, m));
	o = line("maps");
	json_object_object_add(o, "scenario", json_object_new_string(sc->id));
	json_object_object_add(o, "maps", maps);
	emit(o);
	phase("  maps dumped");
	/* scenarios stay apart: the next one starts from empty maps and initial globals */
	bpf_object__for_each_map(m, run->obj)
		if (student_map(m))
			clear_map(run, m);
	if (clear_dispatcher_paths(run)) {
		emit_fatal("scenario %s: the resident dispatcher stopped during the run", sc->id);
		return -1;
	}
	return 0;
}

static int run_scenario(struct run *run, const struct scenario *sc)
{
	struct prepared p;
	struct capture cap[2];
	int wstatus = 0;
	json_object *o;

	run->cur = sc;
	run->n_records = run->n_syscalls = 0;
	run->records_limited = run->syscalls_limited = run->records_ring_full = false;
	if (reset_lost_events(run)) {
		emit_fatal("scenario %s: cannot reset the lost-event counter: %s", sc->id,
			   strerror(errno));
		return -1;
	}
	o = line("scenario_start");
	json_object_object_add(o, "scenario", json_object_new_string(sc->id));
	emit(o);

	double loader_cpu = timing_on() ? cpu_ms(getpid()) : 0;
	uint64_t deadline = now_ns() + (uint64_t)sc->wall_ms * 1000000ull;
	if (prepare_child(run, sc, &p)) {
		emit_fatal("scenario %s: starting the target: %s", sc->id, strerror(errno));
		return -1;
	}
	phase("   fork returned");
	pid_t child = start_target(run, &p, cap);
	if (child < 0)
		return -1;
	phase("  target started");
	enum watched how = watch_target(run, sc, child, cap, deadline);
	if (timing_on())
		fprintf(stderr, "cpu: child %.3f loader %.3f\n", cpu_ms(child),
			cpu_ms(getpid()) - loader_cpu);
	waitpid(child, &wstatus, 0);
	phase("  target exited");
	/* the target is gone; stop whatever it left behind, then collect everything */
	kill_cgroup(&run->cg);
	phase("  cgroup killed");
	ring_buffer__consume(run->rb);
	for (int i = 0; i < 2; i++) {
		if (cap[i].fd >= 0)
			fcntl(cap[i].fd, F_SETFL, 0);
		drain_pipe(run, &cap[i]);
	}
	if (how == DISPATCHER_LOST) {
		emit_fatal("scenario %s: the resident dispatcher stopped during the run", sc->id);
		free(cap[0].buf);
		free(cap[1].buf);
		return -1;
	}
	phase("  cgroup emptied, output read");
	if (report_lost_events(run, sc)) {
		emit_fatal("scenario %s: cannot read the lost-event counter: %s", sc->id,
			   strerror(errno));
		free(cap[0].buf);
		free(cap[1].buf);
		return -1;
	}
	emit_target_exit(sc, wstatus, how == TARGET_TIMED_OUT, cap);
	free(cap[0].buf);
	free(cap[1].buf);
	phase("  target_exit sent");
	int err = dump_and_clear_maps(run, sc);
	run->cur = NULL;
	phase("  maps dumped and cleared");
	return err;
}

/* Every scenario in turn, the records and events of both ring buffers read as they come. */
enum step run_scenarios(struct run *run)
{
	int lab_fd = bpf_object__find_map_fd_by_name(run->obj, "lab_events");
	enum step st = STEP_OK;

	run->rb = ring_buffer__new(run->ring_fd, on_syscall, run, NULL);
	if (!run->rb || (lab_fd >= 0 && (ring_buffer__add(run->rb, lab_fd, on_record, run) ||
					  watch_record_ring(run, lab_fd)))) {
		emit_fatal("ring buffer: %s", strerror(errno));
		unwatch_record_ring(run);
		return STEP_FAILED;
	}
	for (int i = 0; i < run->cfg.nscenarios && st == STEP_OK; i++)
		if (run_scenario(run, &run->cfg.scenarios[i]))
			st = STEP_FAILED;
	ring_buffer__free(run->rb);
	run->rb = NULL;
	unwatch_record_ring(run);
	return st;
}
