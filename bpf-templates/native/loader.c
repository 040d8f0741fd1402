// SPDX-License-Identifier: GPL-2.0
/*
 * The native loader: loads a student's checked BPF object, scopes it to one run's cgroup through
 * the dispatcher, runs the target once per scenario and reports everything as JSON lines on
 * stdout (the `LoaderLine` schema of packages/protocol). Config: a `LoaderConfig` on stdin.
 *
 *   loader                 run (config on stdin)
 *   loader --load-only OBJ load OBJ without attaching anything; report loaded / verifier_error
 *   loader --probe         load a trivial program without attaching; {"ok":true} or a message
 *
 * The dispatcher object is found beside this executable (dispatcher.bpf.o).
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/limits.h>
#include <linux/membarrier.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

#define TRACEFS "/sys/kernel/tracing"
#define LOG_BUF_SIZE (8u << 20)
#define MAX_HOOKS 64
#define MAX_SLOTS 64 /* size of the dispatcher's prog array */
#define SLOT_NONE 0xffffu
#define RECORD_BYTES 256
/* Student programs on one hook: each needs its own dispatcher instance (see main). */
#define MAX_DISPATCHERS 8

/* Must match bpf-templates/common/lab.h. */
struct lab_record {
	uint64_t ts, pid_tgid;
	uint32_t kind, flags, len, pad;
	uint8_t data[RECORD_BYTES];
};
enum { LAB_KIND_BYTES = 1, LAB_KIND_USER, LAB_KIND_NUM, LAB_KIND_DEBUG };
#define LAB_FLAG_TRUNCATED 1
#define LAB_FLAG_SIGNED 2

/* Must match dispatcher.bpf.c. */
struct disp_event {
	uint64_t ts, pid_tgid;
	uint32_t hook, phase;
	int64_t nr;
	uint64_t args[6];
	uint32_t nargs;
	int32_t path_len;
	char path[256];
};
enum { PHASE_ENTER, PHASE_EXIT, PHASE_RAW };

enum shape { SHAPE_ENTER, SHAPE_OPENAT, SHAPE_EXIT, SHAPE_EXIT_OPENAT, SHAPE_RAW };

/* Cookie bits above the slot (0-15) and hook (16-31); must match dispatcher.bpf.c. */
#define COOKIE_RECORD (1ull << 32)
#define COOKIE_KEEP_PATH (1ull << 33)

struct hook {
	char cat[64], name[128];
	bool observe;   /* the platform records it (exercise's `observe` list) */
	bool recording; /* one attachment already records it */
	enum shape shape;
	int nargs;
	int record_bytes; /* the end of the record's last field */
};

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

static struct {
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
} cfg;

static struct hook hooks[MAX_HOOKS];
static int nhooks;

/* cgroups of the run: v2 (scoping, kill) and, on hybrid machines, v1 memory and pids. */
static char cg2[PATH_MAX], cgmem[PATH_MAX], cgpids[PATH_MAX];
static bool cg2_created, cgmem_created, cgpids_created;

static char *log_buf;
static char libbpf_msgs[16384];
static size_t libbpf_msgs_len;

/* Current scenario and its counters, for the ring buffer callbacks. */
static struct scenario *cur;
/* The dispatcher's openat path pointers per thread (shared by its instances). */
static struct bpf_map *open_paths;
static long long n_records, n_syscalls;
static bool records_limited, syscalls_limited;

/* ------------------------------------------------------------------------------------------ */
/* Output: one JSON object per line, flushed so the runner sees it at once. */

static void emit(json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	      stdout);
	fputc('\n', stdout);
	fflush(stdout);
	json_object_put(o);
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 9;

		if (k == 9 || i + k >= n + (k ? 0 : 1))
			return false;
		for (size_t j = 1; j <= k; j++)
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

/* A JSON string from arbitrary bytes: kept as is when valid UTF-8, else read as Latin-1. */
static json_object *jbytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	json_object *o;
	char *t;
	size_t k = 0;

	if (valid_utf8(s, n))
		return json_object_new_string_len((const char *)s, (int)n);
	t = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80) {
			t[k++] = (char)s[i];
		} else {
			t[k++] = (char)(0xc0 | (s[i] >> 6));
			t[k++] = (char)(0x80 | (s[i] & 0x3f));
		}
	}
	o = json_object_new_string_len(t, (int)k);
	free(t);
	return o;
}

static json_object *jstr(const char *s) { return jbytes(s, strlen(s)); }

static json_object *jhex(const void *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = p;
	char *t = malloc(2 * n + 1);
	json_object *o;

	for (size_t i = 0; i < n; i++) {
		t[2 * i] = digits[s[i] >> 4];
		t[2 * i + 1] = digits[s[i] & 15];
	}
	o = json_object_new_string_len(t, (int)(2 * n));
	free(t);
	return o;
}

static json_object *ju64(uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return json_object_new_string(b);
}

static json_object *js64(int64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", (long long)v);
	return json_object_new_string(b);
}

static json_object *line(const char *type)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	return o;
}

static void emit_fatal(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_object *o = line("fatal");

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "message", jstr(msg));
	emit(o);
}

static void emit_limit(const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_object *o = line("limit");

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cur)
		json_object_object_add(o, "scenario", json_object_new_string(cur->id));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "message", jstr(msg));
	emit(o);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || libbpf_msgs_len >= sizeof(libbpf_msgs) - 1)
		return 0;
	int n = vsnprintf(libbpf_msgs + libbpf_msgs_len, sizeof(libbpf_msgs) - libbpf_msgs_len, fmt, ap);
	if (n > 0)
		libbpf_msgs_len += (size_t)n;
	if (libbpf_msgs_len >= sizeof(libbpf_msgs))
		libbpf_msgs_len = sizeof(libbpf_msgs) - 1;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Config (json-c). */

