// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own bound on context reads. A tail-called program skips the check the kernel
 * makes when a tracepoint program is attached (`max_ctx_offset` against the record, in
 * perf_event_set_bpf_prog), and a tail-called over-read oopses the kernel (docs/architecture.md,
 * section 4). The static checks bound context reads first; this makes the kernel check too, whatever
 * the object hid from them, without ever attaching a student's program anywhere:
 *
 * perf_event_set_bpf_prog() compares the program's context reads with the event's record and
 * refuses an over-read with EACCES *before* it looks at the event; only then does attaching find
 * that the event already holds a program and give up with EEXIST. So each hook gets one perf event
 * holding a program of ours that does nothing, and each student program is offered to its hook's
 * event: EACCES is the kernel's refusal, EEXIST its consent, and the program runs nowhere. A
 * canary that reads far past any record is offered first on every event and must be refused:
 * should a kernel ever look at the event first, the run stops as the lab's error instead of
 * passing unchecked programs.
 *
 * The resident dispatcher keeps one held event per hook and lends it to each run (resident.c);
 * a run with a dispatcher of its own opens its events and closes them after the run (closing one
 * waits for an RCU tasks-trace grace period, 8-15 ms here, which no run should wait for): see
 * close_kernel_checks().
 */

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader.h"

/* A tracepoint program of ours: r0 = 0; exit, after reading 8 bytes at read_at when >= 0. */
static int load_own_program(const char *name, int read_at)
{
	struct bpf_insn read[] = {
		/* r0 = *(u64 *)(r1 + read_at) */
		{.code = 0x79, .dst_reg = 0, .src_reg = 1, .off = (short)read_at},
		{.code = 0xb7, .dst_reg = 0, .imm = 0}, /* r0 = 0 */
		{.code = 0x95},                          /* exit */
	};
	const struct bpf_insn *insns = read_at >= 0 ? read : read + 1;

	return bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, name, "GPL", insns, read_at >= 0 ? 3 : 2,
			     NULL);
}

/*
 * The canary: reads at the last 8 bytes the verifier allows in a tracepoint's context
 * (PERF_MAX_TRACE_SIZE: 8192 on this kernel, 2048 on older ones), past the end of any record.
 */
static int load_canary(void)
{
	int fd = load_own_program("lab_canary", 8192 - 8);

	return fd >= 0 ? fd : load_own_program("lab_canary", 2048 - 8);
}

int load_check_programs(int *holder, int *canary)
{
	int err;

	*canary = -1;
	*holder = load_own_program("lab_holder", -1);
	if (*holder < 0)
		return -errno;
	*canary = load_canary();
	if (*canary < 0) {
		err = -errno;
		close(*holder);
		*holder = -1;
		return err;
	}
	return 0;
}

int open_check_event(const struct hook *h, int holder, int canary)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.disabled = 1,
	};
	int id = tracepoint_id(h), pfd, err;

	if (id <= 0)
		return id < 0 ? id : -ENOENT;
	attr.config = (uint64_t)id;
	/* any CPU will do: the holder runs wherever the tracepoint fires, whatever the event's CPU */
	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, holder)) {
		err = -errno;
		close(pfd);
		return err;
	}
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, canary) == 0 || errno != EACCES) {
		/* 0 cannot be (the event is taken): whatever it is, this kernel's check is not ours */
		err = errno == EEXIST ? -EEXIST : -EPROTO;
		close(pfd);
		return err;
	}
	return pfd;
}

static void *close_fd(void *fd)
{
	close((int)(intptr_t)fd);
	return NULL;
}

/*
 * Releases the held perf events after the run. A lent one stays open in the resident process, so
 * closing the run's copy costs nothing. Closing an event of the run's own, which holds a program,
 * waits for the kernel to be done with it (8-15 ms each on this machine), and concurrent closes
 * wait together, so a run with six hooks pays that once instead of six times.
 */
