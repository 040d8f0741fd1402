// SPDX-License-Identifier: GPL-2.0
/*
 * A dispatcher and its attachments, serving runs: a loader's own (one run, attached for that run
 * alone) or the resident one (every run of the lab, attached once per hook while the lab runs).
 * A run is slotted in by writing maps: what it asks of each hook, its ring buffer, its programs
 * in the prog array, and last its cgroup, which makes it visible to the dispatcher. It is slotted
 * out in the reverse order, and nothing of it is left in any map.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dispatcher.skel.h"
#include "host.h"

/* The dispatcher program that reads exactly the record of h's shape. */
static struct bpf_program *program_for(struct dispatcher *d, const struct hook *h)
{
	struct bpf_program *enter[] = {
		d->progs.disp_enter0, d->progs.disp_enter1, d->progs.disp_enter2,
		d->progs.disp_enter3, d->progs.disp_enter4, d->progs.disp_enter5,
		d->progs.disp_enter6,
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

/*
 * Instance i of the dispatcher, loaded: the first creates the maps (sized for the host's runs),
 * the others share them. With `only`, just the programs those hooks need are loaded (each costs
 * a verification); a resident host loads them all, not knowing its hooks in advance.
 */
static int load_instance(struct disp_host *host, const struct hook *only, int nonly)
{
	struct dispatcher *d = dispatcher__open(), *first = host->instances[0];
	struct bpf_program *p;
	int err = 0;

	if (!d)
		return -errno;
	host->instances[host->ninstances++] = d;
	if (only)
		bpf_object__for_each_program(p, d->obj) {
			bool used = false;

			for (int h = 0; h < nonly; h++)
				used |= program_for(d, &only[h]) == p;
			bpf_program__set_autoload(p, used);
		}
	if (!first) {
		/* the inner map of disp_events: any ring buffer of the runs' size */
		int inner = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "disp_ring", 0, 0, DISP_EVENT_BYTES, NULL);

		if (inner < 0)
			return -errno;
		err = bpf_map__set_inner_map_fd(d->maps.disp_events, inner);
		host->inner_fd = inner;
		if (err)
			return err;
		/* the inner map of disp_lost: one counter */
		inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "disp_lost", 4, 8, 1, NULL);
		if (inner < 0)
			return -errno;
		err = bpf_map__set_inner_map_fd(d->maps.disp_lost, inner);
		host->inner_lost_fd = inner;
		if (err)
			return err;
		err = bpf_map__set_max_entries(d->maps.disp_runs, (uint32_t)host->runs) ||
		      bpf_map__set_max_entries(d->maps.disp_hook_runs, (uint32_t)(host->runs * DISP_HOOKS)) ||
		      bpf_map__set_max_entries(d->maps.disp_progs, (uint32_t)(host->runs * DISP_SLOTS)) ||
		      bpf_map__set_max_entries(d->maps.disp_events, (uint32_t)host->runs) ||
		      bpf_map__set_max_entries(d->maps.disp_lost, (uint32_t)host->runs) ||
		      bpf_map__set_max_entries(d->maps.disp_open_paths, (uint32_t)host->paths_max);
	} else {
		err = bpf_map__reuse_fd(d->maps.disp_runs, bpf_map__fd(first->maps.disp_runs)) ||
		      bpf_map__reuse_fd(d->maps.disp_hook_runs, bpf_map__fd(first->maps.disp_hook_runs)) ||
		      bpf_map__reuse_fd(d->maps.disp_progs, bpf_map__fd(first->maps.disp_progs)) ||
		      bpf_map__reuse_fd(d->maps.disp_events, bpf_map__fd(first->maps.disp_events)) ||
		      bpf_map__reuse_fd(d->maps.disp_lost, bpf_map__fd(first->maps.disp_lost)) ||
		      bpf_map__reuse_fd(d->maps.disp_open_paths, bpf_map__fd(first->maps.disp_open_paths));
	}
	if (err)
		return err < 0 ? err : -EINVAL;
	err = dispatcher__load(d);
	/* the templates served the outer maps' creation (libbpf leaves them open) */
	if (host->inner_fd >= 0) {
		close(host->inner_fd);
		host->inner_fd = -1;
	}
	if (host->inner_lost_fd >= 0) {
		close(host->inner_lost_fd);
		host->inner_lost_fd = -1;
	}
	return err;
}

