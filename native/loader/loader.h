/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader's modules and the one state they share: `struct run`, which main() owns and hands
 * to each step. Modules keep nothing else of a run in file-level variables, except what the
 * output module and the verification budget need from callbacks that take no context.
 */
#ifndef LAB_LOADER_H
#define LAB_LOADER_H

#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <linux/limits.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dispatcher.h"

#define TRACEFS "/sys/kernel/tracing"
#define MAX_HOOKS 64

/* config.c: the run's LoaderConfig (packages/protocol), read from stdin. */

struct file_spec {
	const char *path;
	unsigned char *data;
	size_t len;
	int mode;
};

struct scenario {
	const char *id, *target;
	const char **argv; /* NULL-terminated, argv[0] = target */
	struct file_spec *files;
	int nfiles;
	long wall_ms;
	bool private_network; /* "network": "private": a namespace of its own, loopback only */
};

/* One map as the static checks accepted it; globals are named by their section (`.bss`). */
struct map_view {
	const char *name, *type;
	long long key_size, value_size, max_entries, flags;
	bool matched;
};

struct config {
	json_object *root; /* owns every string below */
	const char *object;
	const char **observe;
	int nobserve;
	struct scenario *scenarios;
	int nscenarios;
	const char *cgroup;
	long long memory_bytes, pids, max_records, max_syscalls, max_map_entries, max_output;
	long long map_memory_bytes, map_dump_entries, map_dump_bytes, verify_ms, verified_insns;
	struct map_view *maps;
	int nmaps;
};

/* Exits with a `fatal` line when the config cannot be read. */
void read_config(struct config *cfg);

/* hooks.c: tracepoints and the shape of their records (from tracefs `format`). */

enum shape { SHAPE_ENTER, SHAPE_OPENAT, SHAPE_EXIT, SHAPE_EXIT_OPENAT, SHAPE_RAW };

struct hook {
	char cat[64], name[128];
	bool observe;   /* the platform records it (exercise's `observe` list) */
	bool recording; /* one attachment already records it */
	enum shape shape;
	int nargs;
	int record_bytes; /* the end of the record's last field */
};

/* cgroups.c: the run's cgroups, v2 (scoping, kill) and, on hybrid machines, v1 memory and pids. */
struct cgroups {
	char v2[PATH_MAX], mem[PATH_MAX], pids[PATH_MAX];
	bool v2_made, mem_made, pids_made;
	uint64_t id; /* what bpf_get_current_cgroup_id() returns inside the v2 one */
};

/* Initial values of one writable global section (.data, .bss and their .data.* kin). */
struct initial {
	struct bpf_map *map;
	void *data;
	size_t size;
};

/* A student program on a function of the target or of libc (uprobes.c). */
#define MAX_UPROBES 64
struct uprobe {
	struct bpf_program *prog;
	bool retprobe, in_libc;
	char func[128];
	size_t offset; /* file offset of the function's first instruction */
};

/* A held perf event of the kernel check (kernel-check.c), by the run's hook. */
struct check_event {
	bool held;
	bool lent; /* the resident dispatcher's: closing the run's copy releases nothing */
	int fd;
};

struct disp_host; /* host.h */

struct run {
	struct config cfg;
	struct cgroups cg;

	struct hook hooks[MAX_HOOKS];
	int nhooks;

	/* The student's uprobes: never behind the dispatcher, attached per scenario to its target. */
	struct uprobe uprobes[MAX_UPROBES];
	int nuprobes;
	char libc[PATH_MAX];
	/* Every scenario's uprobe links, each filtered to that scenario's target, all kept to the end. */
	struct bpf_link **uprobe_links;
	int nuprobe_links;

	/* The student's object, its tracepoint programs in object order and the hook of each. */
	struct bpf_object *obj;
	struct bpf_program *progs[DISP_SLOTS];
	int prog_hook[DISP_SLOTS];
	int nprogs;
	struct initial *initials;
	int ninitials;
	/*
	 * kernel-check.c: the perf event each hook's programs are checked on, held until the run
	 * is over: lent by the resident dispatcher, which keeps one per hook, or opened for this run.
	 */
	struct check_event check_events[MAX_HOOKS];

	/*
	 * The dispatcher: the resident one (its socket, while the run is slotted in) or the
	 * loader's own; the run's slot in it, and the run's ring buffer of events.
	 */
	const char *resident_path;
	int resident_fd;
	struct disp_host *own;
	int slot;
	int ring_fd;
	int lost_fd; /* the run's count of events the ring had no room for (disp_lost) */
	struct ring_buffer *rb;

	/* The scenario running now (NULL between scenarios), for the ring buffer callbacks. */
	const struct scenario *cur;
	long long n_records, n_syscalls;
	bool records_limited, syscalls_limited;
	/*
	 * The positions of the student's ring (lab_events), mapped read-only, and its size: a
	 * record that finds it full is dropped by lab.h, so a full ring is reported (observe.c).
	 */
	const volatile unsigned long *records_consumer, *records_producer;
	unsigned long records_ring_bytes;
	bool records_ring_full;

	/* What the map dumps of the whole run have taken so far, against limits.mapDump*. */
	long long dumped_entries, dumped_bytes;
	bool dump_limited;
};

/*
 * How a step ended: OK goes on; REFUSED means the student's object was refused and the line
 * saying why is out (the run still ends with `done`); FAILED means a `fatal` line is out.
 */
