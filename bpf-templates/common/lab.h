/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lab.h: the student's side of the eBPF Lab contract.
 *
 *   SUBMIT(buf, len)       report len bytes of a BPF-side buffer (stack array or map value)
 *   SUBMIT_USER(ptr, len)  report len bytes read from the target's user memory
 *   SUBMIT_NUM(n)          report a number
 *   DEBUG(fmt, ...)        a printf-style line in the run's event stream (not graded);
 *                          numbers only (%d %u %x %ld %llu %c ...): %s and %p would read
 *                          memory through the argument and are refused before load
 *   ARG(ctx, n)            in a uprobe: the probed function's n-th argument (n = 1..6)
 *   RETVAL(ctx)            in a uretprobe: the value the probed function returned
 *
 * Each record carries at most LAB_MAX_RECORD_BYTES (256) bytes; longer requests are cut and
 * marked truncated. The macros accept any `len` (signed, unbounded, masked, ...): they clamp it
 * themselves so the verifier always sees a bounded size.
 *
 * Names starting with `lab_` are reserved for this header: do not name your maps, programs or
 * globals `lab_...`.
 */
#ifndef EBPF_LAB_H
#define EBPF_LAB_H

/*
 * vmlinux.h is generated from the running kernel's own BTF at set-up, so CO-RE relocations of
 * field accesses would change nothing, yet any relocation makes libbpf parse the kernel's BTF
 * (~6 MB) at every load: 100-200 ms of a run on this machine. Plain offsets instead.
 */
#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#define BPF_NO_PRESERVE_ACCESS_INDEX
#endif
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
/* bpf_ntohs, bpf_ntohl and friends: network data is big-endian, this machine is not */
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

#define LAB_MAX_RECORD_BYTES 256

/* Record kinds and flags, as the loader (native/loader/observe.c) decodes them. */
#define LAB_KIND_BYTES 1
#define LAB_KIND_USER 2
#define LAB_KIND_NUM 3
#define LAB_KIND_DEBUG 4
#define LAB_FLAG_TRUNCATED 1
#define LAB_FLAG_SIGNED 2