int host_open(struct disp_host *host, int runs, long long paths_max, const struct hook *only,
	      int nonly)
{
	memset(host, 0, sizeof(*host));
	host->inner_fd = host->inner_lost_fd = -1;
	host->runs = runs;
	host->paths_max = paths_max;
	host->only = only;
	host->nonly = nonly;
	return load_instance(host, only, nonly);
}

/* The host's index of the hook, attached with at least `instances` instances. */
int host_hook(struct disp_host *host, const struct hook *want, int instances, int *failed,
	      char *err, size_t errlen)
{
	struct host_hook *hh = NULL;
	int id;

	*failed = -1;
	for (id = 0; id < host->nhooks && !hh; id++)
		if (!strcmp(host->hooks[id].hook.cat, want->cat) &&
		    !strcmp(host->hooks[id].hook.name, want->name))
			hh = &host->hooks[id];
	if (hh) {
		id--;
	} else {
		if (host->nhooks == DISP_HOOKS) {
			snprintf(err, errlen, "the dispatcher serves at most %d hooks", DISP_HOOKS);
			return -E2BIG;
		}
		id = host->nhooks++;
		hh = &host->hooks[id];
		memset(hh, 0, sizeof(*hh));
		hh->hook = *want;
	}
	if (instances > DISP_INSTANCES) {
		snprintf(err, errlen, "more than %d programs on one hook", DISP_INSTANCES);
		return -E2BIG;
	}
	while (hh->nlinks < instances) {
		int i = hh->nlinks, e;

		while (host->ninstances <= i)
			if ((e = load_instance(host, host->only, host->nonly))) {
				size_t len;
				const char *msgs = libbpf_messages(&len);

				snprintf(err, errlen, "cannot load the dispatcher: %s %.*s", strerror(-e),
					 (int)len, msgs);
				return e;
			}
		LIBBPF_OPTS(bpf_tracepoint_opts, opts, .bpf_cookie = cookie_make((uint32_t)i, (uint32_t)id));
		struct bpf_link *link = bpf_program__attach_tracepoint_opts(
			program_for(host->instances[i], &hh->hook), hh->hook.cat, hh->hook.name, &opts);
		if (!link) {
			e = -errno;
			*failed = i;
			snprintf(err, errlen, "cannot attach to %s/%s: %s", hh->hook.cat, hh->hook.name,
				 strerror(-e));
			return e;
		}
		hh->links[hh->nlinks++] = link;
	}
	return id;
}

int host_add_run(struct disp_host *host)
{
	for (int slot = 0; slot < host->runs; slot++)
		if (!host->used[slot]) {
			host->used[slot] = true;
			return slot;
		}
	return -EBUSY;
}

int host_set_hook_run(struct disp_host *host, int slot, int hook, const struct disp_hook_run *hr)
{
	uint32_t key = (uint32_t)(slot * DISP_HOOKS + hook);

	host->hooks[hook].runs |= 1u << slot;
	return bpf_map_update_elem(bpf_map__fd(host->instances[0]->maps.disp_hook_runs), &key, hr,
				   BPF_ANY)
		       ? -errno
		       : 0;
}

int host_set_ring(struct disp_host *host, int slot, int ring_fd, int lost_fd)
{
	struct dispatcher *d = host->instances[0];
	uint32_t key = (uint32_t)slot;

	return bpf_map_update_elem(bpf_map__fd(d->maps.disp_events), &key, &ring_fd, BPF_ANY) ||
			       bpf_map_update_elem(bpf_map__fd(d->maps.disp_lost), &key, &lost_fd,
						   BPF_ANY)
		       ? -errno
		       : 0;
}

int host_show_run(struct disp_host *host, int slot, uint64_t cgroup)
{
	uint32_t value = (uint32_t)slot;

	host->cgroups[slot] = cgroup;
	return bpf_map_update_elem(bpf_map__fd(host->instances[0]->maps.disp_runs), &cgroup, &value,
				   BPF_NOEXIST)
		       ? -errno
		       : 0;
}

