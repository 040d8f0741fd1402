// SPDX-License-Identifier: GPL-2.0
/*
 * What the run observes while a scenario runs, from two ring buffers: the student's records
 * (SUBMIT and DEBUG, lab.h's lab_events) and the dispatcher's syscall events (disp_events).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader.h"

/* A record as bpf-templates/common/lab.h writes it (that header is the student's, BPF-only). */
#define RECORD_BYTES 256
struct lab_record {
	uint64_t ts, pid_tgid;
	uint32_t kind, flags, len, pad;
	uint8_t data[RECORD_BYTES];
};
enum { LAB_KIND_BYTES = 1, LAB_KIND_USER, LAB_KIND_NUM, LAB_KIND_DEBUG };
#define LAB_FLAG_TRUNCATED 1
#define LAB_FLAG_SIGNED 2
_Static_assert(offsetof(struct lab_record, data) == 32 && sizeof(struct lab_record) == 288,
	       "struct lab_record is laid out as in lab.h");

static void add_pid(json_object *o, uint64_t pid_tgid)
{
	json_object_object_add(o, "pid", json_object_new_int((int)(pid_tgid >> 32)));
	json_object_object_add(o, "tid", json_object_new_int((int)(uint32_t)pid_tgid));
}

/* What one record takes in the ring: the kernel's 8-byte header, then the record. */
#define RECORD_SLOT_BYTES (8 + sizeof(struct lab_record))

int watch_record_ring(struct run *run, int fd)
{
	struct bpf_map_info info = {0};
	uint32_t len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *cons, *prod;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	/* the ring's first page holds the consumer position, the next the producer's */
	cons = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
	if (cons == MAP_FAILED)
		return -1;
	prod = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd, page);
	if (prod == MAP_FAILED) {
		munmap(cons, (size_t)page);
		return -1;
	}
	run->records_consumer = cons;
	run->records_producer = prod;
	run->records_ring_bytes = info.max_entries;
	return 0;
}

void unwatch_record_ring(struct run *run)
{
	long page = sysconf(_SC_PAGESIZE);

	if (run->records_consumer)
		munmap((void *)run->records_consumer, (size_t)page);
	if (run->records_producer)
		munmap((void *)run->records_producer, (size_t)page);
	run->records_consumer = run->records_producer = NULL;
}

/*
 * Whether the student's ring may have been too full to take one more record since the last
 * record was read (lab.h's reserve failing leaves no other trace). Nothing but the loader
 * empties the ring, and libbpf moves the consumer position past a record only after its
 * callback, so the unread bytes seen in a callback (that record included) are at least what
 * was unread at any moment since the previous record's position was stored, less that one
 * record. A record dropped for want of room, which needs fewer than one record's bytes free,
 * therefore shows here as fewer than two free: a full ring is never missed, and a ring within
 * one record of full is reported too.
 */
static bool record_ring_was_full(const struct run *run)
{
	unsigned long prod, cons;

	if (!run->records_producer)
		return false;
	prod = __atomic_load_n(run->records_producer, __ATOMIC_ACQUIRE);
	cons = __atomic_load_n(run->records_consumer, __ATOMIC_ACQUIRE);
	return prod - cons > run->records_ring_bytes - 2 * RECORD_SLOT_BYTES;
}