static json_object *get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type)) {
		emit_fatal("config: missing or mistyped field '%s'", key);
		exit(1);
	}
	return v;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static json_object *read_config(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t n;
	json_object *root, *v, *lim;

	while ((n = fread(buf + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	root = json_tokener_parse(buf);
	free(buf);
	if (!root || !json_object_is_type(root, json_type_object)) {
		emit_fatal("config: not a JSON object");
		exit(1);
	}
	cfg.object = json_object_get_string(get(root, "object", json_type_string));
	cfg.cgroup = json_object_get_string(get(root, "cgroup", json_type_string));
	v = get(root, "observe", json_type_array);
	cfg.nobserve = (int)json_object_array_length(v);
	cfg.observe = calloc((size_t)cfg.nobserve + 1, sizeof(char *));
	for (int i = 0; i < cfg.nobserve; i++)
		cfg.observe[i] = json_object_get_string(json_object_array_get_idx(v, (size_t)i));
	lim = get(root, "limits", json_type_object);
	cfg.memory_bytes = json_object_get_int64(get(lim, "memoryBytes", json_type_int));
	cfg.pids = json_object_get_int64(get(lim, "pids", json_type_int));
	cfg.max_records = json_object_get_int64(get(lim, "maxRecords", json_type_int));
	cfg.max_syscalls = json_object_get_int64(get(lim, "maxSyscalls", json_type_int));
	cfg.max_map_entries = json_object_get_int64(get(lim, "maxMapEntries", json_type_int));
	cfg.max_output = json_object_get_int64(get(lim, "maxOutputBytes", json_type_int));
	cfg.map_memory_bytes = json_object_get_int64(get(lim, "mapMemoryBytes", json_type_int));
	cfg.map_dump_entries = json_object_get_int64(get(lim, "mapDumpEntries", json_type_int));
	cfg.map_dump_bytes = json_object_get_int64(get(lim, "mapDumpBytes", json_type_int));
	cfg.verify_ms = json_object_get_int64(get(lim, "verifyMs", json_type_int));
	cfg.verified_insns = json_object_get_int64(get(lim, "verifiedInsns", json_type_int));
	v = get(root, "maps", json_type_array);
	cfg.nmaps = (int)json_object_array_length(v);
	cfg.maps = calloc((size_t)cfg.nmaps + 1, sizeof(struct map_view));
	for (int i = 0; i < cfg.nmaps; i++) {
		json_object *mo = json_object_array_get_idx(v, (size_t)i);
		struct map_view *mv = &cfg.maps[i];

		mv->name = json_object_get_string(get(mo, "name", json_type_string));
		mv->type = json_object_get_string(get(mo, "type", json_type_string));
		mv->key_size = json_object_get_int64(get(mo, "keySize", json_type_int));
		mv->value_size = json_object_get_int64(get(mo, "valueSize", json_type_int));
		mv->max_entries = json_object_get_int64(get(mo, "maxEntries", json_type_int));
		mv->flags = json_object_get_int64(get(mo, "flags", json_type_int));
	}

	v = get(root, "scenarios", json_type_array);
	cfg.nscenarios = (int)json_object_array_length(v);
	cfg.scenarios = calloc((size_t)cfg.nscenarios + 1, sizeof(struct scenario));
	for (int i = 0; i < cfg.nscenarios; i++) {
		json_object *s = json_object_array_get_idx(v, (size_t)i), *a, *f;
		struct scenario *sc = &cfg.scenarios[i];

		sc->id = json_object_get_string(get(s, "id", json_type_string));
		sc->target = json_object_get_string(get(s, "target", json_type_string));
		sc->wall_ms = json_object_get_int64(get(s, "wallMs", json_type_int));
		if (json_object_object_get_ex(s, "network", &a)) {
			const char *net = json_object_get_string(a);

			if (strcmp(net, "private") && strcmp(net, "host")) {
				emit_fatal("config: scenario %s: unknown network \"%s\"", sc->id, net);
				exit(1);
			}
			sc->private_network = !strcmp(net, "private");
		}
		a = get(s, "args", json_type_array);
		size_t na = json_object_array_length(a);
		sc->argv = calloc(na + 2, sizeof(char *));
		sc->argv[0] = sc->target;
		for (size_t j = 0; j < na; j++)
			sc->argv[j + 1] = json_object_get_string(json_object_array_get_idx(a, j));
		f = get(s, "files", json_type_array);
		sc->nfiles = (int)json_object_array_length(f);
		sc->files = calloc((size_t)sc->nfiles + 1, sizeof(struct file_spec));
		for (int j = 0; j < sc->nfiles; j++) {
			json_object *fo = json_object_array_get_idx(f, (size_t)j), *mode;
			struct file_spec *fs = &sc->files[j];
			const char *hex = json_object_get_string(get(fo, "hex", json_type_string));
			size_t hl = strlen(hex);

			fs->path = json_object_get_string(get(fo, "path", json_type_string));
			fs->mode = json_object_object_get_ex(fo, "mode", &mode) ? json_object_get_int(mode) : 0644;
			fs->len = hl / 2;
			fs->data = malloc(fs->len + 1);
			for (size_t k = 0; k < fs->len; k++) {
				int hi = hexval(hex[2 * k]), lo = hexval(hex[2 * k + 1]);

				if (hi < 0 || lo < 0 || hl % 2) {
					emit_fatal("config: file %s: content is not hex", fs->path);
					exit(1);
				}
				fs->data[k] = (unsigned char)(hi << 4 | lo);
			}
			/* Only the private /tmp is ours to plant in. */
			if (strncmp(fs->path, "/tmp/", 5) != 0 || strstr(fs->path, "/../")) {
				emit_fatal("config: file %s is not under /tmp", fs->path);
				exit(1);
			}
		}
	}
	return root;
}

/* ------------------------------------------------------------------------------------------ */
/* Small file helpers. */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------ */
/* Mounts and cgroups. */

static void ensure_tracefs(void)
{
	if (access(TRACEFS "/events", F_OK) == 0)
		return;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		emit_fatal("cannot mount tracefs at " TRACEFS ": %s", strerror(errno));
		exit(1);
	}
}

static bool has_opt(const char *opts, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = opts; (p = strstr(p, want)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

/* Finds cgroup2 and the v1 memory and pids hierarchies in /proc/mounts. */
static void find_cgroup_mounts(char *v2, char *mem, char *pids)
{
	FILE *f = fopen("/proc/mounts", "re");
	char dev[256], dir[PATH_MAX], type[64], opts[1024];

	v2[0] = mem[0] = pids[0] = 0;
	if (!f)
		return;
	while (fscanf(f, "%255s %4095s %63s %1023s %*d %*d\n", dev, dir, type, opts) == 4) {
		if (!strcmp(type, "cgroup2") && !v2[0])
			strcpy(v2, dir);
		else if (!strcmp(type, "cgroup") && has_opt(opts, "memory") && !mem[0])
			strcpy(mem, dir);
		else if (!strcmp(type, "cgroup") && has_opt(opts, "pids") && !pids[0])
			strcpy(pids, dir);
	}
	fclose(f);
}

static bool file_has_word(const char *path, const char *word)
{
	char buf[1024];

	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, word))
			return true;
	return false;
}

/* Enables a v2 controller on every ancestor of the run's cgroup. */
static bool enable_v2_controller(const char *root, const char *rel, const char *ctrl)
{
	char path[PATH_MAX], dir[PATH_MAX], word[32];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	if (!file_has_word(path, ctrl))
		return false;
	snprintf(word, sizeof(word), "+%s", ctrl);
	snprintf(dir, sizeof(dir), "%s", root);
	for (const char *p = rel;;) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
		if (write_file(path, word))
			return false;
		const char *slash = strchr(p, '/');
		if (!slash)
			break;
		size_t l = strlen(dir);
		snprintf(dir + l, sizeof(dir) - l, "/%.*s", (int)(slash - p), p);
		p = slash + 1;
	}
	return true;
}

static int setup_cgroups(uint64_t *id)
{
	char v2root[PATH_MAX], memroot[PATH_MAX], pidsroot[PATH_MAX], path[PATH_MAX], num[32];
	const char *rel;
	struct stat st;
	int err;

	find_cgroup_mounts(v2root, memroot, pidsroot);
	if (!v2root[0]) {
		emit_fatal("no cgroup2 mount found in /proc/mounts");
		return -1;
	}
	size_t rl = strlen(v2root);
	if (cfg.cgroup[0] == '/') {
		if (strncmp(cfg.cgroup, v2root, rl) || cfg.cgroup[rl] != '/') {
			emit_fatal("cgroup %s is not under the cgroup2 mount %s", cfg.cgroup, v2root);
			return -1;
		}
		rel = cfg.cgroup + rl + 1;
	} else {
		rel = cfg.cgroup;
	}
	if (!rel[0] || strstr(rel, "..")) {
		emit_fatal("bad cgroup path %s", cfg.cgroup);
		return -1;
	}
	snprintf(cg2, sizeof(cg2), "%s/%s", v2root, rel);
	/* parents may be shared by concurrent runs: mkdir -p them, the run's own must be new */
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", cg2);
	*strrchr(parent, '/') = 0;
	if ((err = mkdir_p(parent, 0755)) || mkdir(cg2, 0755)) {
		emit_fatal("cannot create cgroup %s: %s", cg2, strerror(err ? -err : errno));
		return -1;
	}
	cg2_created = true;
	if (stat(cg2, &st)) {
		emit_fatal("cannot stat cgroup %s: %s", cg2, strerror(errno));
		return -1;
	}
	/* the cgroup id bpf_get_current_cgroup_id() returns is the directory's inode number */
	*id = st.st_ino;

	/* Memory and pids: in v2 when it has the controllers, else in the v1 hierarchies. */
	const char *rel_parent = rel;
	char relp[PATH_MAX];
	snprintf(relp, sizeof(relp), "%s", rel);
	if (strrchr(relp, '/'))
		*strrchr(relp, '/') = 0;
	else
		relp[0] = 0;
	(void)rel_parent;

	snprintf(num, sizeof(num), "%lld", cfg.memory_bytes);
	if (relp[0] && enable_v2_controller(v2root, relp, "memory")) {
		snprintf(path, sizeof(path), "%s/memory.max", cg2);
		write_file(path, num);
		snprintf(path, sizeof(path), "%s/memory.swap.max", cg2);
		write_file(path, "0");
	} else if (memroot[0]) {
		snprintf(cgmem, sizeof(cgmem), "%s/%s", memroot, rel);
		if (mkdir_p(cgmem, 0755) == 0) {
			cgmem_created = true;
			snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", cgmem);
			if ((err = write_file(path, num))) {
				emit_fatal("cannot set the memory limit: %s", strerror(-err));
				return -1;
			}
		}
	}
	snprintf(num, sizeof(num), "%lld", cfg.pids);
	if (relp[0] && enable_v2_controller(v2root, relp, "pids")) {
		snprintf(path, sizeof(path), "%s/pids.max", cg2);
		write_file(path, num);
	} else if (pidsroot[0]) {
		snprintf(cgpids, sizeof(cgpids), "%s/%s", pidsroot, rel);
		if (mkdir_p(cgpids, 0755) == 0) {
			cgpids_created = true;
			snprintf(path, sizeof(path), "%s/pids.max", cgpids);
			if ((err = write_file(path, num))) {
				emit_fatal("cannot set the pids limit: %s", strerror(-err));
				return -1;
			}
		}
	}
	return 0;
}

/* Kills everything in the run's cgroup and waits (briefly) until it is empty. */
static void kill_cgroup(void)
{
	char path[PATH_MAX], buf[256];

	if (!cg2_created)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.kill", cg2);
	write_file(path, "1");
	snprintf(path, sizeof(path), "%s/cgroup.events", cg2);
	for (int i = 0; i < 200; i++) {
		if (read_file(path, buf, sizeof(buf)) < 0 || strstr(buf, "populated 0"))
			return;
		usleep(5000);
	}
}

static void remove_cgroups(void)
{
	char *dirs[] = {cg2, cgmem, cgpids};
	bool made[] = {cg2_created, cgmem_created, cgpids_created};

	kill_cgroup();
	for (int i = 0; i < 3; i++) {
		if (!made[i])
			continue;
		for (int tries = 0; tries < 100 && rmdir(dirs[i]) && errno == EBUSY; tries++)
			usleep(10000);
	}
	cg2_created = cgmem_created = cgpids_created = false;
}

static void join_cgroup(const char *dir, const char *pid, int status_w)
{
	char path[PATH_MAX];
	int err;

	if (!dir[0])
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if ((err = write_file(path, pid))) {
		dprintf(status_w, "cannot join cgroup %s: %s", dir, strerror(-err));
		_exit(126);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Hooks: tracepoints, their record shapes (from tracefs `format`). */

/* `tp/cat/name` or `tracepoint/cat/name` → cat, name. */
static bool parse_section(const char *sec, char *cat, char *name)
{
	const char *p;

	if (!strncmp(sec, "tracepoint/", 11))
		p = sec + 11;
	else if (!strncmp(sec, "tp/", 3))
		p = sec + 3;
	else
		return false;
	const char *slash = strchr(p, '/');
	if (!slash || slash == p || !slash[1] || strchr(slash + 1, '/') || slash - p >= 64 ||
	    strlen(slash + 1) >= 128)
		return false;
	snprintf(cat, 64, "%.*s", (int)(slash - p), p);
	snprintf(name, 128, "%s", slash + 1);
	return true;
}

/* The end of the record's last field, or -errno. */
static int record_size(const char *cat, const char *name)
{
	char path[PATH_MAX], buf[8192];
	int end = 0;

	if (strchr(cat, '.') || strchr(name, '.'))
		return -ENOENT;
	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s/format", cat, name);
	int n = read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (char *p = buf; (p = strstr(p, "offset:")); p++) {
		int off, size;

		if (sscanf(p, "offset:%d; size:%d;", &off, &size) == 2 && off + size > end)
			end = off + size;
	}
	return end;
}

static int find_or_add_hook(const char *cat, const char *name, bool observe, char *err, size_t errlen)
{
	int size;
	struct hook *h;

	for (int i = 0; i < nhooks; i++)
		if (!strcmp(hooks[i].cat, cat) && !strcmp(hooks[i].name, name)) {
			hooks[i].observe |= observe;
			return i;
		}
	size = record_size(cat, name);
	if (size < 0) {
		snprintf(err, errlen, size == -ENOENT ? "no such hook: there is no tracepoint %s/%s"
						       : "cannot read the format of %s/%s",
			 cat, name);
		return size;
	}
	if (nhooks == MAX_HOOKS) {
		snprintf(err, errlen, "too many hooks (at most %d)", MAX_HOOKS);
		return -E2BIG;
	}
	h = &hooks[nhooks];
	memset(h, 0, sizeof(*h));
	snprintf(h->cat, sizeof(h->cat), "%s", cat);
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->observe = observe;
	h->record_bytes = size;
	if (!strcmp(cat, "syscalls") && !strcmp(name, "sys_enter_openat") && size == 48) {
		h->shape = SHAPE_OPENAT;
	} else if (!strcmp(cat, "syscalls") && !strncmp(name, "sys_enter_", 10) && size >= 16 &&
		   size <= 64 && (size - 16) % 8 == 0) {
		h->shape = SHAPE_ENTER;
		h->nargs = (size - 16) / 8;
	} else if (!strcmp(cat, "syscalls") && !strncmp(name, "sys_exit_", 9) && size == 24) {
		h->shape = strcmp(name, "sys_exit_openat") ? SHAPE_EXIT : SHAPE_EXIT_OPENAT;
	} else {
		h->shape = SHAPE_RAW;
	}
	return nhooks++;
}

static struct bpf_program *dispatcher_for(struct bpf_object *disp, const struct hook *h)
{
	char name[32];

	switch (h->shape) {
	case SHAPE_OPENAT:
		return bpf_object__find_program_by_name(disp, "disp_enter_openat");
	case SHAPE_EXIT:
		return bpf_object__find_program_by_name(disp, "disp_exit");
	case SHAPE_EXIT_OPENAT:
		return bpf_object__find_program_by_name(disp, "disp_exit_openat");
	case SHAPE_ENTER:
		snprintf(name, sizeof(name), "disp_enter%d", h->nargs);
		return bpf_object__find_program_by_name(disp, name);
	default:
		return bpf_object__find_program_by_name(disp, "disp_raw");
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Ring buffer callbacks. */

static void add_pid(json_object *o, uint64_t pid_tgid)
{
	json_object_object_add(o, "pid", json_object_new_int((int)(pid_tgid >> 32)));
	json_object_object_add(o, "tid", json_object_new_int((int)(uint32_t)pid_tgid));
}

static void stop_run(void);

static int on_record(void *ctx, void *data, size_t size)
{
	const struct lab_record *r = data;
	json_object *o, *rec;
	uint32_t len;

	(void)ctx;
	if (!cur || size < sizeof(*r) || records_limited)
		return 0;
	if (++n_records > cfg.max_records) {
		records_limited = true;
		emit_limit("records",
			   "your programs sent more than %lld records (SUBMIT/DEBUG) in scenario %s; "
			   "the target was stopped",
			   cfg.max_records, cur->id);
		stop_run();
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
	json_object_object_add(o, "scenario", json_object_new_string(cur->id));
	json_object_object_add(o, "record", rec);
	emit(o);
	return 0;
}

static int on_syscall(void *ctx, void *data, size_t size)
{
	const struct disp_event *e = data;
	json_object *o;

	(void)ctx;
	if (!cur || size < sizeof(*e) || e->hook >= (uint32_t)nhooks || syscalls_limited)
		return 0;
	if (++n_syscalls > cfg.max_syscalls) {
		syscalls_limited = true;
		emit_limit("syscalls",
			   "the target made more than %lld traced calls in scenario %s; later ones are "
			   "not recorded",
			   cfg.max_syscalls, cur->id);
		return 0;
	}
	o = line("syscall");
	json_object_object_add(o, "scenario", json_object_new_string(cur->id));
	json_object_object_add(o, "phase", json_object_new_string(e->phase == PHASE_EXIT ? "exit" : "enter"));
	json_object_object_add(o, "hook", json_object_new_string(hooks[e->hook].name));
	json_object_object_add(o, "ts", ju64(e->ts));
	add_pid(o, e->pid_tgid);
	if (e->phase == PHASE_EXIT) {
		json_object_object_add(o, "ret", js64((int64_t)e->args[0]));
		/* the path its enter could not read yet (see disp_open_paths in the dispatcher) */
		if (hooks[e->hook].shape == SHAPE_EXIT_OPENAT && e->path_len > 0)
			json_object_object_add(o, "path", jbytes(e->path, strnlen(e->path, sizeof(e->path))));
	} else {
		json_object *args = json_object_new_array();

		for (uint32_t i = 0; i < e->nargs && i < 6; i++)
			json_object_array_add(args, ju64(e->args[i]));
		json_object_object_add(o, "args", args);
		if (hooks[e->hook].shape == SHAPE_OPENAT && e->path_len > 0)
			json_object_object_add(o, "path", jbytes(e->path, strnlen(e->path, sizeof(e->path))));
	}
	emit(o);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Maps: dump (decoded with the object's BTF) and clear between scenarios. */

static json_object *decode(const struct btf *btf, uint32_t id, const uint8_t *p, size_t size, int depth);

static uint32_t skip_mods(const struct btf *btf, uint32_t id)
{
	for (int i = 0; i < 32; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

static json_object *kv(const char *kind)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(kind));
	return o;
}

static json_object *raw(const uint8_t *p, size_t n)
{
	json_object *o = kv("raw");

	json_object_object_add(o, "hex", jhex(p, n));
	return o;
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static json_object *decode_struct(const struct btf *btf, const struct btf_type *t, const uint8_t *p,
				  size_t size, int depth)
{
	json_object *o = kv("struct"), *fields = json_object_new_array(), *pad;
	uint8_t *covered = calloc(size ? size : 1, 1);
	bool datasec = btf_is_datasec(t);
	int n = btf_vlen(t);

	for (int i = 0; i < n; i++) {
		json_object *f = json_object_new_object(), *val;
		const char *name;
		uint32_t off, fsz, bits = 0;
		uint32_t type;

		if (datasec) {
			const struct btf_var_secinfo *v = btf_var_secinfos(t) + i;
			const struct btf_type *var = btf__type_by_id(btf, v->type);

			name = var ? btf__name_by_offset(btf, var->name_off) : "";
			off = v->offset;
			fsz = v->size;
			type = v->type;
		} else {
			const struct btf_member *m = btf_members(t) + i;
			uint32_t bitoff = btf_member_bit_offset(t, (uint32_t)i);
			long s;

			bits = btf_member_bitfield_size(t, (uint32_t)i);
			name = btf__name_by_offset(btf, m->name_off);
			off = bitoff / 8;
			type = m->type;
			s = btf__resolve_size(btf, m->type);
			fsz = bits ? (bitoff % 8 + bits + 7) / 8 : (s > 0 ? (uint32_t)s : 0);
			if (bits) {
				if (off + fsz <= size) {
					uint64_t v = load_le(p + off, fsz) >> (bitoff % 8);

					v &= bits >= 64 ? ~0ull : (1ull << bits) - 1;
					val = kv("int");
					json_object_object_add(val, "value", ju64(v));
				} else {
					val = raw(p, 0);
				}
				goto add;
			}
		}
		val = off + fsz <= size ? decode(btf, type, p + off, fsz, depth + 1) : raw(p, 0);
add:
		for (uint32_t b = off; b < off + fsz && b < size; b++)
			covered[b] = 1;
		json_object_object_add(f, "name", jstr(name && name[0] ? name : "(anonymous)"));
		json_object_object_add(f, "offset", json_object_new_int((int)off));
		json_object_object_add(f, "value", val);
		json_object_array_add(fields, f);
	}
	json_object_object_add(o, "fields", fields);
	/* Non-zero padding: the classic reason a lookup with a stack-built key misses. */
	pad = json_object_new_array();
	for (size_t b = 0; b < size;) {
		if (covered[b]) {
			b++;
			continue;
		}
		size_t e = b;
		bool nonzero = false;
		while (e < size && !covered[e])
			nonzero |= p[e++] != 0;
		if (nonzero) {
			json_object *g = json_object_new_object();

			json_object_object_add(g, "offset", json_object_new_int((int)b));
			json_object_object_add(g, "hex", jhex(p + b, e - b));
			json_object_array_add(pad, g);
		}
		b = e;
	}
	if (json_object_array_length(pad))
		json_object_object_add(o, "padding", pad);
	else
		json_object_put(pad);
	free(covered);
	return o;
}

static json_object *decode(const struct btf *btf, uint32_t id, const uint8_t *p, size_t size, int depth)
{
	const struct btf_type *t;
	json_object *o;

	id = skip_mods(btf, id);
	t = id ? btf__type_by_id(btf, id) : NULL;
	if (!t || depth > 8)
		return raw(p, size);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint32_t enc = btf_int_encoding(t);

		if (t->size > 8 || t->size > size)
			return raw(p, size);
		uint64_t v = load_le(p, t->size);
		o = kv("int");
		if ((enc & BTF_INT_SIGNED) && t->size < 8 && (v >> (8 * t->size - 1)) & 1)
			v |= ~0ull << (8 * t->size);
		json_object_object_add(o, "value", enc & BTF_INT_SIGNED ? js64((int64_t)v) : ju64(v));
		return o;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		if (t->size > 8 || t->size > size)
			return raw(p, size);
		uint64_t v = load_le(p, t->size);
		o = kv("enum");
		json_object_object_add(o, "value", ju64(v));
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);
			for (int i = 0; i < btf_vlen(t); i++)
				if ((uint32_t)e[i].val == (uint32_t)v)
					json_object_object_add(o, "name", jstr(btf__name_by_offset(btf, e[i].name_off)));
		}
		return o;
	}
	case BTF_KIND_PTR:
		if (size < 8)
			return raw(p, size);
		o = kv("ptr");
		char b[32];
		snprintf(b, sizeof(b), "0x%llx", (unsigned long long)load_le(p, 8));
		json_object_object_add(o, "value", json_object_new_string(b));
		return o;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		uint32_t elem = skip_mods(btf, a->type);
		const struct btf_type *et = btf__type_by_id(btf, elem);
		long esz = btf__resolve_size(btf, a->type);

		if (esz <= 0 || (size_t)esz * a->nelems > size)
			return raw(p, size);
		if (et && btf_is_int(et) && et->size == 1) {
			o = kv("chars");
			json_object_object_add(o, "text", jbytes(p, strnlen((const char *)p, a->nelems)));
			json_object_object_add(o, "hex", jhex(p, a->nelems));
			return o;
		}
		o = kv("array");
		json_object *items = json_object_new_array();
		for (uint32_t i = 0; i < a->nelems && i < 256; i++)
			json_object_array_add(items, decode(btf, a->type, p + i * esz, (size_t)esz, depth + 1));
		json_object_object_add(o, "items", items);
		return o;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
		return decode_struct(btf, t, p, size < t->size ? size : t->size, depth);
	default:
		return raw(p, size);
	}
}

static json_object *type_name(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	const char *name;
	char b[256];

	if (!t)
		return NULL;
	name = btf__name_by_offset(btf, t->name_off);
	if (btf_is_struct(t) || btf_is_union(t))
		snprintf(b, sizeof(b), "%s %s", btf_is_struct(t) ? "struct" : "union", name && name[0] ? name : "(anonymous)");
	else if (name && name[0])
		snprintf(b, sizeof(b), "%s", name);
	else
		return NULL;
	return json_object_new_string(b);
}

static bool is_hash(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_array(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/*
 * The section an internal map holds: libbpf names `.data`, `.rodata` and `.bss` after the object
 * (`student.data`), and `.data.*`/`.rodata.*` after the section itself.
 */
static const char *internal_section(const struct bpf_map *m)
{
	const char *dot = strchr(bpf_map__name(m), '.');

	return dot ? dot : "";
}

/* Read-only globals: libbpf freezes them at load, so neither side can change them afterwards. */
static bool is_rodata(const struct bpf_map *m)
{
	return bpf_map__is_internal(m) && !strncmp(internal_section(m), ".rodata", 7);
}

/* Student maps worth dumping: their own maps and .bss/.data globals, not lab_events. */
static bool student_map(const struct bpf_map *m)
{
	const char *name = bpf_map__name(m);

	if (!strncmp(name, "lab_", 4))
		return false;
	if (bpf_map__is_internal(m))
		return !is_rodata(m) && (!strncmp(internal_section(m), ".bss", 4) ||
					 !strncmp(internal_section(m), ".data", 5));
	return true;
}

/* What the map dumps of the whole run have taken so far, against limits.mapDump*. */
static long long dumped_entries, dumped_bytes;
static bool dump_limited;

/* True while the run's map dumps are within their budget; names the limit once when they are not. */
static bool dump_budget_left(size_t entry_bytes)
{
	if (dump_limited)
		return false;
	if (dumped_entries + 1 > cfg.map_dump_entries ||
	    dumped_bytes + (long long)entry_bytes > cfg.map_dump_bytes) {
		dump_limited = true;
		emit_limit("map-dump",
			   "your maps held more than the lab shows of a run (%lld entries, %lld KiB in "
			   "all); the rest of them is not shown",
			   cfg.map_dump_entries, cfg.map_dump_bytes / 1024);
		return false;
	}
	dumped_entries++;
	dumped_bytes += (long long)entry_bytes;
	return true;
}

static json_object *dump_map(struct bpf_object *obj, struct bpf_map *m)
{
	const struct btf *btf = bpf_object__btf(obj);
	enum bpf_map_type type = bpf_map__type(m);
	uint32_t ksz = bpf_map__key_size(m), vsz = bpf_map__value_size(m);
	uint32_t kid = bpf_map__btf_key_type_id(m), vid = bpf_map__btf_value_type_id(m);
	int ncpu = is_percpu(type) ? libbpf_num_possible_cpus() : 1;
	size_t stride = is_percpu(type) ? ((vsz + 7) & ~7u) : vsz;
	json_object *o = json_object_new_object(), *entries = json_object_new_array(), *tn;
	int fd = bpf_map__fd(m);
	bool truncated = false;
	const char *ts = libbpf_bpf_map_type_str(type);

	json_object_object_add(o, "name", jstr(bpf_map__name(m)));
	json_object_object_add(o, "type", json_object_new_string(ts ? ts : "unknown"));
	json_object_object_add(o, "keySize", json_object_new_int((int)ksz));
	json_object_object_add(o, "valueSize", json_object_new_int((int)vsz));
	json_object_object_add(o, "maxEntries", json_object_new_int((int)bpf_map__max_entries(m)));
	if (btf && (tn = type_name(btf, kid)))
		json_object_object_add(o, "keyType", tn);
	if (btf && (tn = type_name(btf, vid)))
		json_object_object_add(o, "valueType", tn);

	if (is_hash(type) || is_array(type)) {
		uint8_t *key = calloc(1, ksz), *next = calloc(1, ksz), *val = calloc((size_t)ncpu, stride);
		void *prev = NULL;
		long long count = 0;

		while (bpf_map_get_next_key(fd, prev, next) == 0) {
			if (count++ >= cfg.max_map_entries) {
				truncated = true;
				break;
			}
			memcpy(key, next, ksz);
			prev = key;
			if (bpf_map_lookup_elem(fd, key, val))
				continue;
			json_object *e = json_object_new_object();
			json_object_object_add(e, "keyHex", jhex(key, ksz));
			json_object_object_add(e, "valueHex", jhex(val, stride * (size_t)ncpu));
			if (btf) {
				json_object_object_add(e, "key", decode(btf, kid, key, ksz, 0));
				if (!is_percpu(type)) {
					json_object_object_add(e, "value", decode(btf, vid, val, vsz, 0));
				} else {
					json_object *arr = kv("array"), *items = json_object_new_array();
					for (int c = 0; c < ncpu; c++)
						json_object_array_add(items, decode(btf, vid, val + c * stride, vsz, 0));
					json_object_object_add(arr, "items", items);
					json_object_object_add(e, "value", arr);
				}
			}
			if (!dump_budget_left(strlen(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN)))) {
				json_object_put(e);
				truncated = true;
				break;
			}
			json_object_array_add(entries, e);
		}
		free(key);
		free(next);
		free(val);
	}
	json_object_object_add(o, "entries", entries);
	json_object_object_add(o, "truncated", json_object_new_boolean(truncated));
	return o;
}

/* Initial values of every writable global section (.data, .bss and their .data.* kin). */
struct initial {
	struct bpf_map *map;
	void *data;
	size_t size;
};
static struct initial *initials;
static int ninitials;

static void clear_map(struct bpf_map *m)
{
	enum bpf_map_type type = bpf_map__type(m);
	uint32_t ksz = bpf_map__key_size(m), vsz = bpf_map__value_size(m);
	int ncpu = is_percpu(type) ? libbpf_num_possible_cpus() : 1;
	size_t stride = is_percpu(type) ? ((vsz + 7) & ~7u) : vsz;
	int fd = bpf_map__fd(m);

	if (bpf_map__is_internal(m)) {
		uint32_t zero = 0;

		for (int i = 0; i < ninitials; i++)
			if (initials[i].map == m)
				bpf_map_update_elem(fd, &zero, initials[i].data, BPF_ANY);
		return;
	}
	if (is_hash(type)) {
		uint8_t *key = calloc(1, ksz);

		for (int i = 0; i < 1000000 && bpf_map_get_next_key(fd, NULL, key) == 0; i++)
			bpf_map_delete_elem(fd, key);
		free(key);
	} else if (is_array(type)) {
		void *zeros = calloc((size_t)ncpu, stride);

		for (uint32_t i = 0; i < bpf_map__max_entries(m); i++)
			bpf_map_update_elem(fd, &i, zeros, BPF_ANY);
		free(zeros);
	}
}

/* ------------------------------------------------------------------------------------------ */
/*
 * Maps as libbpf sees them, before it creates any. The static checks read the object's BTF and
 * sections themselves; libbpf reads them again, its own way. Whatever the two disagree on (a
 * hand-made .BTF, a second map description) is refused, so libbpf never allocates a map the
 * checks did not accept.
 */

/* Bytes the kernel allocates for a map's data, at least: per-CPU values once per possible CPU. */
static unsigned __int128 map_bytes(const struct bpf_map *m, int ncpu)
{
	enum bpf_map_type type = bpf_map__type(m);
	unsigned __int128 key = bpf_map__key_size(m), value = bpf_map__value_size(m);

	if (type == BPF_MAP_TYPE_RINGBUF)
		return bpf_map__max_entries(m);
	if (is_percpu(type))
		value = ((value + 7) & ~(unsigned __int128)7) * (unsigned)ncpu;
	return (key + value) * bpf_map__max_entries(m);
}

/* Reports the refusal (object_refused, or the map-memory limit) and returns false. */
static bool maps_as_checked(struct bpf_object *obj)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned __int128 total = 0;
	struct bpf_map *m;
	char why[768];

	if (ncpu < 1)
		ncpu = 1;
	why[0] = 0;
	bpf_object__for_each_map(m, obj) {
		bool internal = bpf_map__is_internal(m);
		const char *name = internal ? internal_section(m) : bpf_map__name(m);
		const char *type = libbpf_bpf_map_type_str(bpf_map__type(m));
		struct map_view *v = NULL;

		for (int i = 0; i < cfg.nmaps && !v; i++)
			if (!cfg.maps[i].matched && !strcmp(cfg.maps[i].name, name))
				v = &cfg.maps[i];
		if (!v) {
			snprintf(why, sizeof(why), "libbpf finds a map %s that the static checks did not see", name);
			break;
		}
		v->matched = true;
		/* the flags of globals are libbpf's own choice (read-only, mmapable), not the file's */
		if (!type || strcmp(type, v->type) || bpf_map__key_size(m) != v->key_size ||
		    bpf_map__value_size(m) != v->value_size || bpf_map__max_entries(m) != v->max_entries ||
		    (!internal && bpf_map__map_flags(m) != v->flags)) {
			snprintf(why, sizeof(why),
				 "map %s is %s with %u-byte keys, %u-byte values, %u entries and flags %u to "
				 "libbpf, but %s with %lld-byte keys, %lld-byte values, %lld entries and flags "
				 "%lld to the static checks",
				 name, type ? type : "unknown", bpf_map__key_size(m), bpf_map__value_size(m),
				 bpf_map__max_entries(m), bpf_map__map_flags(m), v->type, v->key_size,
				 v->value_size, v->max_entries, v->flags);
			break;
		}
		total += map_bytes(m, ncpu);
	}
	for (int i = 0; i < cfg.nmaps && !why[0]; i++)
		if (!cfg.maps[i].matched)
			snprintf(why, sizeof(why), "the static checks saw a map %s that libbpf does not find",
				 cfg.maps[i].name);
	if (why[0]) {
		json_object *o = line("object_refused");

		json_object_object_add(o, "message", jstr(why));
		emit(o);
		return false;
	}
	if (total > (unsigned __int128)cfg.map_memory_bytes) {
		emit_limit("map-memory",
			   "your maps and globals need more than %lld bytes (per-CPU maps count once for "
			   "each of the %d possible CPUs)",
			   cfg.map_memory_bytes, ncpu);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Loading. */

static void set_types(struct bpf_object *obj)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		bpf_program__set_type(p, BPF_PROG_TYPE_TRACEPOINT);
		bpf_program__set_autoattach(p, false);
		/* log_level 0: libbpf retries a failed load with level 1 into this buffer */
		bpf_program__set_log_buf(p, log_buf, LOG_BUF_SIZE);
	}
}

static uint32_t obj_id(int fd)
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
 * The verification budget of a run. The verifier stops with EAGAIN when a signal is pending, so
 * once the budget is spent a timer signals every few milliseconds: the program being verified,
 * libbpf's retries and its reload for the log all stop at once.
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

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &t, NULL);
}

static void disarm_verify_budget(void)
{
	struct itimerval off = {0};

	setitimer(ITIMER_REAL, &off, NULL);
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
static struct bpf_object *load_student(const char *path, bool check_maps)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	json_object *o, *progs, *maps;
	int err;

	log_buf = calloc(1, LOG_BUF_SIZE);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = errno;
		o = line("verifier_error");
		json_object_object_add(o, "program", json_object_new_string(""));
		json_object_object_add(o, "errno", json_object_new_int(err));
		json_object_object_add(o, "log", jbytes(libbpf_msgs, libbpf_msgs_len));
		emit(o);
		return NULL;
	}
	set_types(obj);
	if (check_maps && !maps_as_checked(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	/* keep the initial values of the writable globals, to restore them before each scenario */
	int ninternal = 0;
	bpf_object__for_each_map(m, obj)
		ninternal += bpf_map__is_internal(m);
	initials = calloc((size_t)ninternal + 1, sizeof(*initials));
	bpf_object__for_each_map(m, obj) {
		size_t sz;
		const void *init;

		if (bpf_map__is_internal(m) && !is_rodata(m) && (init = bpf_map__initial_value(m, &sz))) {
			initials[ninitials].map = m;
			initials[ninitials].data = malloc(sz);
			memcpy(initials[ninitials].data, init, sz);
			initials[ninitials++].size = sz;
		}
	}
	libbpf_msgs_len = 0;
	libbpf_msgs[0] = 0;
	if (cfg.verify_ms > 0)
		arm_verify_budget(cfg.verify_ms);
	err = bpf_object__load(obj);
	int load_errno = errno;
	if (cfg.verify_ms > 0)
		disarm_verify_budget();
	if (verify_budget_spent) {
		emit_limit("verifier-time",
			   "the verifier took longer than %lld ms, the lab's budget for a run, to check your "
			   "programs; make them simpler (fewer branches, shorter loops)",
			   cfg.verify_ms);
		bpf_object__close(obj);
		return NULL;
	}
	long long insns = 0;
	if (!err)
		bpf_object__for_each_program(p, obj)
			insns += verified_insns(bpf_program__fd(p));
	if (cfg.verified_insns > 0 && insns > cfg.verified_insns) {
		emit_limit("verifier-insns",
			   "the verifier had to check %lld instructions across your programs; the lab allows "
			   "%lld per run, since each one costs time on every event too: make them simpler "
			   "(fewer branches, shorter loops)",
			   insns, cfg.verified_insns);
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
			json_object_object_add(o, "log", jbytes(libbpf_msgs, libbpf_msgs_len));
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

static int set_rodata_u64(struct bpf_object *obj, const char *var, uint64_t value)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		size_t sz;
		const void *init;

		if (!strstr(name, ".rodata") || !(init = bpf_map__initial_value(m, &sz)))
			continue;
		int sec = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
		if (sec < 0)
			return -ENOENT;
		const struct btf_type *t = btf__type_by_id(btf, (uint32_t)sec);
		const struct btf_var_secinfo *v = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, v++) {
			const struct btf_type *vt = btf__type_by_id(btf, v->type);

			if (strcmp(btf__name_by_offset(btf, vt->name_off), var) || v->offset + 8 > sz)
				continue;
			uint8_t *copy = malloc(sz);
			memcpy(copy, init, sz);
			memcpy(copy + v->offset, &value, sizeof(value));
			int err = bpf_map__set_initial_value(m, copy, sz);
			free(copy);
			return err;
		}
	}
	return -ENOENT;
}

/* ------------------------------------------------------------------------------------------ */
/* Running one scenario. */

static pid_t child = -1;

static void stop_run(void) { kill_cgroup(); }

static int plant_and_exec(struct scenario *sc, int out_w, int err_w, int status_w)
{
	char pid[32], dir_path[PATH_MAX];
	const char *name;
	int fd, target_dir;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
#define FAIL(...)                                                                          \
	do {                                                                               \
		dprintf(status_w, __VA_ARGS__);                                            \
		_exit(126);                                                                \
	} while (0)
	/*
	 * The target's directory is opened before /tmp is replaced, and the target run through it
	 * with execveat: a checkout under /tmp (CI clones go there) is hidden by the private tmpfs.
	 * Through its directory rather than fexecve, so the target's comm stays its file name (an
	 * empty-path execveat names it after the fd number on older kernels).
	 */
	name = strrchr(sc->target, '/');
	if (name) {
		/* "/target" keeps its "/" */
		int len = name == sc->target ? 1 : (int)(name - sc->target);
		snprintf(dir_path, sizeof(dir_path), "%.*s", len, sc->target);
		name++;
	} else {
		snprintf(dir_path, sizeof(dir_path), ".");
		name = sc->target;
	}
	target_dir = open(dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target_dir < 0)
		FAIL("cannot open the target's directory %s: %s", dir_path, strerror(errno));
	if (unshare(CLONE_NEWNS))
		FAIL("unshare(CLONE_NEWNS): %s", strerror(errno));
	/* private propagation: nothing mounted here leaks back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		FAIL("making / private: %s", strerror(errno));
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777"))
		FAIL("mounting tmpfs on /tmp: %s", strerror(errno));
	if (sc->private_network && enter_private_network(dir_path, sizeof(dir_path)))
		FAIL("%s", dir_path);
	for (int i = 0; i < sc->nfiles; i++) {
		struct file_spec *f = &sc->files[i];
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", f->path);
		*strrchr(dir, '/') = 0;
		if (mkdir_p(dir, 0755))
			FAIL("creating %s: %s", dir, strerror(errno));
		fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, f->mode);
		if (fd < 0 || write(fd, f->data, f->len) != (ssize_t)f->len)
			FAIL("planting %s: %s", f->path, strerror(errno));
		fchmod(fd, (mode_t)f->mode);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		FAIL("redirecting the target's output: %s", strerror(errno));
	/* the target must inherit none of the loader's BPF or pipe fds */
	for (int i = 3; i < 1024; i++)
		if (i != status_w && i != target_dir)
			close(i);
	if (chdir("/tmp"))
		FAIL("chdir /tmp: %s", strerror(errno));
	/*
	 * Only now does the target become visible to the programs: v2 last, so the programs and
	 * the ground truth see as little of this set-up as possible.
	 */
	snprintf(pid, sizeof(pid), "%d", getpid());
	join_cgroup(cgmem, pid, status_w);
	join_cgroup(cgpids, pid, status_w);
	join_cgroup(cg2, pid, status_w);
	execveat(target_dir, name, (char *const *)sc->argv, environ, 0);
	FAIL("cannot run the target %s: %s", sc->target, strerror(errno));
#undef FAIL
}

struct capture {
	int fd;
	char *buf;
	size_t len;
	bool truncated;
	const char *name;
};

static void drain_pipe(struct capture *c)
{
	char tmp[4096];
	ssize_t n;

	while (c->fd >= 0 && (n = read(c->fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			break;
		}
		size_t room = (size_t)cfg.max_output - c->len;
		size_t keep = (size_t)n < room ? (size_t)n : room;
		memcpy(c->buf + c->len, tmp, keep);
		c->len += keep;
		if (keep < (size_t)n && !c->truncated) {
			c->truncated = true;
			emit_limit("output", "the target wrote more than %lld bytes to %s in scenario %s; the rest was dropped",
				   cfg.max_output, c->name, cur->id);
		}
	}
	close(c->fd);
	c->fd = -1;
}

static int run_scenario(struct scenario *sc, struct bpf_object *obj, struct ring_buffer *rb)
{
	int out[2], err[2], status[2], ep, pidfd;
	struct capture cap[2];
	bool timed_out = false;
	int wstatus = 0;
	char setup_err[512];
	json_object *o, *exit_o, *maps;
	struct bpf_map *m;

	cur = sc;
	n_records = n_syscalls = 0;
	records_limited = syscalls_limited = false;
	o = line("scenario_start");
	json_object_object_add(o, "scenario", json_object_new_string(sc->id));
	emit(o);

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(status, O_CLOEXEC)) {
		emit_fatal("pipe: %s", strerror(errno));
		return -1;
	}
	uint64_t deadline = now_ns() + (uint64_t)sc->wall_ms * 1000000ull;
	child = fork();
	if (child < 0) {
		emit_fatal("fork: %s", strerror(errno));
		return -1;
	}
	if (child == 0) {
		close(out[0]);
		close(err[0]);
		close(status[0]);
		plant_and_exec(sc, out[1], err[1], status[1]);
	}
	close(out[1]);
	close(err[1]);
	close(status[1]);
	/* the status pipe closes on exec (success) or carries the set-up error */
	ssize_t sn = read(status[0], setup_err, sizeof(setup_err) - 1);
	close(status[0]);
	if (sn > 0) {
		setup_err[sn] = 0;
		waitpid(child, NULL, 0);
		emit_fatal("scenario %s: %s", sc->id, setup_err);
		return -1;
	}

	cap[0] = (struct capture){.fd = out[0], .buf = malloc((size_t)cfg.max_output), .name = "stdout"};
	cap[1] = (struct capture){.fd = err[0], .buf = malloc((size_t)cfg.max_output), .name = "stderr"};
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN};
	ev.data.u32 = 0;
	epoll_ctl(ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev);
	ev.data.u32 = 1;
	epoll_ctl(ep, EPOLL_CTL_ADD, out[0], &ev);
	ev.data.u32 = 2;
	epoll_ctl(ep, EPOLL_CTL_ADD, err[0], &ev);
	ev.data.u32 = 3;
	epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev);

	for (bool exited = false; !exited;) {
		struct epoll_event evs[4];
		uint64_t t = now_ns();

		if (t >= deadline) {
			timed_out = true;
			emit_limit("wall-time", "the target ran longer than %ld ms in scenario %s and was stopped",
				   sc->wall_ms, sc->id);
			kill_cgroup();
			kill(child, SIGKILL);
			break;
		}
		int ms = (int)((deadline - t + 999999) / 1000000);
		int n = epoll_wait(ep, evs, 4, ms);
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case 0:
				ring_buffer__consume(rb);
				break;
			case 1:
			case 2:
				drain_pipe(&cap[evs[i].data.u32 - 1]);
				if (cap[evs[i].data.u32 - 1].fd < 0)
					epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.u32 == 1 ? out[0] : err[0], NULL);
				break;
			case 3:
				exited = true;
				break;
			}
		}
	}
	waitpid(child, &wstatus, 0);
	child = -1;
	/* the target is gone; stop whatever it left behind, then collect everything */
	kill_cgroup();
	ring_buffer__consume(rb);
	for (int i = 0; i < 2; i++) {
		if (cap[i].fd >= 0)
			fcntl(cap[i].fd, F_SETFL, 0);
		drain_pipe(&cap[i]);
	}
	close(ep);
	close(pidfd);

	exit_o = json_object_new_object();
	if (WIFEXITED(wstatus) && !timed_out) {
		json_object_object_add(exit_o, "code", json_object_new_int(WEXITSTATUS(wstatus)));
		json_object_object_add(exit_o, "signal", NULL);
	} else {
		char sig[32];
		int s = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : SIGKILL;
		const char *abbrev = sigabbrev_np(s);

		snprintf(sig, sizeof(sig), "SIG%s", abbrev ? abbrev : "UNKNOWN");
		json_object_object_add(exit_o, "code", NULL);
		json_object_object_add(exit_o, "signal", json_object_new_string(sig));
	}
	json_object_object_add(exit_o, "timedOut", json_object_new_boolean(timed_out));
	json_object_object_add(exit_o, "stdout", jbytes(cap[0].buf, cap[0].len));
	json_object_object_add(exit_o, "stderr", jbytes(cap[1].buf, cap[1].len));
	free(cap[0].buf);
	free(cap[1].buf);
	o = line("target_exit");
	json_object_object_add(o, "scenario", json_object_new_string(sc->id));
	json_object_object_add(o, "exit", exit_o);
	emit(o);

	maps = json_object_new_array();
	bpf_object__for_each_map(m, obj)
		if (student_map(m))
			json_object_array_add(maps, dump_map(obj, m));
	o = line("maps");
	json_object_object_add(o, "scenario", json_object_new_string(sc->id));
	json_object_object_add(o, "maps", maps);
	emit(o);
	/* scenarios stay apart: the next one starts from empty maps and initial globals */
	bpf_object__for_each_map(m, obj)
		if (student_map(m))
			clear_map(m);
	/* no thread of the target is left, so any pointer still kept is stale (none, normally) */
	if (open_paths)
		clear_map(open_paths);
	cur = NULL;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
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

