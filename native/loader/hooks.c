// SPDX-License-Identifier: GPL-2.0
/* Hooks: tracepoints and the shapes of their records, read from tracefs `format`. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

/* `tp/cat/name` or `tracepoint/cat/name` → cat, name. */
bool parse_section(const char *sec, char *cat, char *name)
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

/* The dispatcher program a record of this size fits (see dispatcher.bpf.c). */
static void set_shape(struct hook *h, int size)
{
	const char *cat = h->cat, *name = h->name;

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
}

int describe_hook(struct hook *h, const char *cat, const char *name, char *err, size_t errlen)
{
	int size = record_size(cat, name);

	if (size < 0) {
		snprintf(err, errlen,
			 size == -ENOENT ? "no such hook: there is no tracepoint %s/%s"
					 : "cannot read the format of %s/%s",
			 cat, name);
		return size;
	}
	memset(h, 0, sizeof(*h));
	snprintf(h->cat, sizeof(h->cat), "%s", cat);
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->record_bytes = size;
	set_shape(h, size);
	return 0;
}

int find_or_add_hook(struct run *run, const char *cat, const char *name, bool observe, char *err,
		     size_t errlen)
{
	struct hook h;
	int e;

	for (int i = 0; i < run->nhooks; i++)
		if (!strcmp(run->hooks[i].cat, cat) && !strcmp(run->hooks[i].name, name)) {
			run->hooks[i].observe |= observe;
			return i;
		}
	if ((e = describe_hook(&h, cat, name, err, errlen)) < 0)
		return e;
	if (run->nhooks == MAX_HOOKS) {
		snprintf(err, errlen, "too many hooks (at most %d)", MAX_HOOKS);
		return -E2BIG;
	}
	h.observe = observe;
	run->hooks[run->nhooks] = h;
	return run->nhooks++;
}

int tracepoint_id(const struct hook *h)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s/id", h->cat, h->name);
	int n = read_file(path, buf, sizeof(buf));
	return n < 0 ? n : atoi(buf);
}
