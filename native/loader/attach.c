// SPDX-License-Identifier: GPL-2.0
/*
 * The run's hooks and the dispatcher in front of the student's programs: the resident one when
 * the runner started one (resident.c, asked over its socket), else one of the loader's own,
 * attached for this run alone (host.c). Either way the run is slotted in by its cgroup, with
 * what it asks of each hook and its own ring buffer of events; its programs enter the prog array
 * only after the kernel has checked them (kernel-check.c).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host.h"
#include "resident.h"

/* The hook of an `observe` entry (`cat/name`). */
static enum step observe_hook(struct run *run, const char *entry)
{
	char cat[64], name[128], msg[512];
	const char *slash = strchr(entry, '/');

	if (!slash || slash - entry >= 64 || strlen(slash + 1) >= 128) {
		emit_fatal("observe: bad hook %s", entry);
		return STEP_FAILED;
	}
	snprintf(cat, sizeof(cat), "%.*s", (int)(slash - entry), entry);
	snprintf(name, sizeof(name), "%s", slash + 1);
	if (find_or_add_hook(run, cat, name, true, msg, sizeof(msg)) < 0) {
		emit_fatal("observe: %s", msg);
		return STEP_FAILED;
	}
	return STEP_OK;
}

/* The hooks: the exercise's observe list, then the student's sections, one per program. */
enum step find_hooks(struct run *run)
{
	struct bpf_program *p;
	char cat[64], name[128], msg[512];

	for (int i = 0; i < run->cfg.nobserve; i++)
		if (observe_hook(run, run->cfg.observe[i]) != STEP_OK)
			return STEP_FAILED;
	bpf_object__for_each_program(p, run->obj) {
		const char *sec = bpf_program__section_name(p);
		int h;

		if (run->nprogs == DISP_SLOTS) {
			emit_attach_error(bpf_program__name(p), sec, E2BIG, "too many programs (at most 64)");
			return STEP_REFUSED;
		}
		if (uprobe_section(sec)) {
			/* attached to each scenario's target itself (scenario.c), not through a dispatcher */
			if ((h = uprobe_add(run, p, msg, sizeof(msg))) < 0) {
				emit_attach_error(bpf_program__name(p), sec, -h, msg);
				return STEP_REFUSED;
			}
			continue;
		}
		if (!parse_section(sec, cat, name)) {
			snprintf(msg, sizeof(msg),
				 "unsupported section \"%s\": use SEC(\"tp/<category>/<name>\") or "
				 "SEC(\"tracepoint/<category>/<name>\")",
				 sec);
			emit_attach_error(bpf_program__name(p), sec, EINVAL, msg);
			return STEP_REFUSED;
		}
		if ((h = find_or_add_hook(run, cat, name, false, msg, sizeof(msg))) < 0) {
			emit_attach_error(bpf_program__name(p), sec, -h, msg);
			return STEP_REFUSED;
		}
		run->progs[run->nprogs] = p;
		run->prog_hook[run->nprogs++] = h;
	}
	return STEP_OK;
}

/*
 * What the run asks of each of its hooks: the first attachment records an observed hook, and
 * instance i tail-calls the i-th program on it (in object order). Returns the most programs any
 * hook has.
 */
static int plan_hooks(const struct run *run, struct disp_hook_run *hr)
{
	bool exit_openat_observed = false;
	int most = 0;

	for (int h = 0; h < run->nhooks; h++)
		exit_openat_observed |= run->hooks[h].shape == SHAPE_EXIT_OPENAT && run->hooks[h].observe;
	for (int h = 0; h < run->nhooks; h++) {
		const struct hook *hook = &run->hooks[h];

		memset(&hr[h], 0, sizeof(hr[h]));
		hr[h].hook = (uint32_t)h;
		if (hook->observe)
			hr[h].flags |= HOOK_RECORD;
		/* the path pointer is kept at enter only when an exit will take it (and delete it) */
		if (hook->observe && exit_openat_observed && hook->shape == SHAPE_OPENAT)
			hr[h].flags |= HOOK_KEEP_PATH;
		for (int s = 0; s < run->nprogs; s++) {
			if (run->prog_hook[s] != h)
				continue;
			if (hr[h].nprogs < DISP_INSTANCES)
				hr[h].slot[hr[h].nprogs] = (uint32_t)s;
			hr[h].nprogs++;
		}
		most = (int)hr[h].nprogs > most ? (int)hr[h].nprogs : most;
	}
	return most;
}

