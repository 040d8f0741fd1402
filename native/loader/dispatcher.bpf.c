// SPDX-License-Identifier: GPL-2.0
/*
 * The platform's own programs. One object serves any set of hooks and runs: one of these
 * programs is attached per hook and instance (chosen by the shape of the hook's record), with a
 * BPF cookie naming the hook and the instance. What each run asks of each hook (record it, which
 * student programs to tail-call) is in maps, found through the run's cgroup.
 *
 * Every program first looks the current task's cgroup up among the runs', so nothing of a
 * student's runs for any other process on the host, and each run's programs and events stay its
 * own. Each reads exactly the fields of its record shape and no further: the kernel checks that
 * at attach time for these programs (it does not for the tail-called student program; the static
 * checks do that before load).
 */
/*
 * Tracepoint records are a stable layout (tracefs `format`), so no CO-RE relocations: libbpf
 * then need not parse the kernel's BTF for this object, which costs tens of ms per run.
 */
#define BPF_NO_PRESERVE_ACCESS_INDEX
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "dispatcher.h"

char LICENSE[] SEC("license") = "GPL";

/* The runs: a run's cgroup v2 id (the inode of its directory) to its index. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DISP_RUNS);
	__type(key, __u64);
	__type(value, __u32);
} disp_runs SEC(".maps");

/* What run r asks of hook h, at r * DISP_HOOKS + h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DISP_RUNS * DISP_HOOKS);
	__type(key, __u32);
	__type(value, struct disp_hook_run);
} disp_hook_runs SEC(".maps");

/* The runs' programs: run r's from r * DISP_SLOTS. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DISP_RUNS * DISP_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} disp_progs SEC(".maps");

/*
 * openat's path pointer per thread (pid_tgid), from sys_enter_openat to sys_exit_openat.
 * At enter the string may sit in a page the target has not touched yet (a .rodata constant),
 * and BPF cannot fault pages in, so the read fails; by exit the kernel has copied the path and
 * faulted the page in. A thread is inside one syscall at a time and every thread of a run
 * counts against its pids limit, so a loader sizes its own map to that limit; exit deletes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct disp_open_path);
} disp_open_paths SEC(".maps");

/*
 * Each run's events go to its own ring buffer (DISP_EVENT_BYTES), which its loader creates and
 * reads. The inner map is given by the loader at load time (host.c), not described here: the
 * lab's static checks, which read this object too, know no map-in-map descriptions.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, DISP_RUNS);
	__type(key, __u32);
	__type(value, __u32);
} disp_events SEC(".maps");

/*
 * Each run's count of the events its ring buffer had no room for (one __u64 at key 0), made and
 * read by its loader like the ring, inner map given at load time too. Those events are the
 * truth the run is graded against, so a run that lost any is not graded (observe.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, DISP_RUNS);
	__type(key, __u32);
	__type(value, __u32);
} disp_lost SEC(".maps");

/*
 * The run the current task belongs to, what it asks of this attachment's hook, and how the event
 * begin() reserved is to be submitted.
 */
struct where {
	__u32 run;
	__u32 instance;
	struct disp_hook_run *hr;
	__u64 submit_flags;
};

static __always_inline int find_run(void *ctx, struct where *w)
{
	__u64 cgroup = bpf_get_current_cgroup_id(), cookie;
	__u32 *run = bpf_map_lookup_elem(&disp_runs, &cgroup), key;

	if (!run)
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	w->run = *run;
	w->instance = cookie_instance(cookie);
	key = w->run * DISP_HOOKS + cookie_hook(cookie);
	w->hr = bpf_map_lookup_elem(&disp_hook_runs, &key);
	return w->hr != 0;
}

/* Whether this attachment records its hook for the run. */
static __always_inline int recording(const struct where *w)
{
	return w->instance == 0 && (w->hr->flags & HOOK_RECORD);
}

/* Reached only when the ring is full: a flood, never a run read in time. */
static __always_inline void count_lost(__u32 run)
{
	__u32 zero = 0;
	void *counts = bpf_map_lookup_elem(&disp_lost, &run);
	__u64 *lost;

	if (!counts)
		return;
	lost = bpf_map_lookup_elem(counts, &zero);
	if (lost)
		__sync_fetch_and_add(lost, 1);
}

static __always_inline struct disp_event *begin(struct where *w, __u32 phase)
{
	struct disp_event *e;
	void *ring;

	if (!recording(w))
		return 0;
	ring = bpf_map_lookup_elem(&disp_events, &w->run);
	if (!ring)
		return 0;
	e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);
	if (!e) {
		count_lost(w->run);
		return 0;
	}
	/*
	 * The loader reads the ring when the target has exited, so waking it for each event would
	 * cost a wake-up, a read and a line written per event. It is woken only once a quarter of
	 * the ring is waiting, so that a flood is read while it goes on and never fills the ring.
	 */
	w->submit_flags = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) > DISP_EVENT_BYTES / 4
				  ? BPF_RB_FORCE_WAKEUP
				  : BPF_RB_NO_WAKEUP;
	e->ts = bpf_ktime_get_ns();
	e->pid_tgid = bpf_get_current_pid_tgid();
	e->hook = w->hr->hook;
	e->phase = phase;
	e->nr = -1;
	e->nargs = 0;
	e->path_len = 0;
	e->path[0] = 0;
	for (int i = 0; i < 6; i++)
		e->args[i] = 0;
	return e;
}

