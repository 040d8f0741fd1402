// SPDX-License-Identifier: GPL-2.0
/*
 * The platform's own programs. One object serves any set of hooks: the loader attaches one of
 * these programs per hook (chosen by the shape of the hook's record) with a BPF cookie that says
 * which hook it is, whether to record it, and which prog-array slot holds the student's program.
 *
 * Every program first checks that the current task is in the run's cgroup, so nothing of the
 * student's runs for any other process on the host. Each reads exactly the fields of its record
 * shape and no further: the kernel checks that at attach time for these programs (it does not
 * for the tail-called student program; the static checks do that before load).
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

/* Set by the loader before load: the run's cgroup v2 id (the inode of its directory). */
const volatile __u64 run_cgroup = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DISP_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} disp_progs SEC(".maps");

/*
 * openat's path pointer per thread (pid_tgid), from sys_enter_openat to sys_exit_openat.
 * At enter the string may sit in a page the target has not touched yet (a .rodata constant),
 * and BPF cannot fault pages in, so the read fails; by exit the kernel has copied the path and
 * faulted the page in. A thread is inside one syscall at a time and every thread of the run
 * counts against its pids limit, so the loader sizes this map to that limit; exit deletes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} disp_open_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} disp_events SEC(".maps");

static __always_inline struct disp_event *begin(__u64 cookie, __u32 phase)
{
	struct disp_event *e;

	if (!(cookie & COOKIE_RECORD))
		return 0;
	e = bpf_ringbuf_reserve(&disp_events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
	e->pid_tgid = bpf_get_current_pid_tgid();
	e->hook = cookie_hook(cookie);
	e->phase = phase;
	e->nr = -1;
	e->nargs = 0;
	e->path_len = 0;
	e->path[0] = 0;
	for (int i = 0; i < 6; i++)
		e->args[i] = 0;
	return e;
}

static __always_inline int hand_over(void *ctx, __u64 cookie)
{
	__u32 slot = cookie_slot(cookie);

	if (slot != COOKIE_SLOT_NONE)
		bpf_tail_call(ctx, &disp_progs, slot);
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
		__u64 cookie;                                                            \
		struct disp_event *e;                                                    \
		if (bpf_get_current_cgroup_id() != run_cgroup)                           \
			return 0;                                                        \
		cookie = bpf_get_attach_cookie(ctx);                                     \
		e = begin(cookie, PHASE_ENTER);                                          \
		if (e) {                                                                 \
			e->nr = ctx->id;                                                 \
			e->nargs = N;                                                    \
			COPY_ARGS(e, ctx, N);                                            \
			bpf_ringbuf_submit(e, 0);                                        \
		}                                                                        \
		return hand_over(ctx, cookie);                                           \
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
	struct disp_event *e;
	__u64 cookie, tid, filename;

	if (bpf_get_current_cgroup_id() != run_cgroup)
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	filename = ctx->args[1];
	if (cookie & COOKIE_KEEP_PATH) {
		tid = bpf_get_current_pid_tgid();
		/* when full (more threads than the pids limit?), the exit just reports no path */
		bpf_map_update_elem(&disp_open_paths, &tid, &filename, BPF_ANY);
	}
	e = begin(cookie, PHASE_ENTER);
	if (e) {
		e->nr = ctx->id;
		e->nargs = 4;
		COPY_ARGS(e, ctx, 4);
		e->path_len = bpf_probe_read_user_str(e->path, sizeof(e->path), (const void *)filename);
		bpf_ringbuf_submit(e, 0);
	}
	return hand_over(ctx, cookie);
}

/* sys_exit_* records: common fields, __syscall_nr at 8, ret at 16; 24 bytes. */
SEC("tracepoint")
int disp_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct disp_event *e;
	__u64 cookie;

	if (bpf_get_current_cgroup_id() != run_cgroup)
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	e = begin(cookie, PHASE_EXIT);
	if (e) {
		e->nr = ctx->id;
		e->args[0] = ctx->ret;
		bpf_ringbuf_submit(e, 0);
	}
	return hand_over(ctx, cookie);
}

/*
 * sys_exit_openat: the 24-byte exit record like disp_exit (never the arguments, which are not
 * in it), plus the path read through the pointer its enter kept.
 */
SEC("tracepoint")
int disp_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct disp_event *e;
	__u64 cookie, tid, filename = 0, *kept;

	if (bpf_get_current_cgroup_id() != run_cgroup)
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	if (cookie & COOKIE_RECORD) {
		tid = bpf_get_current_pid_tgid();
		kept = bpf_map_lookup_elem(&disp_open_paths, &tid);
		if (kept) {
			filename = *kept;
			bpf_map_delete_elem(&disp_open_paths, &tid);
		}
	}
	e = begin(cookie, PHASE_EXIT);
	if (e) {
		e->nr = ctx->id;
		e->args[0] = ctx->ret;
		if (filename)
			e->path_len = bpf_probe_read_user_str(e->path, sizeof(e->path),
							      (const void *)filename);
		bpf_ringbuf_submit(e, 0);
	}
	return hand_over(ctx, cookie);
}

/* Any other tracepoint (sched/sched_process_exec, ...): the record is not read at all. */
SEC("tracepoint")
int disp_raw(void *ctx)
{
	struct disp_event *e;
	__u64 cookie;

	if (bpf_get_current_cgroup_id() != run_cgroup)
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	e = begin(cookie, PHASE_RAW);
	if (e)
		bpf_ringbuf_submit(e, 0);
	return hand_over(ctx, cookie);
}