int on_record(void *ctx, void *data, size_t size)
{
	struct run *run = ctx;
	const struct lab_record *r = data;
	json_object *o, *rec;
	uint32_t len;

	if (!run->cur || size < sizeof(*r) || run->records_limited)
		return 0;
	if (!run->records_ring_full && record_ring_was_full(run)) {
		run->records_ring_full = true;
		emit_limit(run->cur->id, "records-dropped",
			   "your programs sent records (SUBMIT/DEBUG) faster than the lab reads them "
			   "in scenario %s: the %lu records its ring buffer holds were waiting, so "
			   "the ones sent then were dropped; send fewer records, or only the ones the "
			   "exercise asks for",
			   run->cur->id, run->records_ring_bytes / RECORD_SLOT_BYTES);
	}
	if (++run->n_records > run->cfg.max_records) {
		run->records_limited = true;
		emit_limit(run->cur->id, "records",
			   "your programs sent more than %lld records (SUBMIT/DEBUG) in scenario %s; "
			   "the target was stopped",
			   run->cfg.max_records, run->cur->id);
		kill_cgroup(&run->cg);
		return 0;
	}
	len = r->len > RECORD_BYTES ? RECORD_BYTES : r->len;
	rec = json_object_new_object();
	json_object_object_add(rec, "ts", ju64(r->ts));
	add_pid(rec, r->pid_tgid);
	if (r->kind == LAB_KIND_DEBUG) {
		o = line("debug");
		size_t n = strnlen((const char *)r->data, len);
		json_object_object_add(rec, "text", jbytes(r->data, n));
	} else {
		o = line("submit");
		if (r->kind == LAB_KIND_NUM) {
			uint64_t v;

			memcpy(&v, r->data, sizeof(v));
			json_object_object_add(rec, "kind", json_object_new_string("num"));
			json_object_object_add(rec, "data",
					       r->flags & LAB_FLAG_SIGNED ? js64((int64_t)v) : ju64(v));
		} else {
			json_object_object_add(rec, "kind", json_object_new_string(
								    r->kind == LAB_KIND_USER ? "user" : "bytes"));
			json_object_object_add(rec, "data", jhex(r->data, len));
		}
		json_object_object_add(rec, "truncated",
				       json_object_new_boolean(!!(r->flags & LAB_FLAG_TRUNCATED)));
	}
	json_object_object_add(o, "scenario", json_object_new_string(run->cur->id));
	json_object_object_add(o, "record", rec);
	emit_batched(o);
	return 0;
}

int on_syscall(void *ctx, void *data, size_t size)
{
	struct run *run = ctx;
	const struct disp_event *e = data;
	json_object *o;

	if (!run->cur || size < sizeof(*e) || e->hook >= (uint32_t)run->nhooks || run->syscalls_limited)
		return 0;
	if (++run->n_syscalls > run->cfg.max_syscalls) {
		run->syscalls_limited = true;
		emit_limit(run->cur->id, "syscalls",
			   "the target made more than %lld traced calls in scenario %s; later ones are "
			   "not recorded",
			   run->cfg.max_syscalls, run->cur->id);
		return 0;
	}
	o = line("syscall");
	json_object_object_add(o, "scenario", json_object_new_string(run->cur->id));
	json_object_object_add(o, "phase", json_object_new_string(e->phase == PHASE_EXIT ? "exit" : "enter"));
	json_object_object_add(o, "hook", json_object_new_string(run->hooks[e->hook].name));
	json_object_object_add(o, "ts", ju64(e->ts));
	add_pid(o, e->pid_tgid);
	if (e->phase == PHASE_EXIT) {
		json_object_object_add(o, "ret", js64((int64_t)e->args[0]));
		/* the path its enter could not read yet (see disp_open_paths in the dispatcher) */
		if (run->hooks[e->hook].shape == SHAPE_EXIT_OPENAT && e->path_len > 0)
			json_object_object_add(o, "path", jbytes(e->path, strnlen(e->path, sizeof(e->path))));
	} else {
		json_object *args = json_object_new_array();

		for (uint32_t i = 0; i < e->nargs && i < 6; i++)
			json_object_array_add(args, ju64(e->args[i]));
		json_object_object_add(o, "args", args);
		if (run->hooks[e->hook].shape == SHAPE_OPENAT && e->path_len > 0)
			json_object_object_add(o, "path", jbytes(e->path, strnlen(e->path, sizeof(e->path))));
	}
	emit_batched(o);
	return 0;
}

int reset_lost_events(struct run *run)
{
	uint32_t key = 0;
	uint64_t zero = 0;

	return bpf_map_update_elem(run->lost_fd, &key, &zero, BPF_ANY);
}

/*
 * The events of the scenario the dispatcher had no room for in the run's ring (read once the
 * target and everything it started are gone): a `lost_events` line when there were any. They
 * are the truth the checks compare with, so the runner does not grade such a run.
 */
int report_lost_events(struct run *run, const struct scenario *sc)
{
	uint32_t key = 0;
	uint64_t lost = 0;
	json_object *o;

	if (bpf_map_lookup_elem(run->lost_fd, &key, &lost))
		return -1;
	if (!lost)
		return 0;
	o = line("lost_events");
	json_object_object_add(o, "scenario", json_object_new_string(sc->id));
	json_object_object_add(o, "count", json_object_new_int64((int64_t)lost));
	json_object_object_add(o, "ringBytes", json_object_new_int(DISP_EVENT_BYTES));
	emit(o);
	return 0;
}
