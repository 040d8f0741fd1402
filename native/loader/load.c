// SPDX-License-Identifier: GPL-2.0
/*
 * Loading the student's object: every program as a tracepoint program, the verifier under the
 * run's budget (time and instructions), `loaded` or the reason it was refused.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "loader.h"

#define LOG_BUF_SIZE (8u << 20)

/* The verifier's log of the failed program (libbpf retries a failed load into it). */
static char *log_buf;

static json_object *libbpf_log(void)
{
	size_t len;
	const char *msgs = libbpf_messages(&len);

	return jbytes(msgs, len);
}

static void set_types(struct bpf_object *obj)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		/* the section's name decides nothing else: the static checks allowed exactly these */
		bpf_program__set_type(p, uprobe_section(bpf_program__section_name(p))
						 ? BPF_PROG_TYPE_KPROBE
						 : BPF_PROG_TYPE_TRACEPOINT);
		bpf_program__set_autoattach(p, false);
		/* log_level 0: libbpf retries a failed load with level 1 into this buffer */
		bpf_program__set_log_buf(p, log_buf, LOG_BUF_SIZE);
	}
}

uint32_t obj_id(int fd)
{
	union {
		struct bpf_prog_info p;
		struct bpf_map_info m;
		struct bpf_link_info l;
	} info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	/* id is the first field of all three info structs */
	return info.p.id;
}

/*
 * The end of a verifier log, where the error and its statistics are, at most LOG_SHOWN_BYTES of
 * it: the log of a long walk fills the whole buffer, and the student needs its last lines.
 */
#define LOG_SHOWN_BYTES (1u << 20)

static json_object *verifier_log_tail(const char *log)
{
	size_t n = strlen(log);
	char note[128];

	if (n <= LOG_SHOWN_BYTES)
		return jbytes(log, n);
	const char *tail = log + n - LOG_SHOWN_BYTES;
	const char *nl = memchr(tail, '\n', LOG_SHOWN_BYTES);
	if (nl)
		tail = nl + 1;
	int k = snprintf(note, sizeof(note), "[the first %zu KiB of the verifier log are cut]\n",
			 (size_t)(tail - log) / 1024);
	char *t = malloc((size_t)k + strlen(tail) + 1);
	memcpy(t, note, (size_t)k);
	strcpy(t + k, tail);
	json_object *o = jbytes(t, strlen(t));
	free(t);
	return o;
}

/*
 * The verification budget of a run, in processor time (the verifier runs in our bpf() calls, so
 * it is this process's system time): a program that verifies within it on a quiet machine still
 * does on a loaded one. The verifier stops with EAGAIN when a signal is pending, so once the
 * budget is spent a timer signals every few milliseconds of processor time: the program being
 * verified, libbpf's retries and its reload for the log all stop at once.
 */
static volatile sig_atomic_t verify_budget_spent;

static void on_verify_budget(int sig)
{
	(void)sig;
	verify_budget_spent = 1;
}

static void arm_verify_budget(long long ms)
{
	struct sigaction sa = {.sa_handler = on_verify_budget}; /* no SA_RESTART */
	struct itimerval t = {
		.it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000},
		.it_interval = {.tv_usec = 5000},
	};

	sigaction(SIGPROF, &sa, NULL);
	setitimer(ITIMER_PROF, &t, NULL);
}

static void disarm_verify_budget(void)
{
	struct itimerval off = {0};

	setitimer(ITIMER_PROF, &off, NULL);
}

static uint32_t verified_insns(int prog_fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.verified_insns;
}

/*
 * Loads the student's object. Reports `loaded` or `verifier_error` (or a refusal of its maps,
 * when `check_maps`: a run compares them with the static checks' view in the config).
 */
struct bpf_object *load_student(struct run *run, const char *path, bool check_maps)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	json_object *o, *progs, *maps;
	int err;

	if (!log_buf)
		log_buf = calloc(1, LOG_BUF_SIZE);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = errno;
		o = line("verifier_error");
		json_object_object_add(o, "program", json_object_new_string(""));
		json_object_object_add(o, "errno", json_object_new_int(err));
		json_object_object_add(o, "log", libbpf_log());
		emit(o);
		return NULL;
	}
	set_types(obj);
	if (check_maps && !maps_as_checked(run, obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	keep_initial_values(run, obj);
	libbpf_messages_reset();
	if (run->cfg.verify_ms > 0)
		arm_verify_budget(run->cfg.verify_ms);
	err = bpf_object__load(obj);
	int load_errno = errno;
	if (run->cfg.verify_ms > 0)
		disarm_verify_budget();
	if (verify_budget_spent) {
		emit_limit(NULL, "verifier-time",
			   "the verifier used more than %lld ms of processor time, the lab's budget for a run, "
			   "to check your programs; make them simpler (fewer branches, shorter loops)",
			   run->cfg.verify_ms);
		bpf_object__close(obj);
		return NULL;
	}
	long long insns = 0;
	if (!err)
		bpf_object__for_each_program(p, obj)
			insns += verified_insns(bpf_program__fd(p));
	if (run->cfg.verified_insns > 0 && insns > run->cfg.verified_insns) {
		emit_limit(NULL, "verifier-insns",
			   "the verifier had to check %lld instructions across your programs; the lab allows "
			   "%lld per run, since each one costs time on every event too: make them simpler "
			   "(fewer branches, shorter loops)",
			   insns, run->cfg.verified_insns);
		bpf_object__close(obj);
		return NULL;
	}
	if (err) {
		const char *failed = "";

		err = load_errno;
		bpf_object__for_each_program(p, obj) {
			if (bpf_program__fd(p) < 0) {
				failed = bpf_program__name(p);
				break;
			}
		}
		o = line("verifier_error");
		json_object_object_add(o, "program", jstr(failed));
		json_object_object_add(o, "errno", json_object_new_int(err));
		if (log_buf[0])
			json_object_object_add(o, "log", verifier_log_tail(log_buf));
		else
			json_object_object_add(o, "log", libbpf_log());
		emit(o);
		bpf_object__close(obj);
		return NULL;
	}
	o = line("loaded");
	progs = json_object_new_array();
	bpf_object__for_each_program(p, obj) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "name", jstr(bpf_program__name(p)));
		json_object_object_add(e, "section", jstr(bpf_program__section_name(p)));
		json_object_object_add(e, "id", json_object_new_int64(obj_id(bpf_program__fd(p))));
		json_object_object_add(e, "insns", json_object_new_int64((int64_t)bpf_program__insn_cnt(p)));
		json_object_object_add(e, "verifiedInsns",
				       json_object_new_int64(verified_insns(bpf_program__fd(p))));
		json_object_array_add(progs, e);
	}
	maps = json_object_new_array();
	bpf_object__for_each_map(m, obj) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "name", jstr(bpf_map__name(m)));
		json_object_object_add(e, "id", json_object_new_int64(obj_id(bpf_map__fd(m))));
		json_object_array_add(maps, e);
	}
	json_object_object_add(o, "programs", progs);
	json_object_object_add(o, "maps", maps);
	emit(o);
	return obj;
}

int probe(void)
{
	struct bpf_insn insns[] = {
		{.code = 0xb7, .dst_reg = 0, .imm = 0}, /* r0 = 0 */
		{.code = 0x95},                          /* exit */
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "lab_probe", "GPL", insns, 2, NULL);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(fd >= 0));
	if (fd < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "cannot load a BPF program: %s", strerror(errno));
		json_object_object_add(o, "message", json_object_new_string(msg));
	}
	emit(o);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : 1;
}
