// SPDX-License-Identifier: GPL-2.0
/*
 * The run's hooks and the dispatcher in front of the student's programs. The dispatcher
 * (dispatcher.bpf.c, opened through its generated skeleton) is attached to every hook with a
 * cookie naming the hook, whether to record it and the prog-array slot of the student program
 * to tail-call; it only lets the run's own cgroup through. The student's programs enter the
 * prog array only after the kernel has checked them (kernel-check.c).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dispatcher.skel.h"
#include "loader.h"

/* The dispatcher program that reads exactly the record of h's shape. */
static struct bpf_program *dispatcher_for(struct dispatcher *d, const struct hook *h)
{
	struct bpf_program *enter[] = {
		d->progs.disp_enter0, d->progs.disp_enter1, d->progs.disp_enter2, d->progs.disp_enter3,
		d->progs.disp_enter4, d->progs.disp_enter5, d->progs.disp_enter6,
	};

	switch (h->shape) {
	case SHAPE_OPENAT:
		return d->progs.disp_enter_openat;
	case SHAPE_EXIT:
		return d->progs.disp_exit;
	case SHAPE_EXIT_OPENAT:
		return d->progs.disp_exit_openat;
	case SHAPE_ENTER:
		return enter[h->nargs];
	default:
		return d->progs.disp_raw;
	}
}

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

/* The most student programs any one hook has (at least 1: observed hooks need a dispatcher). */
static int programs_per_hook(const struct run *run)
{
	int most = 1;

	for (int h = 0; h < run->nhooks; h++) {
		int k = 0;

		for (int s = 0; s < run->nprogs; s++)
			k += run->prog_hook[s] == h;
		most = k > most ? k : most;
	}
	return most;
}

/*
 * One dispatcher instance, told the run's cgroup before load. Instances after the first share
 * its prog array, ring buffer and openat paths.
 */
static int load_dispatcher(struct run *run, struct dispatcher *d)
{
	struct dispatcher *first = run->ndisps ? run->disps[0] : NULL;
	/* a thread keeps at most one openat path and the pids limit bounds the threads */
	long long paths_max = run->cfg.pids < 1 ? 1 : run->cfg.pids > 65536 ? 65536 : run->cfg.pids;
	struct bpf_program *dp;
	int err = 0;

	d->rodata->run_cgroup = run->cg.id;
	/* load only the record shapes these hooks need: each program costs a verification */
	bpf_object__for_each_program(dp, d->obj) {
		bool used = false;

		for (int h = 0; h < run->nhooks; h++)
			used |= dispatcher_for(d, &run->hooks[h]) == dp;
		bpf_program__set_autoload(dp, used);
	}
	if (!first)
		err = bpf_map__set_max_entries(d->maps.disp_open_paths, (uint32_t)paths_max);
	else
		err = bpf_map__reuse_fd(d->maps.disp_progs, bpf_map__fd(first->maps.disp_progs)) ||
		      bpf_map__reuse_fd(d->maps.disp_events, bpf_map__fd(first->maps.disp_events)) ||
		      bpf_map__reuse_fd(d->maps.disp_open_paths, bpf_map__fd(first->maps.disp_open_paths));
	return err ? err : dispatcher__load(d);
}

/* The attachment of hook h for student program s (s == nprogs: the hook's own recording). */
static enum step attach_one(struct run *run, int h, int s, int instance, bool exit_openat_observed)
{
	struct hook *hook = &run->hooks[h];
	bool none = s == run->nprogs;
	bool record = hook->observe && !hook->recording;
	/* the path pointer is kept at enter only when an exit will take it (and delete it) */
	bool keep_path = record && exit_openat_observed && hook->shape == SHAPE_OPENAT;
	struct bpf_program *dp = dispatcher_for(run->disps[instance], hook);
	LIBBPF_OPTS(bpf_tracepoint_opts, opts,
		    .bpf_cookie = cookie_make(none ? COOKIE_SLOT_NONE : (uint32_t)s, (uint32_t)h,
					      (record ? COOKIE_RECORD : 0) |
						      (keep_path ? COOKIE_KEEP_PATH : 0)));
	struct bpf_link *link = bpf_program__attach_tracepoint_opts(dp, hook->cat, hook->name, &opts);
	char msg[512];