struct lab_record {
	__u64 ts;
	__u64 pid_tgid;
	__u32 kind;
	__u32 flags;
	__u32 len;
	__u32 lab_pad;
	__u8 data[LAB_MAX_RECORD_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} lab_events SEC(".maps");

/*
 * Keeps clang from folding a clamp into a form the verifier cannot follow (for example
 * checking a copy of the register and then using the unchecked original).
 */
#define lab_barrier(v) asm volatile("" : "+r"(v))

static __always_inline struct lab_record *lab_reserve(__u32 kind)
{
	struct lab_record *r = bpf_ringbuf_reserve(&lab_events, sizeof(*r), 0);

	if (!r)
		return 0;
	r->ts = bpf_ktime_get_ns();
	r->pid_tgid = bpf_get_current_pid_tgid();
	r->kind = kind;
	r->flags = 0;
	r->len = 0;
	r->lab_pad = 0;
	return r;
}

/*
 * Clamps a requested length of any integer type to [0, cap]; sets *cut when it had to.
 * Negative values (a failed syscall's ret) become 0.
 */
static __always_inline __u64 lab_clamp(__s64 want, __u64 cap, __u32 *cut)
{
	__u64 n;

	if (want < 0) {
		*cut = 1;
		return 0;
	}
	n = (__u64)want;
	lab_barrier(n);
	if (n > cap) {
		*cut = 1;
		n = cap;
	}
	lab_barrier(n);
	return n;
}

/* True when `x` is an array (its size is known), false for a pointer. */
#define lab_is_array(x) (!__builtin_types_compatible_p(__typeof__(x), __typeof__(&(x)[0])))
#define lab_cap_of(buf)                                                                  \
	(lab_is_array(buf) && sizeof(buf) < LAB_MAX_RECORD_BYTES ? sizeof(buf)           \
								  : LAB_MAX_RECORD_BYTES)

/*
 * Copies BPF-side memory byte by byte: the only helper that copies a variable amount of BPF
 * memory is bpf_probe_read_kernel, which students may not use. The loop bound is a constant
 * (the buffer's size when it is an array), so the verifier checks each access against it.
 */
static __always_inline void lab_submit_bytes(const void *buf, __s64 want, __u64 cap)
{
	struct lab_record *r = lab_reserve(LAB_KIND_BYTES);
	const __u8 *src = buf;
	__u32 cut = 0;
	__u64 n;
	__u32 i;

	if (!r)
		return;
	n = lab_clamp(want, cap, &cut);
	for (i = 0; i < LAB_MAX_RECORD_BYTES; i++) {
		__u8 c;

		if (i >= cap || i >= n)
			break;
		c = src[i];
		/* stops clang from turning the loop into a variable-length memcpy */
		lab_barrier(c);
		r->data[i] = c;
	}
	r->len = i;
	r->flags = cut ? LAB_FLAG_TRUNCATED : 0;
	bpf_ringbuf_submit(r, 0);
}

static __always_inline void lab_submit_user(const void *ptr, __s64 want)
{
	struct lab_record *r = lab_reserve(LAB_KIND_USER);
	__u32 cut = 0;
	__u64 n;

	if (!r)
		return;
	n = lab_clamp(want, LAB_MAX_RECORD_BYTES, &cut);
	if (n > 0 && bpf_probe_read_user(r->data, n, ptr) != 0) {
		/* the read failed: nothing of it is kept */
		cut = 1;
		n = 0;
	}
	r->len = n;
	r->flags = cut ? LAB_FLAG_TRUNCATED : 0;
	bpf_ringbuf_submit(r, 0);
}

static __always_inline void lab_submit_num(__u64 v, __u32 is_signed)
{
	struct lab_record *r = lab_reserve(LAB_KIND_NUM);

	if (!r)
		return;
	*(__u64 *)r->data = v;
	r->len = sizeof(__u64);
	r->flags = is_signed ? LAB_FLAG_SIGNED : 0;
	bpf_ringbuf_submit(r, 0);
}

#define SUBMIT(buf, len) lab_submit_bytes((buf), (__s64)(len), lab_cap_of(buf))
#define SUBMIT_USER(ptr, len) lab_submit_user((const void *)(ptr), (__s64)(len))
#define SUBMIT_NUM(n)                                                                    \
	({                                                                               \
		__typeof__(n) lab_n = (n);                                               \
		lab_submit_num((__u64)lab_n, (__typeof__(n))-1 < (__typeof__(n))0);     \
	})

/*
 * bpf_snprintf into the run's own ring buffer (bpf_trace_printk would write to the host's
 * global trace buffer, shared by everyone). At most 12 arguments, as bpf_snprintf allows.
 */
#define DEBUG(fmt, args...)                                                              \
	({                                                                               \
		struct lab_record *lab_r = lab_reserve(LAB_KIND_DEBUG);                  \
		if (lab_r) {                                                             \
			long lab_ret;                                                    \
			static const char lab_fmt[] = fmt;                               \
			unsigned long long lab_args[___bpf_narg(args)];                  \
			___bpf_fill(lab_args, args);                                     \
			lab_ret = bpf_snprintf((char *)lab_r->data, LAB_MAX_RECORD_BYTES,\
					       lab_fmt, lab_args, sizeof(lab_args));    \
			if (lab_ret > LAB_MAX_RECORD_BYTES)                              \
				lab_r->flags = LAB_FLAG_TRUNCATED;                       \
			/* the count includes the NUL; keep the text only */            \
			lab_r->len = lab_ret > 0 ? (lab_ret > LAB_MAX_RECORD_BYTES ?     \
					LAB_MAX_RECORD_BYTES - 1 : lab_ret - 1) : 0;     \
			bpf_ringbuf_submit(lab_r, 0);                                    \
		}                                                                        \
	})

/*
 * Uprobes: SEC("uprobe/<function>") runs as the target enters one of its own functions,
 * SEC("uretprobe/<function>") as the function returns (SEC("uprobe/libc.so.6:<function>") for a
 * function of libc). The context is the thread's registers at that moment (struct pt_regs),
 * read-only. On x86-64 a function receives its first six integer or pointer arguments in rdi,
 * rsi, rdx, rcx, r8 and r9, and returns its value in rax; at the return the argument registers
 * hold whatever the function left there, so keep what you need from the entry.
 * Both give a __u64: cast it to what the function declares ((const char *)ARG(ctx, 1),
 * (int)RETVAL(ctx)). A pointer argument points into the target's memory: read it with
 * bpf_probe_read_user or bpf_probe_read_user_str.
 */
#define lab_arg_1(ctx) ((ctx)->di)
#define lab_arg_2(ctx) ((ctx)->si)
#define lab_arg_3(ctx) ((ctx)->dx)
#define lab_arg_4(ctx) ((ctx)->cx)
#define lab_arg_5(ctx) ((ctx)->r8)
#define lab_arg_6(ctx) ((ctx)->r9)
/* n must be written as 1 to 6: anything else names no lab_arg_ macro and does not compile */
#define ARG(ctx, n) ((__u64)lab_arg_##n((const struct pt_regs *)(ctx)))
#define RETVAL(ctx) ((__u64)((const struct pt_regs *)(ctx))->ax)

#endif /* EBPF_LAB_H */