/* Attachments of hook h: one per student program on it, or one to record it. */
static int instances_of(const struct disp_hook_run *hr) { return hr->nprogs ? (int)hr->nprogs : 1; }

/* A failed attachment: the student's program it was for is refused, else it is our fault. */
static enum step attach_failed(struct run *run, const struct disp_hook_run *hr, int failed, int err,
			       const char *msg)
{
	if (failed < 0 || failed >= (int)hr->nprogs) {
		emit_fatal("%s", msg);
		return STEP_FAILED;
	}
	struct bpf_program *p = run->progs[hr->slot[failed]];

	emit_attach_error(bpf_program__name(p), bpf_program__section_name(p), -err, msg);
	return STEP_REFUSED;
}

/* A dispatcher of the loader's own, attached for this run alone. */
static enum step attach_own(struct run *run, const struct disp_hook_run *hr)
{
	/* a thread keeps at most one openat path and the pids limit bounds the threads */
	long long paths_max = run->cfg.pids < 1 ? 1 : run->cfg.pids > 65536 ? 65536 : run->cfg.pids;
	char msg[512];
	int err, slot;

	run->own = calloc(1, sizeof(*run->own));
	if ((err = host_open(run->own, 1, paths_max, run->hooks, run->nhooks))) {
		size_t len;
		const char *msgs = libbpf_messages(&len);

		emit_fatal("cannot load the dispatcher: %s %.*s", strerror(-err), (int)len, msgs);
		return STEP_FAILED;
	}
	phase("dispatcher loaded");
	run->slot = slot = host_add_run(run->own);
	for (int h = 0; h < run->nhooks; h++) {
		int failed, id = host_hook(run->own, &run->hooks[h], instances_of(&hr[h]), &failed, msg,
					   sizeof(msg));

		if (id < 0)
			return attach_failed(run, &hr[h], failed, id, msg);
		if ((err = host_set_hook_run(run->own, slot, id, &hr[h]))) {
			emit_fatal("cannot write the run's hooks: %s", strerror(-err));
			return STEP_FAILED;
		}
	}
	if ((err = host_set_ring(run->own, slot, run->ring_fd, run->lost_fd)) ||
	    (err = host_show_run(run->own, slot, run->cg.id))) {
		emit_fatal("cannot slot the run into its dispatcher: %s", strerror(-err));
		return STEP_FAILED;
	}
	return STEP_OK;
}

/*
 * One request to the resident dispatcher, with fds, and its reply, with the fds it lends (up to
 * MAX_HOOKS into lent, their number in *nlent; any others are closed, as are all when lent is
 * NULL); -errno when the link broke.
 */
static int ask_resident(struct run *run, struct resident_request *req, size_t len, const int *fds,
			int nfds, struct resident_reply *rep, int *lent, int *nlent)
{
	char control[CMSG_SPACE(sizeof(int) * DISP_SLOTS)] = {0};
	struct iovec iov = {.iov_base = req, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	char rcontrol[CMSG_SPACE(sizeof(int) * MAX_HOOKS)];
	struct iovec riov = {.iov_base = rep, .iov_len = sizeof(*rep)};
	struct msghdr rmsg = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcontrol,
			      .msg_controllen = sizeof(rcontrol)};
	int got = 0;

	put_fds(&msg, control, fds, nfds);
	if (nlent)
		*nlent = 0;
	if (sendmsg(run->resident_fd, &msg, MSG_NOSIGNAL) < 0)
		return -errno;
	ssize_t n = recvmsg(run->resident_fd, &rmsg, MSG_CMSG_CLOEXEC);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&rmsg); n > 0 && c; c = CMSG_NXTHDR(&rmsg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)), fd;

		for (int i = 0; i < k; i++) {
			memcpy(&fd, CMSG_DATA(c) + sizeof(int) * (size_t)i, sizeof(int));
			if (lent && got < MAX_HOOKS)
				lent[got++] = fd;
			else
				close(fd);
		}
	}
	if (nlent)
		*nlent = got;
	if (n != (ssize_t)sizeof(*rep) || (rmsg.msg_flags & MSG_CTRUNC)) {
		for (int i = 0; i < got; i++)
			close(lent[i]);
		if (nlent)
			*nlent = 0;
		return n < 0 ? -errno : n == 0 ? -ECONNRESET : -EPROTO;
	}
	rep->message[sizeof(rep->message) - 1] = 0;
	return 0;
}

