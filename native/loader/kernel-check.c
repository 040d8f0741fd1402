// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own bound on context reads. A tail-called program skips the check the kernel
 * makes when a tracepoint program is attached (`max_ctx_offset` against the record, in
 * perf_event_set_bpf_prog), and a tail-called over-read oopses the kernel (docs/architecture.md,
 * section 4). The static checks bound context reads first; this makes the kernel check too, whatever
 * the object hid from them: each program is attached to its own tracepoint through a perf event,
 * where the kernel refuses a read past the record with EACCES before attaching anything, and the
 * event is closed at once.
 *
 * A program that passes is attached for that moment, and a tracepoint's programs run for every
 * process whose event fires, enabled or not: reset_student_state() then wipes whatever it saw.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "loader.h"

/* 0 when the kernel accepts prog on h's tracepoint, else -errno; *platform set for our faults. */
static int kernel_context_check(struct bpf_program *prog, const struct hook *h, bool *platform)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.disabled = 1,
	};
	int id = tracepoint_id(h), pfd, err = 0;

	*platform = true;
	if (id <= 0)
		return id < 0 ? id : -ENOENT;
	attr.config = (uint64_t)id;
	/* any CPU will do: the program runs wherever the tracepoint fires, whatever the event's CPU */
	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -errno;
	*platform = false;
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, bpf_program__fd(prog)))
		err = -errno;
	close(pfd);
	return err;
}

/*
 * Waits until no run of a program that was attached during the check can still be under way:
 * programs on tracepoints run inside an RCU read-side section, and MEMBARRIER_CMD_GLOBAL waits for
 * an RCU grace period.
 */
static void wait_for_check_runs(void)
{
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(50000); /* nohz_full kernels refuse it; a grace period is far shorter than this */
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
 * The kernel's check of each program's context reads, before any enters the prog array. The
 * dispatchers are attached already (tail-calling into an empty array): they keep each hook's
 * tracepoint registered, so closing a check's event does not wait for the tracepoint to be
 * unregistered (~45 ms per hook here).
 */
enum step kernel_context_checks(struct run *run)
{
	char msg[512];

	for (int i = 0; i < run->nprogs; i++) {
		struct bpf_program *p = run->progs[i];
		const struct hook *h = &run->hooks[run->prog_hook[i]];
		bool platform;
		int err = kernel_context_check(p, h, &platform);

		if (!err)
			continue;
		if (platform) {
			emit_fatal("kernel check of %s on %s/%s: %s", bpf_program__name(p), h->cat, h->name,
				   strerror(-err));
			return STEP_FAILED;
		}
		if (err == -EACCES) {
			snprintf(msg, sizeof(msg),
				 "the kernel refused %s: it reads its context past the end of %s's %d-byte "
				 "record",
				 bpf_program__name(p), h->name, h->record_bytes);
			emit_attach_error(bpf_program__name(p), bpf_program__section_name(p), EACCES, msg);
		} else {
			snprintf(msg, sizeof(msg), "the kernel refused %s on %s/%s: %s", bpf_program__name(p),
				 h->cat, h->name, strerror(-err));
			emit_attach_error(bpf_program__name(p), bpf_program__section_name(p), -err, msg);
		}
		return STEP_REFUSED;
	}
	wait_for_check_runs();
	return STEP_OK;
}
