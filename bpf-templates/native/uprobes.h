/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Uprobes and uretprobes on the target's own functions and on libc, for the loader.
 *
 * Sections, as the exercise allows them:
 *   uprobe/<function>             uretprobe/<function>              the target's own function
 *   uprobe/libc.so.6:<function>   uretprobe/libc.so.6:<function>    a function of libc
 *
 * The student's programs are attached directly, with the kernel's pid filter, to the target
 * process only: uprobes_attach() is called between fork and exec, while the target is held.
 */
#ifndef LAB_UPROBES_H
#define LAB_UPROBES_H

#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* True for a `uprobe/…` or `uretprobe/…` section (attached here, not through the dispatcher). */
bool uprobe_section(const char *sec);

/*
 * Resolves the program's function in `target` (the scenario's binary) or libc, once, before any
 * scenario. 0, or -errno with a message for the student in `err`.
 */
int uprobe_add(struct bpf_program *prog, const char *target, char *err, size_t errlen);

/* How many programs uprobe_add() took. */
int uprobe_count(void);

/*
 * Attaches every program to `pid` alone (held before its exec). Returns the kernel ids of the
 * links made, or NULL with a message in `err` (nothing left attached then).
 */
json_object *uprobes_attach(pid_t pid, const char *target, char *err, size_t errlen);

/* Detaches every program (the end of a scenario, or of the run). */
void uprobes_detach(void);

#endif
