// SPDX-License-Identifier: GPL-2.0
/*
 * Mounts and the run's cgroups: the v2 one scopes the dispatcher and kills the target; memory and
 * pids limits go in v2 when it has the controllers, else in the v1 hierarchies (hybrid machines).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

void ensure_tracefs(void)
{
	if (access(TRACEFS "/events", F_OK) == 0)
		return;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		emit_fatal("cannot mount tracefs at " TRACEFS ": %s", strerror(errno));
		exit(1);
	}
}

static bool has_opt(const char *opts, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = opts; (p = strstr(p, want)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

/* Finds cgroup2 and the v1 memory and pids hierarchies in /proc/mounts. */
static void find_cgroup_mounts(char *v2, char *mem, char *pids)
{
	FILE *f = fopen("/proc/mounts", "re");
	char dev[256], dir[PATH_MAX], type[64], opts[1024];

	v2[0] = mem[0] = pids[0] = 0;
	if (!f)
		return;
	while (fscanf(f, "%255s %4095s %63s %1023s %*d %*d\n", dev, dir, type, opts) == 4) {
		if (!strcmp(type, "cgroup2") && !v2[0])
			strcpy(v2, dir);
		else if (!strcmp(type, "cgroup") && has_opt(opts, "memory") && !mem[0])
			strcpy(mem, dir);
		else if (!strcmp(type, "cgroup") && has_opt(opts, "pids") && !pids[0])
			strcpy(pids, dir);
	}
	fclose(f);
}

static bool file_has_word(const char *path, const char *word)
{
	char buf[1024];

	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, word))
			return true;
	return false;
}

/* Enables a v2 controller on every ancestor of the run's cgroup. */
static bool enable_v2_controller(const char *root, const char *rel, const char *ctrl)
{
	char path[PATH_MAX], dir[PATH_MAX], word[32];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	if (!file_has_word(path, ctrl))
		return false;
	snprintf(word, sizeof(word), "+%s", ctrl);
	snprintf(dir, sizeof(dir), "%s", root);
	for (const char *p = rel;;) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
		if (write_file(path, word))
			return false;
		const char *slash = strchr(p, '/');
		if (!slash)
			break;
		size_t l = strlen(dir);
		snprintf(dir + l, sizeof(dir) - l, "/%.*s", (int)(slash - p), p);
		p = slash + 1;
	}
	return true;
}

/*
 * One limit (memory or pids): in the v2 cgroup when its ancestors can enable the controller,
 * else in a cgroup of the same path in the v1 hierarchy (*v1, *v1_made), when there is one.
 */
static int set_limit(struct cgroups *cg, const char *v2root, const char *rel, const char *relp,
		     const char *ctrl, const char *v1root, char *v1, bool *v1_made, long long value)
{
	bool memory = !strcmp(ctrl, "memory");
	char path[PATH_MAX], num[32];
	int err;

	snprintf(num, sizeof(num), "%lld", value);
	if (relp[0] && enable_v2_controller(v2root, relp, ctrl)) {
		snprintf(path, sizeof(path), "%s/%s", cg->v2, memory ? "memory.max" : "pids.max");
		write_file(path, num);
		if (memory) {
			snprintf(path, sizeof(path), "%s/memory.swap.max", cg->v2);
			write_file(path, "0");
		}
	} else if (v1root[0]) {
		snprintf(v1, PATH_MAX, "%s/%s", v1root, rel);
		if (mkdir_p(v1, 0755) == 0) {
			*v1_made = true;
			snprintf(path, sizeof(path), "%s/%s", v1, memory ? "memory.limit_in_bytes" : "pids.max");
			if ((err = write_file(path, num))) {
				emit_fatal("cannot set the %s limit: %s", ctrl, strerror(-err));
				return -1;
			}
		}
	}
	return 0;
}