static int tracepoint_id(const struct hook *h)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s/id", h->cat, h->name);
	int n = read_file(path, buf, sizeof(buf));
	return n < 0 ? n : atoi(buf);
}

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
static long long reset_student_state(struct bpf_object *obj)
{
	struct bpf_map *m;
	long long drained = 0;

	bpf_object__for_each_map(m, obj) {
		if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF) {
			struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(m), discard_record, &drained, NULL);

			if (!rb)
				return -1;
			ring_buffer__consume(rb);
			ring_buffer__free(rb);
		} else if (!is_rodata(m)) {
			clear_map(m);
		}
	}
	return drained;
}

/* ------------------------------------------------------------------------------------------ */

static void emit_attach_error(const char *prog, const char *sec, int err, const char *msg)
{
	json_object *o = line("attach_error");

	json_object_object_add(o, "program", jstr(prog));
	json_object_object_add(o, "section", jstr(sec));
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "message", jstr(msg));
	emit(o);
}

static int probe(void)
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

static void done(void) { emit(line("done")); }

/* LAB_LOADER_TIMING=1: phase times on stderr, for measuring. */
static void phase(const char *what)
{
	static uint64_t t0;

	if (!getenv("LAB_LOADER_TIMING"))
		return;
	if (!t0)
		t0 = now_ns();
	fprintf(stderr, "%s %.1f ms\n", what, (double)(now_ns() - t0) / 1e6);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj = NULL, *disp = NULL, *disps[MAX_DISPATCHERS] = {0};
	int ndisps = 0;
	struct bpf_link *links[MAX_HOOKS * 2];
	int nlinks = 0, rc = 0;
	uint64_t cgid;
	char dpath[PATH_MAX], msg[512];
	struct bpf_program *p;

	/* the runner owns us: if it dies, so do we (the kernel then frees programs and links) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	libbpf_set_print(libbpf_print);
	if (argc == 2 && !strcmp(argv[1], "--probe"))
		return probe();
	if (argc == 3 && !strcmp(argv[1], "--load-only")) {
		obj = load_student(argv[2], false);
		done();
		bpf_object__close(obj);
		return 0;
	}
	phase("start");
	json_object *root = read_config();
	ensure_tracefs();
	if (setup_cgroups(&cgid)) {
		remove_cgroups();
		return 1;
	}
	phase("cgroups");
	obj = load_student(cfg.object, true);
	phase("student loaded");
	if (!obj)
		goto finish;

	/* Hooks: the exercise's observe list, then the student's sections. */
	for (int i = 0; i < cfg.nobserve; i++) {
		char cat[64], name[128];
		const char *slash = strchr(cfg.observe[i], '/');

		if (!slash || slash - cfg.observe[i] >= 64 || strlen(slash + 1) >= 128) {
			emit_fatal("observe: bad hook %s", cfg.observe[i]);
			rc = 1;
			goto finish;
		}
		snprintf(cat, sizeof(cat), "%.*s", (int)(slash - cfg.observe[i]), cfg.observe[i]);
		snprintf(name, sizeof(name), "%s", slash + 1);
		if (find_or_add_hook(cat, name, true, msg, sizeof(msg)) < 0) {
			emit_fatal("observe: %s", msg);
			rc = 1;
			goto finish;
		}
	}
	int prog_hook[MAX_SLOTS];
	int nprogs = 0;
	bpf_object__for_each_program(p, obj) {
		char cat[64], name[128];
		const char *sec = bpf_program__section_name(p);
		int h;

		if (nprogs == MAX_SLOTS) {
			emit_attach_error(bpf_program__name(p), sec, E2BIG, "too many programs (at most 64)");
			goto finish;
		}
		if (!parse_section(sec, cat, name)) {
			snprintf(msg, sizeof(msg),
				 "unsupported section \"%s\": use SEC(\"tp/<category>/<name>\") or "
				 "SEC(\"tracepoint/<category>/<name>\")",
				 sec);
			emit_attach_error(bpf_program__name(p), sec, EINVAL, msg);
			goto finish;
		}
		if ((h = find_or_add_hook(cat, name, false, msg, sizeof(msg))) < 0) {
			emit_attach_error(bpf_program__name(p), sec, -h, msg);
			goto finish;
		}
		prog_hook[nprogs++] = h;
	}

	/* The dispatcher, told the run's cgroup before load. */
	ssize_t l = readlink("/proc/self/exe", dpath, sizeof(dpath) - 32);
	if (l < 0) {
		emit_fatal("readlink /proc/self/exe: %s", strerror(errno));
		rc = 1;
		goto finish;
	}
	dpath[l] = 0;
	strcpy(strrchr(dpath, '/') + 1, "dispatcher.bpf.o");
	/*
	 * A tracepoint takes a given program only once (EEXIST), so a hook with k student programs
	 * needs k dispatcher instances; they share the first one's prog array and ring buffer.
	 */
	int per_hook_max = 1;
	for (int h = 0; h < nhooks; h++) {
		int k = 0;

		for (int s = 0; s < nprogs; s++)
			k += prog_hook[s] == h;
		per_hook_max = k > per_hook_max ? k : per_hook_max;
	}
	if (per_hook_max > MAX_DISPATCHERS) {
		emit_attach_error("", "", E2BIG, "more than 8 programs on one hook");
		goto finish;
	}
	for (ndisps = 0; ndisps < per_hook_max; ndisps++) {
		struct bpf_object *d = bpf_object__open_file(dpath, NULL);
		int err = !d || set_rodata_u64(d, "run_cgroup", cgid);

		/* load only the record shapes these hooks need: each program costs a verification */
		if (!err) {
			struct bpf_program *dp;

			bpf_object__for_each_program(dp, d) {
				bool used = false;

				for (int h = 0; h < nhooks; h++)
					used |= dispatcher_for(d, &hooks[h]) == dp;
				bpf_program__set_autoload(dp, used);
			}
		}
		/* a thread keeps at most one openat path and the pids limit bounds the threads */
		struct bpf_map *paths = d ? bpf_object__find_map_by_name(d, "disp_open_paths") : NULL;
		long long paths_max = cfg.pids < 1 ? 1 : cfg.pids > 65536 ? 65536 : cfg.pids;

		if (d && !paths) {
			emit_fatal("the dispatcher %s is older than this loader (no disp_open_paths map): "
				   "rebuild both with build.sh",
				   dpath);
			disps[ndisps++] = d;
			rc = 1;
			goto finish;
		}
		if (!err && ndisps == 0)
			err = bpf_map__set_max_entries(paths, (uint32_t)paths_max);
		if (!err && ndisps > 0)
			err = bpf_map__reuse_fd(bpf_object__find_map_by_name(d, "disp_progs"),
						bpf_object__find_map_fd_by_name(disps[0], "disp_progs")) ||
			      bpf_map__reuse_fd(bpf_object__find_map_by_name(d, "disp_events"),
						bpf_object__find_map_fd_by_name(disps[0], "disp_events")) ||
			      bpf_map__reuse_fd(paths, bpf_object__find_map_fd_by_name(disps[0], "disp_open_paths"));
		if (!err)
			err = bpf_object__load(d);
		if (d)
			disps[ndisps] = d;
		if (err) {
			emit_fatal("cannot load the dispatcher %s: %s %.*s", dpath, strerror(errno),
				   (int)libbpf_msgs_len, libbpf_msgs);
			ndisps++;
			rc = 1;
			goto finish;
		}
	}
	disp = disps[0];
	open_paths = bpf_object__find_map_by_name(disp, "disp_open_paths");
	phase("dispatcher loaded");
	/* The path pointer is kept at enter only when an exit will take it (and delete it). */
	bool exit_openat_observed = false;
	for (int h = 0; h < nhooks; h++)
		exit_openat_observed |= hooks[h].shape == SHAPE_EXIT_OPENAT && hooks[h].observe;

	/* One attachment per (hook, student program), plus one per observed hook without one. */
	json_object *hooks_j = json_object_new_array(), *ids = json_object_new_object();
	json_object *link_ids = json_object_new_array(), *dprog_ids = json_object_new_array();
	json_object *dmap_ids = json_object_new_array();
	for (int h = 0; h < nhooks; h++) {
		int attached = 0;

		for (int s = 0; s <= nprogs; s++) {
			bool none = s == nprogs;

			if (none ? (attached || !hooks[h].observe) : prog_hook[s] != h)
				continue;
			bool record = hooks[h].observe && !hooks[h].recording;
			struct bpf_program *dp = dispatcher_for(disps[attached], &hooks[h]);
			bool keep_path = record && exit_openat_observed && hooks[h].shape == SHAPE_OPENAT;
			LIBBPF_OPTS(bpf_tracepoint_opts, opts,
				    .bpf_cookie = (none ? SLOT_NONE : (uint64_t)s) | ((uint64_t)h << 16) |
						  (record ? COOKIE_RECORD : 0) | (keep_path ? COOKIE_KEEP_PATH : 0));
			struct bpf_link *link = bpf_program__attach_tracepoint_opts(dp, hooks[h].cat, hooks[h].name, &opts);
			if (!link) {
				int e = errno;
				struct bpf_program *sp = NULL;
				int k = 0;

				bpf_object__for_each_program(p, obj) if (k++ == s) sp = p;
				snprintf(msg, sizeof(msg), "cannot attach to %s/%s: %s", hooks[h].cat, hooks[h].name,
					 strerror(e));
				if (none || !sp) {
					emit_fatal("%s", msg);
					rc = 1;
				} else {
					emit_attach_error(bpf_program__name(sp), bpf_program__section_name(sp), e, msg);
				}
				json_object_put(hooks_j);
				json_object_put(ids);
				json_object_put(link_ids);
				json_object_put(dprog_ids);
				json_object_put(dmap_ids);
				goto finish;
			}
			hooks[h].recording |= record;
			links[nlinks++] = link;
			json_object_array_add(link_ids, json_object_new_int64(obj_id(bpf_link__fd(link))));
			attached++;
		}
		snprintf(msg, sizeof(msg), "%s/%s", hooks[h].cat, hooks[h].name);
		json_object_array_add(hooks_j, json_object_new_string(msg));
	}
	for (int d = 0; d < ndisps; d++)
		bpf_object__for_each_program(p, disps[d])
			if (bpf_program__fd(p) >= 0)
				json_object_array_add(dprog_ids, json_object_new_int64(obj_id(bpf_program__fd(p))));
	struct bpf_map *m;
	bpf_object__for_each_map(m, disp)
		json_object_array_add(dmap_ids, json_object_new_int64(obj_id(bpf_map__fd(m))));
	json_object_object_add(ids, "programs", dprog_ids);
	json_object_object_add(ids, "maps", dmap_ids);
	json_object_object_add(ids, "links", link_ids);

	/*
	 * The kernel's check of each program's context reads, before any enters the prog array. The
	 * dispatchers are attached already (tail-calling into an empty array): they keep each hook's
	 * tracepoint registered, so closing a check's event does not wait for the tracepoint to be
	 * unregistered (~45 ms per hook here).
	 */
	int checked = 0;
	bpf_object__for_each_program(p, obj) {
		const struct hook *h = &hooks[prog_hook[checked++]];
		bool platform;
		int err = kernel_context_check(p, h, &platform);

		if (!err)
			continue;
		if (platform) {
			emit_fatal("kernel check of %s on %s/%s: %s", bpf_program__name(p), h->cat, h->name,
				   strerror(-err));
			rc = 1;
		} else if (err == -EACCES) {
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
		goto detach;
	}
	wait_for_check_runs();
	long long discarded = reset_student_state(obj);
	if (discarded < 0) {
		emit_fatal("cannot drain a ring buffer after the kernel check: %s", strerror(errno));
		rc = 1;
		goto detach;
	}
	phase("kernel check");
	int progs_fd = bpf_object__find_map_fd_by_name(disp, "disp_progs");
	uint32_t slot = 0;
	bpf_object__for_each_program(p, obj) {
		int fd = bpf_program__fd(p);

		if (bpf_map_update_elem(progs_fd, &slot, &fd, BPF_ANY)) {
			emit_fatal("prog array: %s", strerror(errno));
			rc = 1;
			goto detach;
		}
		slot++;
	}
	phase("attached");
	json_object *att = line("attached");
	json_object_object_add(att, "hooks", hooks_j);
	json_object_object_add(att, "platform", ids);
	json_object *kcheck = json_object_new_object();
	json_object_object_add(kcheck, "programs", json_object_new_int(checked));
	json_object_object_add(kcheck, "discardedRecords", json_object_new_int64(discarded));
	json_object_object_add(att, "kernelCheck", kcheck);
	emit(att);

	struct ring_buffer *rb = ring_buffer__new(bpf_object__find_map_fd_by_name(disp, "disp_events"), on_syscall, NULL, NULL);
	int lab_fd = bpf_object__find_map_fd_by_name(obj, "lab_events");
	if (!rb || (lab_fd >= 0 && ring_buffer__add(rb, lab_fd, on_record, NULL))) {
		emit_fatal("ring buffer: %s", strerror(errno));
		rc = 1;
		goto finish;
	}
	for (int i = 0; i < cfg.nscenarios; i++)
		if (run_scenario(&cfg.scenarios[i], obj, rb)) {
			rc = 1;
			break;
		}
	if (rc == 0)
		done();
	phase("done");
	/* the verdict does not wait for detaching (~300 ms): done is out, now clean up */
	ring_buffer__free(rb);
	goto cleanup;
detach:
	json_object_put(hooks_j);
	json_object_put(ids);
finish:
	if (rc == 0)
		done();
cleanup:
	fclose(stdout);
	for (int i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	for (int d = 0; d < ndisps; d++)
		bpf_object__close(disps[d]);
	bpf_object__close(obj);
	phase("detached");
	remove_cgroups();
	phase("cgroups removed");
	json_object_put(root);
	return rc;
}
