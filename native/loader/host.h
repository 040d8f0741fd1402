/* SPDX-License-Identifier: GPL-2.0 */
/* A dispatcher and its attachments, serving runs (host.c). */
#ifndef LAB_HOST_H
#define LAB_HOST_H

#include "loader.h"

struct dispatcher; /* the skeleton of dispatcher.bpf.c */

struct host_hook {
	struct hook hook;
	struct bpf_link *links[DISP_INSTANCES]; /* instance i's attachment */
	int nlinks;
	uint32_t runs; /* the run slots with an entry for this hook */
};

struct disp_host {
	int runs;	     /* run slots: 1 for a loader's own, DISP_RUNS for the resident one */
	long long paths_max; /* openat path pointers kept at once */
	const struct hook *only; /* the hooks a loader's own dispatcher loads programs for */
	int nonly;
	int inner_fd; /* while the first instance loads: the template of disp_events' rings */
	int inner_lost_fd; /* and of disp_lost's counters */
	struct dispatcher *instances[DISP_INSTANCES]; /* the first one owns the maps */
	int ninstances;
	struct host_hook hooks[DISP_HOOKS];
	int nhooks;
	bool used[DISP_RUNS];
	uint64_t cgroups[DISP_RUNS];
};

/* Loads the first instance; 0 or -errno (libbpf's messages say why). */
int host_open(struct disp_host *host, int runs, long long paths_max, const struct hook *only,
	      int nonly);
/*
 * The host's index of the hook, with at least `instances` attachments; -errno with a message in
 * err, and *failed set to the instance whose attachment failed (-1 when none did).
 */
int host_hook(struct disp_host *host, const struct hook *want, int instances, int *failed,
	      char *err, size_t errlen);
/*
 * A free run slot, or -EBUSY. Then, in this order: hook entries, ring and lost-event counter,
 * programs, cgroup.
 */
int host_add_run(struct disp_host *host);
int host_set_hook_run(struct disp_host *host, int slot, int hook, const struct disp_hook_run *hr);
int host_set_ring(struct disp_host *host, int slot, int ring_fd, int lost_fd);
int host_arm(struct disp_host *host, int slot, int nprogs, const int *prog_fds);
int host_show_run(struct disp_host *host, int slot, uint64_t cgroup);
void host_clear_paths(struct disp_host *host, int slot);
/* Everything of the run out of every map: its cgroup first. */
void host_end_run(struct disp_host *host, int slot);
/* Ids of the dispatcher's programs, maps and links. */
void host_ids(const struct disp_host *host, json_object *progs, json_object *maps,
	      json_object *links);
void host_close(struct disp_host *host);

#endif