/*
 * The kernel check's events the resident dispatcher lent, by the run's hook; when they do not
 * add up they are all closed, and the run opens its own.
 */
static void keep_lent_checks(struct run *run, uint64_t which, const int *lent, int nlent)
{
	int expected = 0;

	for (int h = 0; h < run->nhooks; h++)
		expected += (int)((which >> h) & 1);
	if (expected != nlent || (run->nhooks < 64 && (which >> run->nhooks))) {
		for (int i = 0; i < nlent; i++)
			close(lent[i]);
		return;
	}
	for (int h = 0, k = 0; h < run->nhooks; h++)
		if ((which >> h) & 1)
			run->check_events[h] = (struct check_event){.held = true, .lent = true, .fd = lent[k++]};
}

/*
 * The resident dispatcher, asked to slot the run in. STEP_OK with resident_fd < 0 when it
 * cannot take the run (not running, every slot taken, its hooks full): the run then has a
 * dispatcher of its own.
 */
static enum step attach_resident(struct run *run, const struct disp_hook_run *hr)
{
	static struct resident_request req;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct resident_reply rep;
	int err, lent[MAX_HOOKS], nlent;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", run->resident_path);
	run->resident_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (run->resident_fd < 0 ||
	    connect(run->resident_fd, (struct sockaddr *)&addr, sizeof(addr)))
		goto own;
	memset(&req, 0, sizeof(req));
	req.op = RESIDENT_REGISTER;
	req.count = (uint32_t)run->nhooks;
	req.cgroup = run->cg.id;
	for (int h = 0; h < run->nhooks; h++) {
		snprintf(req.hooks[h].cat, sizeof(req.hooks[h].cat), "%s", run->hooks[h].cat);
		snprintf(req.hooks[h].name, sizeof(req.hooks[h].name), "%s", run->hooks[h].name);
		req.hooks[h].instances = instances_of(&hr[h]);
		req.hooks[h].run = hr[h];
	}
	if ((err = ask_resident(run, &req, offsetof(struct resident_request, hooks) +
					       sizeof(req.hooks[0]) * (size_t)run->nhooks,
				(int[]){run->ring_fd, run->lost_fd}, 2, &rep, lent, &nlent)))
		goto own;
	if (rep.err) {
		for (int i = 0; i < nlent; i++)
			close(lent[i]);
		if (rep.err == -EBUSY || rep.err == -E2BIG)
			goto own;
		if (rep.hook >= 0 && rep.hook < run->nhooks)
			return attach_failed(run, &hr[rep.hook], rep.instance, rep.err, rep.message);
		emit_fatal("the resident dispatcher: %s", rep.message);
		return STEP_FAILED;
	}
	keep_lent_checks(run, rep.lent_checks, lent, nlent);
	phase("dispatcher loaded");
	return STEP_OK;
own:
	if (run->resident_fd >= 0)
		close(run->resident_fd);
	run->resident_fd = -1;
	return STEP_OK;
}

enum step attach_dispatchers(struct run *run)
{
	struct disp_hook_run hr[MAX_HOOKS];
	enum step st;

	if (plan_hooks(run, hr) > DISP_INSTANCES) {
		emit_attach_error("", "", E2BIG, "more than 8 programs on one hook");
		return STEP_REFUSED;
	}
	run->ring_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "disp_events", 0, 0, DISP_EVENT_BYTES, NULL);
	if (run->ring_fd < 0) {
		emit_fatal("cannot create the run's ring buffer: %s", strerror(errno));
		return STEP_FAILED;
	}
	/* what the dispatcher could not put in the ring, counted (read after each scenario) */
	run->lost_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "disp_lost", 4, 8, 1, NULL);
	if (run->lost_fd < 0) {
		emit_fatal("cannot create the run's lost-event counter: %s", strerror(errno));
		return STEP_FAILED;
	}
	if (run->resident_path && (st = attach_resident(run, hr)) != STEP_OK)
		return st;
	return run->resident_fd >= 0 ? STEP_OK : attach_own(run, hr);
}

