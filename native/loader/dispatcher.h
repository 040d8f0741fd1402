/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the loader and the dispatcher (dispatcher.bpf.c) both read: the BPF cookie of each
 * attachment, the size of the prog array and the syscall events the dispatcher records.
 * Included by BPF C (after vmlinux.h) and by the loader's C (after <linux/types.h>).
 */
#ifndef LAB_DISPATCHER_H
#define LAB_DISPATCHER_H

/*
 * One dispatcher serves up to DISP_RUNS runs at once: a resident dispatcher (resident.c) all
 * the runs of the lab, a loader's own dispatcher its own run alone (its maps sized for one).
 * Each run has DISP_SLOTS prog-array slots for its programs, from run * DISP_SLOTS.
 */
#define DISP_RUNS 16
#define DISP_SLOTS 64
/* Hooks a dispatcher can serve; a run's config for each is at run * DISP_HOOKS + hook. */
#define DISP_HOOKS 128
/* Attachments per hook: a tracepoint takes a given program once, one per student program. */
#define DISP_INSTANCES 8
/* Bytes of an openat path kept in an event. */
#define DISP_PATH_MAX 256
/* Bytes of each run's ring buffer of events. */
#define DISP_EVENT_BYTES (512 * 1024)

/* The cookie of one attachment: which hook (bits 16-31) and which instance on it (bits 0-15). */
#define COOKIE_HOOK_SHIFT 16

static inline __attribute__((always_inline)) __u64 cookie_make(__u32 instance, __u32 hook)
{
	return (__u64)(instance & 0xffff) | ((__u64)(hook & 0xffff) << COOKIE_HOOK_SHIFT);
}

static inline __attribute__((always_inline)) __u32 cookie_instance(__u64 cookie)
{
	return (__u32)(cookie & 0xffff);
}

static inline __attribute__((always_inline)) __u32 cookie_hook(__u64 cookie)
{
	return (__u32)((cookie >> COOKIE_HOOK_SHIFT) & 0xffff);
}

/* The first instance on the hook records it into the run's ring buffer (observed hooks). */
#define HOOK_RECORD 1u
/* On sys_enter_openat: sys_exit_openat is recorded too, so keep the path pointer for it. */
#define HOOK_KEEP_PATH 2u

/* What one run asks of one hook (disp_hook_runs). */
struct disp_hook_run {
	__u32 hook;   /* the run's own index of the hook, reported in its events */
	__u32 flags;  /* HOOK_RECORD, HOOK_KEEP_PATH */
	__u32 nprogs; /* student programs on the hook: instance i tail-calls slot[i] */
	__u32 slot[DISP_INSTANCES];
};

/* openat's path pointer, kept from enter to exit for the run the thread belongs to. */
struct disp_open_path {
	__u64 filename;
	__u32 run;
	__u32 pad;
};

enum disp_phase { PHASE_ENTER = 0, PHASE_EXIT = 1, PHASE_RAW = 2 };

/* One traced call of the run's target, as the loader reports it in a `syscall` line. */
struct disp_event {
	__u64 ts;
	__u64 pid_tgid;
	__u32 hook;
	__u32 phase;
	__s64 nr;
	__u64 args[6];
	__u32 nargs;
	__s32 path_len; /* bpf_probe_read_user_str's result, counting the NUL; < 0 on failure */
	char path[DISP_PATH_MAX];
};

#endif