static __always_inline int hand_over(void *ctx, const struct where *w)
{
	__u32 i = w->instance;

	if (i >= w->hr->nprogs)
		return 0;
	/* bounded where the verifier sees it: clang would check a copy of i */
	barrier_var(i);
	if (i >= DISP_INSTANCES)
		return 0;
	bpf_tail_call(ctx, &disp_progs, w->run * DISP_SLOTS + w->hr->slot[i]);
	return 0;
}

/*
 * Constant offsets only: a loop over ctx->args can be compiled into a moved context pointer,
 * which the verifier refuses.
 */
#define COPY_ARG(e, ctx, n, i)                                                           \
	if ((n) > (i))                                                                   \
	e->args[i] = ctx->args[i]
#define COPY_ARGS(e, ctx, n)                                                             \
	do {                                                                             \
		COPY_ARG(e, ctx, n, 0);                                                  \
		COPY_ARG(e, ctx, n, 1);                                                  \
		COPY_ARG(e, ctx, n, 2);                                                  \
		COPY_ARG(e, ctx, n, 3);                                                  \
		COPY_ARG(e, ctx, n, 4);                                                  \
		COPY_ARG(e, ctx, n, 5);                                                  \
	} while (0)

/*
 * sys_enter_* records: 8 bytes of common fields, __syscall_nr at 8, then one 8-byte slot per
 * argument from offset 16. A program for N arguments reads exactly 16 + 8 * N bytes.
 */
#define ENTER_PROG(N)                                                                    \
	SEC("tracepoint")                                                                \
	int disp_enter##N(struct trace_event_raw_sys_enter *ctx)                        \
	{                                                                                \
		struct where w;                                                          \
		struct disp_event *e;                                                    \
		if (!find_run(ctx, &w))                                                  \
			return 0;                                                        \
		e = begin(&w, PHASE_ENTER);                                              \
		if (e) {                                                                 \
			e->nr = ctx->id;                                                 \
			e->nargs = N;                                                    \
			COPY_ARGS(e, ctx, N);                                            \
			bpf_ringbuf_submit(e, w.submit_flags);                           \
		}                                                                        \
		return hand_over(ctx, &w);                                               \
	}

ENTER_PROG(0)
ENTER_PROG(1)
ENTER_PROG(2)
ENTER_PROG(3)
ENTER_PROG(4)
ENTER_PROG(5)
ENTER_PROG(6)

/*
 * sys_enter_openat: four arguments, and the path string from the target's memory when it can
 * be read now (else the exit reads it, see disp_open_paths).
 */
SEC("tracepoint")
int disp_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct disp_open_path kept = {};
	struct disp_event *e;
	struct where w;
	__u64 tid, filename;

	if (!find_run(ctx, &w))
		return 0;
	filename = ctx->args[1];
	if (recording(&w) && (w.hr->flags & HOOK_KEEP_PATH)) {
		tid = bpf_get_current_pid_tgid();
		kept.filename = filename;
		kept.run = w.run;
		/* when full (more threads than the pids limit?), the exit just reports no path */
		bpf_map_update_elem(&disp_open_paths, &tid, &kept, BPF_ANY);
	}
	e = begin(&w, PHASE_ENTER);
	if (e) {
		e->nr = ctx->id;
		e->nargs = 4;
		COPY_ARGS(e, ctx, 4);
		e->path_len = bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)filename);
		bpf_ringbuf_submit(e, w.submit_flags);
	}
	return hand_over(ctx, &w);
}

/* sys_exit_* records: common fields, __syscall_nr at 8, ret at 16; 24 bytes. */
SEC("tracepoint")
int disp_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct disp_event *e;
	struct where w;

	if (!find_run(ctx, &w))
		return 0;
	e = begin(&w, PHASE_EXIT);
	if (e) {
		e->nr = ctx->id;
		e->args[0] = ctx->ret;
		bpf_ringbuf_submit(e, w.submit_flags);
	}
	return hand_over(ctx, &w);
}

/*
 * sys_exit_openat: the 24-byte exit record like disp_exit (never the arguments, which are not
 * in it), plus the path read through the pointer its enter kept for the same run.
 */
SEC("tracepoint")
int disp_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct disp_open_path *kept;
	struct disp_event *e;
	struct where w;
	__u64 tid, filename = 0;

	if (!find_run(ctx, &w))
		return 0;
	if (recording(&w)) {
		tid = bpf_get_current_pid_tgid();
		kept = bpf_map_lookup_elem(&disp_open_paths, &tid);
		if (kept) {
			if (kept->run == w.run)
				filename = kept->filename;
			bpf_map_delete_elem(&disp_open_paths, &tid);
		}
	}
	e = begin(&w, PHASE_EXIT);
	if (e) {
		e->nr = ctx->id;
		e->args[0] = ctx->ret;
		if (filename)
			e->path_len = bpf_probe_read_user_str(e->path, sizeof(e->path),
							      (const void *)filename);
		bpf_ringbuf_submit(e, w.submit_flags);
	}
	return hand_over(ctx, &w);
}

/* Any other tracepoint (sched/sched_process_exec, ...): the record is not read at all. */
SEC("tracepoint")
int disp_raw(void *ctx)
{
	struct disp_event *e;
	struct where w;

	if (!find_run(ctx, &w))
		return 0;
	e = begin(&w, PHASE_RAW);
	if (e)
		bpf_ringbuf_submit(e, w.submit_flags);
	return hand_over(ctx, &w);
}