enum step { STEP_OK, STEP_REFUSED, STEP_FAILED };

/* output.c: one JSON object per line on stdout. */
void emit(json_object *o);
/*
 * The many lines of a scenario (records, syscalls) wait in stdout's buffer until the next
 * emit() or flush_output(): one write for many lines, and one read for the runner.
 */
void emit_batched(json_object *o);
void flush_output(void);
json_object *line(const char *type);
json_object *jbytes(const void *p, size_t n);
json_object *jstr(const char *s);
json_object *jhex(const void *p, size_t n);
json_object *ju64(uint64_t v);
json_object *js64(int64_t v);
void emit_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* scenario: the scenario the limit was hit in, or NULL. */
void emit_limit(const char *scenario, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void emit_attach_error(const char *prog, const char *sec, int err, const char *msg);
void emit_done(void);
/* libbpf's messages (not its debug ones) since the last reset, for error lines. */
int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap);
const char *libbpf_messages(size_t *len);
void libbpf_messages_reset(void);
/* LAB_LOADER_TIMING=1: phase times on stderr, for measuring. */
bool timing_on(void);
void phase(const char *what);
/* A phase that ended at t (now_ns()), measured elsewhere (in a scenario's child). */
void phase_at(const char *what, uint64_t t);

/* files.c */
int write_file(const char *path, const char *s);
int read_file(const char *path, char *buf, size_t size);
int mkdir_p(const char *path, mode_t mode);
uint64_t now_ns(void);

/* cgroups.c */
void ensure_tracefs(void);
int setup_cgroups(struct run *run);
void kill_cgroup(const struct cgroups *cg);
void remove_cgroups(struct cgroups *cg);
/* In the target's child: joins dir (if any) or reports on status_w and exits. */
void join_cgroup(const char *dir, const char *pid, int status_w);

/* load.c */
int probe(void);
/* check_maps: compare libbpf's maps with the static checks' view in the config (a run). */
struct bpf_object *load_student(struct run *run, const char *path, bool check_maps);
uint32_t obj_id(int fd);

/* map-check.c */
bool maps_as_checked(struct run *run, struct bpf_object *obj);

/* hooks.c */
/* The hook's record size and shape, from tracefs; -errno with a message in err. */
int describe_hook(struct hook *h, const char *cat, const char *name, char *err, size_t errlen);
bool parse_section(const char *sec, char *cat, char *name);
int find_or_add_hook(struct run *run, const char *cat, const char *name, bool observe, char *err,
		     size_t errlen);
int tracepoint_id(const struct hook *h);

/* attach.c */
enum step find_hooks(struct run *run);
enum step attach_dispatchers(struct run *run);
enum step arm_dispatchers(struct run *run, long long discarded);
/* The resident dispatcher's socket (it hangs up if that dies), or -1. */
int dispatcher_lost_fd(const struct run *run);
/* 0, or -errno when the resident dispatcher is gone. */
int clear_dispatcher_paths(struct run *run);
void detach_all(struct run *run);

/* kernel-check.c */
/* The do-nothing program a check event holds, and the canary; 0 or -errno. */
int load_check_programs(int *holder, int *canary);
/*
 * Hook h's perf event holding the holder, once the canary was refused on it: its fd, or -EEXIST
 * or -EPROTO when this kernel's check cannot be trusted, or another -errno.
 */
int open_check_event(const struct hook *h, int holder, int canary);
enum step kernel_context_checks(struct run *run);
void close_kernel_checks(struct run *run);
long long reset_student_state(struct run *run);

/* observe.c: the ring buffer callbacks (ctx is the run). */
int on_record(void *ctx, void *data, size_t size);
int on_syscall(void *ctx, void *data, size_t size);
/* Maps the positions of the student's ring (its fd) for on_record; unmapped with unwatch. */
int watch_record_ring(struct run *run, int fd);
void unwatch_record_ring(struct run *run);
/* The run's count of events its ring had no room for: zeroed, and reported after a scenario. */
int reset_lost_events(struct run *run);
int report_lost_events(struct run *run, const struct scenario *sc);

/* map-dump.c */
bool is_hash(enum bpf_map_type t);
bool is_array(enum bpf_map_type t);
bool is_percpu(enum bpf_map_type t);
const char *internal_section(const struct bpf_map *m);
bool is_rodata(const struct bpf_map *m);
bool student_map(const struct bpf_map *m);
void keep_initial_values(struct run *run, struct bpf_object *obj);
json_object *dump_map(struct run *run, struct bpf_map *m);
void clear_map(struct run *run, struct bpf_map *m);

/* scenario.c */
enum step run_scenarios(struct run *run);

/* uprobes.c */
bool uprobe_section(const char *sec);
/* Resolves the program's function in the scenarios' target or libc; -errno and err on failure. */
int uprobe_add(struct run *run, struct bpf_program *prog, char *err, size_t errlen);
/*
 * Attaches every uprobe to pid alone (the target, held before its exec) and emits the `uprobes`
 * line; -1 with err on failure.
 */
int uprobes_attach(struct run *run, const struct scenario *sc, pid_t pid, char *err, size_t errlen);
/* Detaches every scenario's uprobes (the end of the run: ~60 ms per link here). */
void uprobes_detach(struct run *run);

#endif