void close_kernel_checks(struct run *run)
{
	pthread_t threads[MAX_HOOKS];
	bool started[MAX_HOOKS] = {0};

	for (int h = 0; h < MAX_HOOKS; h++) {
		struct check_event *c = &run->check_events[h];

		if (!c->held)
			continue;
		if (!c->lent)
			started[h] = pthread_create(&threads[h], NULL, close_fd, (void *)(intptr_t)c->fd) == 0;
		if (!started[h])
			close(c->fd);
		*c = (struct check_event){0};
	}
	for (int h = 0; h < MAX_HOOKS; h++)
		if (started[h])
			pthread_join(threads[h], NULL);
}

static int discard_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	++*(long long *)ctx;
	return 0;
}

/*
 * Every map back to its state at load: hash maps emptied, arrays zeroed, writable globals
 * restored, ring buffers drained. Returns the records drained from the ring buffers, or -1.
 */
long long reset_student_state(struct run *run)
{
	struct bpf_map *m;
	long long drained = 0;

	bpf_object__for_each_map(m, run->obj) {
		if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF) {
			struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(m), discard_record, &drained, NULL);

			if (!rb)
				return -1;
			ring_buffer__consume(rb);
			ring_buffer__free(rb);
		} else if (!is_rodata(m)) {
			clear_map(run, m);
		}
	}
	return drained;
}

/*
 * The kernel's check of each program's context reads, before any enters the prog array: on its
 * hook's held event, where the kernel either refuses it (EACCES) or would attach it but finds
 * the event taken (EEXIST). Programs on the same hook share the event. The resident dispatcher
 * lends the events it holds (their canary was refused when it opened them); the others are
 * opened here.
 */
enum step kernel_context_checks(struct run *run)
{
	int holder = -1, canary = -1, err;
	enum step st = STEP_OK;
	char msg[512];

	for (int i = 0; i < run->nprogs && st == STEP_OK; i++) {
		struct bpf_program *p = run->progs[i];
		int hi = run->prog_hook[i];
		const struct hook *h = &run->hooks[hi];
		struct check_event *ev = &run->check_events[hi];

		if (!ev->held && holder < 0 && (err = load_check_programs(&holder, &canary))) {
			emit_fatal("kernel check: cannot load its own programs: %s", strerror(-err));
			return STEP_FAILED;
		}
		if (!ev->held) {
			int fd = open_check_event(h, holder, canary);

			if (fd < 0) {
				emit_fatal("kernel check on %s/%s: %s", h->cat, h->name,
					   fd == -EEXIST || fd == -EPROTO
						   ? "the kernel did not refuse a program reading past the "
						     "record: its check cannot be trusted here"
						   : strerror(-fd));
				st = STEP_FAILED;
				break;
			}
			*ev = (struct check_event){.held = true, .fd = fd};
		}
		if (!ioctl(ev->fd, PERF_EVENT_IOC_SET_BPF, bpf_program__fd(p))) {
			/* never on a kernel that checks as above: the canary said so */
			emit_fatal("kernel check: %s was attached to %s/%s", bpf_program__name(p), h->cat,
				   h->name);
			st = STEP_FAILED;
		} else if (errno == EEXIST) {
			continue;
		} else if (errno == EACCES) {
			snprintf(msg, sizeof(msg),
				 "the kernel refused %s: it reads its context past the end of %s's %d-byte "
				 "record",
				 bpf_program__name(p), h->name, h->record_bytes);
			emit_attach_error(bpf_program__name(p), bpf_program__section_name(p), EACCES, msg);
			st = STEP_REFUSED;
		} else {
			int err = errno;

			snprintf(msg, sizeof(msg), "the kernel refused %s on %s/%s: %s", bpf_program__name(p),
				 h->cat, h->name, strerror(err));
			emit_attach_error(bpf_program__name(p), bpf_program__section_name(p), err, msg);
			st = STEP_REFUSED;
		}
	}
	if (holder >= 0) {
		close(holder);
		close(canary);
	}
	phase("  programs checked");
	return st;
}