int setup_cgroups(struct run *run)
{
	struct cgroups *cg = &run->cg;
	const char *want = run->cfg.cgroup, *rel;
	char v2root[PATH_MAX], memroot[PATH_MAX], pidsroot[PATH_MAX], parent[PATH_MAX], relp[PATH_MAX];
	struct stat st;
	int err;

	/* what came before (the config read from stdin, the runner's write) is not the cgroups' */
	phase(" config read");
	find_cgroup_mounts(v2root, memroot, pidsroot);
	if (!v2root[0]) {
		emit_fatal("no cgroup2 mount found in /proc/mounts");
		return -1;
	}
	size_t rl = strlen(v2root);
	if (want[0] == '/') {
		if (strncmp(want, v2root, rl) || want[rl] != '/') {
			emit_fatal("cgroup %s is not under the cgroup2 mount %s", want, v2root);
			return -1;
		}
		rel = want + rl + 1;
	} else {
		rel = want;
	}
	if (!rel[0] || strstr(rel, "..")) {
		emit_fatal("bad cgroup path %s", want);
		return -1;
	}
	snprintf(cg->v2, sizeof(cg->v2), "%s/%s", v2root, rel);
	/* parents may be shared by concurrent runs: mkdir -p them, the run's own must be new */
	snprintf(parent, sizeof(parent), "%s", cg->v2);
	*strrchr(parent, '/') = 0;
	if ((err = mkdir_p(parent, 0755)) || mkdir(cg->v2, 0755)) {
		emit_fatal("cannot create cgroup %s: %s", cg->v2, strerror(err ? -err : errno));
		return -1;
	}
	cg->v2_made = true;
	phase(" cgroup v2 made");
	if (stat(cg->v2, &st)) {
		emit_fatal("cannot stat cgroup %s: %s", cg->v2, strerror(errno));
		return -1;
	}
	/* the cgroup id bpf_get_current_cgroup_id() returns is the directory's inode number */
	cg->id = st.st_ino;

	/* the run's parent, relative to the v2 root, whose ancestors enable the controllers */
	snprintf(relp, sizeof(relp), "%s", rel);
	if (strrchr(relp, '/'))
		*strrchr(relp, '/') = 0;
	else
		relp[0] = 0;
	if (set_limit(cg, v2root, rel, relp, "memory", memroot, cg->mem, &cg->mem_made,
		      run->cfg.memory_bytes))
		return -1;
	phase(" memory limit");
	return set_limit(cg, v2root, rel, relp, "pids", pidsroot, cg->pids, &cg->pids_made,
			 run->cfg.pids);
}

/* Kills everything in the run's cgroup and waits (briefly) until it is empty. */
void kill_cgroup(const struct cgroups *cg)
{
	char path[PATH_MAX], buf[256];

	if (!cg->v2_made)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.kill", cg->v2);
	write_file(path, "1");
	snprintf(path, sizeof(path), "%s/cgroup.events", cg->v2);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* cgroup.events wakes a poll for POLLPRI when it changes: no sleeping in steps */
	for (uint64_t deadline = now_ns() + 1000000000ull;;) {
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		uint64_t t = now_ns();

		if (n < 0 || t >= deadline)
			break;
		buf[n] = 0;
		if (strstr(buf, "populated 0"))
			break;
		struct pollfd p = {.fd = fd, .events = POLLPRI};
		poll(&p, 1, (int)((deadline - t) / 1000000) + 1);
	}
	close(fd);
}

void remove_cgroups(struct cgroups *cg)
{
	char *dirs[] = {cg->v2, cg->mem, cg->pids};
	bool made[] = {cg->v2_made, cg->mem_made, cg->pids_made};

	kill_cgroup(cg);
	for (int i = 0; i < 3; i++) {
		if (!made[i])
			continue;
		for (int tries = 0; tries < 100 && rmdir(dirs[i]) && errno == EBUSY; tries++)
			usleep(10000);
		phase(i == 0 ? " v2 removed" : i == 1 ? " memory removed" : " pids removed");
	}
	cg->v2_made = cg->mem_made = cg->pids_made = false;
}

void join_cgroup(const char *dir, const char *pid, int status_w)
{
	char path[PATH_MAX];
	int err;

	if (!dir[0])
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if ((err = write_file(path, pid))) {
		dprintf(status_w, "cannot join cgroup %s: %s", dir, strerror(-err));
		_exit(126);
	}
}