/* Ids of what the run's dispatcher holds for it, so tests can check nothing outlives the run. */
static json_object *platform_ids(const struct run *run)
{
	json_object *ids = json_object_new_object(), *progs = json_object_new_array();
	json_object *maps = json_object_new_array(), *links = json_object_new_array();

	/* the resident dispatcher's own programs, maps and links outlive runs by design */
	if (run->own)
		host_ids(run->own, progs, maps, links);
	json_object_array_add(maps, json_object_new_int64(obj_id(run->ring_fd)));
	json_object_array_add(maps, json_object_new_int64(obj_id(run->lost_fd)));
	json_object_object_add(ids, "programs", progs);
	json_object_object_add(ids, "maps", maps);
	json_object_object_add(ids, "links", links);
	return ids;
}

static int arm_programs(struct run *run)
{
	int fds[DISP_SLOTS];

	for (int i = 0; i < run->nprogs; i++)
		fds[i] = bpf_program__fd(run->progs[i]);
	if (run->own)
		return host_arm(run->own, run->slot, run->nprogs, fds);
	struct resident_request req = {.op = RESIDENT_ARM, .count = (uint32_t)run->nprogs};
	struct resident_reply rep;
	int err = ask_resident(run, &req, offsetof(struct resident_request, hooks), fds, run->nprogs,
			       &rep, NULL, NULL);
	return err ? err : rep.err;
}

/* The checked programs into the prog array: from now on they run for the run's cgroup. */
enum step arm_dispatchers(struct run *run, long long discarded)
{
	json_object *o, *hooks, *kcheck;
	char name[256];
	int err;

	if ((err = arm_programs(run))) {
		emit_fatal("prog array: %s", strerror(-err));
		return STEP_FAILED;
	}
	phase("attached");
	hooks = json_object_new_array();
	for (int h = 0; h < run->nhooks; h++) {
		snprintf(name, sizeof(name), "%s/%s", run->hooks[h].cat, run->hooks[h].name);
		json_object_array_add(hooks, json_object_new_string(name));
	}
	kcheck = json_object_new_object();
	json_object_object_add(kcheck, "programs", json_object_new_int(run->nprogs));
	json_object_object_add(kcheck, "discardedRecords", json_object_new_int64(discarded));
	o = line("attached");
	json_object_object_add(o, "hooks", hooks);
	json_object_object_add(o, "platform", platform_ids(run));
	json_object_object_add(o, "kernelCheck", kcheck);
	emit(o);
	return STEP_OK;
}

int dispatcher_lost_fd(const struct run *run) { return run->resident_fd; }

/* No thread of the target is left, so any openat path pointer still kept is stale. */
int clear_dispatcher_paths(struct run *run)
{
	struct resident_request req = {.op = RESIDENT_CLEAR_PATHS};
	struct resident_reply rep;

	if (run->own) {
		host_clear_paths(run->own, run->slot);
		return 0;
	}
	if (run->resident_fd < 0)
		return 0;
	int err = ask_resident(run, &req, offsetof(struct resident_request, hooks), NULL, 0, &rep,
			       NULL, NULL);
	return err ? err : rep.err;
}

void detach_all(struct run *run)
{
	close_kernel_checks(run);
	phase(" kernel checks closed");
	uprobes_detach(run);
	if (run->own) {
		host_end_run(run->own, run->slot);
		host_close(run->own);
		free(run->own);
		run->own = NULL;
	}
	/* the resident dispatcher slots the run out as the connection closes */
	if (run->resident_fd >= 0)
		close(run->resident_fd);
	run->resident_fd = -1;
	if (run->ring_fd >= 0)
		close(run->ring_fd);
	run->ring_fd = -1;
	if (run->lost_fd >= 0)
		close(run->lost_fd);
	run->lost_fd = -1;
	phase(" dispatcher left");
	bpf_object__close(run->obj);
	run->obj = NULL;
}