int host_arm(struct disp_host *host, int slot, int nprogs, const int *prog_fds)
{
	int fd = bpf_map__fd(host->instances[0]->maps.disp_progs);

	for (int i = 0; i < nprogs && i < DISP_SLOTS; i++) {
		uint32_t key = (uint32_t)(slot * DISP_SLOTS + i);

		if (bpf_map_update_elem(fd, &key, &prog_fds[i], BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Drops the openat path pointers the run's threads kept (a killed thread never takes its own). */
void host_clear_paths(struct disp_host *host, int slot)
{
	int fd = bpf_map__fd(host->instances[0]->maps.disp_open_paths);
	uint64_t key, next, stale[256];
	struct disp_open_path kept;
	int nstale;

	do {
		void *prev = NULL;

		nstale = 0;
		while (nstale < 256 && bpf_map_get_next_key(fd, prev, &next) == 0) {
			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(fd, &key, &kept) == 0 && kept.run == (uint32_t)slot)
				stale[nstale++] = key;
		}
		for (int i = 0; i < nstale; i++)
			bpf_map_delete_elem(fd, &stale[i]);
	} while (nstale == 256);
}

void host_end_run(struct disp_host *host, int slot)
{
	struct dispatcher *d = host->instances[0];
	struct disp_hook_run none = {0};
	uint32_t key;

	if (slot < 0 || slot >= host->runs || !host->used[slot])
		return;
	/* invisible first: from here on no event of its cgroup reaches the run's programs or ring */
	if (host->cgroups[slot])
		bpf_map_delete_elem(bpf_map__fd(d->maps.disp_runs), &host->cgroups[slot]);
	host->cgroups[slot] = 0;
	/*
	 * A dispatcher that found the run just before may still be running: wait until none can
	 * (they run inside an RCU read-side section), so that the slot's next run never receives
	 * an event of this one. A loader's own dispatcher goes with its process instead.
	 */
	if (host->runs > 1 && syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(50000);
	for (int h = 0; h < host->nhooks; h++) {
		if (!(host->hooks[h].runs & (1u << slot)))
			continue;
		key = (uint32_t)(slot * DISP_HOOKS + h);
		bpf_map_update_elem(bpf_map__fd(d->maps.disp_hook_runs), &key, &none, BPF_ANY);
		host->hooks[h].runs &= ~(1u << slot);
	}
	for (int i = 0; i < DISP_SLOTS; i++) {
		key = (uint32_t)(slot * DISP_SLOTS + i);
		bpf_map_delete_elem(bpf_map__fd(d->maps.disp_progs), &key);
	}
	key = (uint32_t)slot;
	bpf_map_delete_elem(bpf_map__fd(d->maps.disp_events), &key);
	bpf_map_delete_elem(bpf_map__fd(d->maps.disp_lost), &key);
	host_clear_paths(host, slot);
	host->used[slot] = false;
}

void host_ids(const struct disp_host *host, json_object *progs, json_object *maps,
	      json_object *links)
{
	struct bpf_program *p;
	struct bpf_map *m;

	for (int d = 0; d < host->ninstances; d++)
		bpf_object__for_each_program(p, host->instances[d]->obj)
			if (bpf_program__fd(p) >= 0)
				json_object_array_add(progs, json_object_new_int64(obj_id(bpf_program__fd(p))));
	bpf_object__for_each_map(m, host->instances[0]->obj)
		json_object_array_add(maps, json_object_new_int64(obj_id(bpf_map__fd(m))));
	for (int h = 0; h < host->nhooks; h++)
		for (int i = 0; i < host->hooks[h].nlinks; i++)
			json_object_array_add(links,
					      json_object_new_int64(obj_id(bpf_link__fd(host->hooks[h].links[i]))));
}

void host_close(struct disp_host *host)
{
	for (int h = 0; h < host->nhooks; h++)
		for (int i = 0; i < host->hooks[h].nlinks; i++)
			bpf_link__destroy(host->hooks[h].links[i]);
	host->nhooks = 0;
	for (int d = 0; d < host->ninstances; d++)
		dispatcher__destroy(host->instances[d]);
	host->ninstances = 0;
}
