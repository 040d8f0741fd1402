/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a loader and the resident dispatcher (resident.c) say to each other, one message per
 * packet on a SOCK_SEQPACKET Unix socket. A connection is one run: the run is slotted out of
 * the dispatcher when its loader closes the connection or dies.
 */
#ifndef LAB_RESIDENT_H
#define LAB_RESIDENT_H

#include <string.h>
#include <sys/socket.h>

#include "loader.h"

enum resident_op {
	/*
	 * the run's cgroup and hooks, with the fds of its ring buffer and its lost-event counter:
	 * slots the run in; the reply lends the kernel check's held event of each hook with
	 * programs (kernel-check.c)
	 */
	RESIDENT_REGISTER = 1,
	/* the run's programs' fds, in slot order, once the kernel has checked them */
	RESIDENT_ARM,
	/* a scenario ended: drop the openat paths its threads kept */
	RESIDENT_CLEAR_PATHS,
};

struct resident_hook {
	char cat[64], name[128];
	int32_t instances;
	struct disp_hook_run run;
};

struct resident_request {
	uint32_t op;
	uint32_t count; /* hooks (REGISTER) or programs (ARM) */
	uint64_t cgroup;
	struct resident_hook hooks[MAX_HOOKS];
};

struct resident_reply {
	int32_t err;	  /* 0 or -errno; -EBUSY: every run slot is taken, use a dispatcher of your own */
	int32_t hook;	  /* the request's hook that failed, or -1 */
	int32_t instance; /* its attachment that failed, or -1 */
	/*
	 * REGISTER: bit h set when the request's hook h has its check event among the reply's fds,
	 * which come in hook order (a hook without one is checked on an event the loader opens)
	 */
	uint64_t lent_checks;
	char message[512];
};

/*
 * Puts nfds fds into msg as one SCM_RIGHTS message, in control, which has room for them all
 * (CMSG_SPACE of nfds ints); nothing when nfds is 0. Both ends pass fds this way: the loader its
 * ring and programs, the resident process the events it lends.
 */
static inline void put_fds(struct msghdr *msg, char *control, const int *fds, int nfds)
{
	if (nfds <= 0)
		return;
	msg->msg_control = control;
	msg->msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
	struct cmsghdr *c = CMSG_FIRSTHDR(msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
}

/*
 * loader --resident: serves the lab's runs until killed, on dispatcher.sock and runs.sock in the
 * directory its "ready DIR" line names.
 */
int resident_main(void);

#endif
