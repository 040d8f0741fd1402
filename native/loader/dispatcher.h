/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the loader and the dispatcher (dispatcher.bpf.c) both read: the BPF cookie of each
 * attachment, the size of the prog array and the syscall events the dispatcher records.
 * Included by BPF C (after vmlinux.h) and by the loader's C (after <linux/types.h>).
 */
#ifndef LAB_DISPATCHER_H
#define LAB_DISPATCHER_H

/* Entries of disp_progs: one slot per student program. */
#define DISP_SLOTS 64
/* Bytes of an openat path kept in an event. */
#define DISP_PATH_MAX 256

/*
 * The cookie of one attachment (64 bits): the prog-array slot of the student program to hand
 * the context to (bits 0-15, COOKIE_SLOT_NONE for none), the loader's index of the hook
 * (bits 16-31), and two flags.
 */
#define COOKIE_SLOT_NONE 0xffffull
#define COOKIE_HOOK_SHIFT 16
/* This attachment records its hook into disp_events (one per observed hook does). */
#define COOKIE_RECORD (1ull << 32)
/* On sys_enter_openat: sys_exit_openat is recorded too, so keep the path pointer for it. */
#define COOKIE_KEEP_PATH (1ull << 33)

static inline __attribute__((always_inline)) __u64 cookie_make(__u32 slot, __u32 hook, __u64 flags)
{
	return (__u64)(slot & 0xffff) | ((__u64)(hook & 0xffff) << COOKIE_HOOK_SHIFT) | flags;
}

static inline __attribute__((always_inline)) __u32 cookie_slot(__u64 cookie)
{
	return (__u32)(cookie & 0xffff);
}

static inline __attribute__((always_inline)) __u32 cookie_hook(__u64 cookie)
{
	return (__u32)((cookie >> COOKIE_HOOK_SHIFT) & 0xffff);
}

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