	if (!link) {
		int e = errno;

		snprintf(msg, sizeof(msg), "cannot attach to %s/%s: %s", hook->cat, hook->name, strerror(e));
		if (none) {
			emit_fatal("%s", msg);
			return STEP_FAILED;
		}
		emit_attach_error(bpf_program__name(run->progs[s]), bpf_program__section_name(run->progs[s]),
				  e, msg);
		return STEP_REFUSED;
	}
	hook->recording |= record;
	run->links[run->nlinks++] = link;
	return STEP_OK;
}

/*
 * A tracepoint takes a given program only once (EEXIST), so a hook with k student programs
 * needs k dispatcher instances. One attachment per (hook, student program), plus one per
 * observed hook without one; the prog array stays empty until arm_dispatchers().
 */
enum step attach_dispatchers(struct run *run)
{
	int instances = programs_per_hook(run);
	bool exit_openat_observed = false;
	enum step st;

	if (instances > MAX_DISPATCHERS) {
		emit_attach_error("", "", E2BIG, "more than 8 programs on one hook");
		return STEP_REFUSED;
	}
	while (run->ndisps < instances) {
		struct dispatcher *d = dispatcher__open();
		int err = d ? load_dispatcher(run, d) : -errno;
		size_t len;
		const char *msgs = libbpf_messages(&len);

		if (d)
			run->disps[run->ndisps++] = d;
		if (err) {
			emit_fatal("cannot load the dispatcher: %s %.*s", strerror(errno), (int)len, msgs);
			return STEP_FAILED;
		}
	}
	phase("dispatcher loaded");
	for (int h = 0; h < run->nhooks; h++)
		exit_openat_observed |= run->hooks[h].shape == SHAPE_EXIT_OPENAT && run->hooks[h].observe;
	for (int h = 0; h < run->nhooks; h++) {
		int attached = 0;

		for (int s = 0; s <= run->nprogs; s++) {
			bool none = s == run->nprogs;

			if (none ? (attached || !run->hooks[h].observe) : run->prog_hook[s] != h)
				continue;
			if ((st = attach_one(run, h, s, attached, exit_openat_observed)) != STEP_OK)
				return st;
			attached++;
		}
	}
	return STEP_OK;
}

/* Ids of the platform's own programs, maps and links, so tests can check nothing outlives a run. */
static json_object *platform_ids(const struct run *run)
{
	json_object *ids = json_object_new_object(), *progs = json_object_new_array();
	json_object *maps = json_object_new_array(), *links = json_object_new_array();
	struct bpf_program *p;
	struct bpf_map *m;

	for (int d = 0; d < run->ndisps; d++)
		bpf_object__for_each_program(p, run->disps[d]->obj)
			if (bpf_program__fd(p) >= 0)
				json_object_array_add(progs, json_object_new_int64(obj_id(bpf_program__fd(p))));
	bpf_object__for_each_map(m, run->disps[0]->obj)
		json_object_array_add(maps, json_object_new_int64(obj_id(bpf_map__fd(m))));
	for (int i = 0; i < run->nlinks; i++)
		json_object_array_add(links, json_object_new_int64(obj_id(bpf_link__fd(run->links[i]))));
	json_object_object_add(ids, "programs", progs);
	json_object_object_add(ids, "maps", maps);
	json_object_object_add(ids, "links", links);
	return ids;
}

/* The checked programs into the prog array: from now on they run for the run's cgroup. */
enum step arm_dispatchers(struct run *run, long long discarded)
{
	int progs_fd = bpf_map__fd(run->disps[0]->maps.disp_progs);
	json_object *o, *hooks, *kcheck;
	char name[256];

	for (uint32_t slot = 0; slot < (uint32_t)run->nprogs; slot++) {
		int fd = bpf_program__fd(run->progs[slot]);

		if (bpf_map_update_elem(progs_fd, &slot, &fd, BPF_ANY)) {
			emit_fatal("prog array: %s", strerror(errno));
			return STEP_FAILED;
		}
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

int dispatcher_events_fd(const struct run *run) { return bpf_map__fd(run->disps[0]->maps.disp_events); }

/* No thread of the target is left, so any openat path pointer still kept is stale. */
void clear_dispatcher_paths(struct run *run)
{
	if (run->ndisps)
		clear_map(run, run->disps[0]->maps.disp_open_paths);
}

void detach_all(struct run *run)
{
	uprobes_detach(run);
	for (int i = 0; i < run->nlinks; i++)
		bpf_link__destroy(run->links[i]);
	run->nlinks = 0;
	for (int d = 0; d < run->ndisps; d++)
		dispatcher__destroy(run->disps[d]);
	run->ndisps = 0;
	bpf_object__close(run->obj);
	run->obj = NULL;
}
