// SPDX-License-Identifier: GPL-2.0
/* Output: one JSON object per line on stdout (the `LoaderLine` schema), flushed at once. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader.h"

void emit_batched(json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
	      stdout);
	fputc('\n', stdout);
	json_object_put(o);
}

void emit(json_object *o)
{
	emit_batched(o);
	fflush(stdout);
}

void flush_output(void) { fflush(stdout); }

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
json_object *jbytes(const void *p, size_t n)
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

json_object *jstr(const char *s) { return jbytes(s, strlen(s)); }

json_object *jhex(const void *p, size_t n)
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

json_object *ju64(uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	return json_object_new_string(b);
}

json_object *js64(int64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%lld", (long long)v);
	return json_object_new_string(b);
}

json_object *line(const char *type)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	return o;
}

void emit_fatal(const char *fmt, ...)
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

void emit_limit(const char *scenario, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_object *o = line("limit");

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (scenario)
		json_object_object_add(o, "scenario", json_object_new_string(scenario));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "message", jstr(msg));
	emit(o);
}

void emit_attach_error(const char *prog, const char *sec, int err, const char *msg)
{
	json_object *o = line("attach_error");

	json_object_object_add(o, "program", jstr(prog));
	json_object_object_add(o, "section", jstr(sec));
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "message", jstr(msg));
	emit(o);
}

void emit_done(void) { emit(line("done")); }

/* libbpf's own messages, kept for the error lines: set as libbpf's print callback. */
static char libbpf_msgs[16384];
static size_t libbpf_msgs_len;

int keep_libbpf_message(enum libbpf_print_level level, const char *fmt, va_list ap)
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

const char *libbpf_messages(size_t *len)
{
	*len = libbpf_msgs_len;
	return libbpf_msgs;
}

void libbpf_messages_reset(void)
{
	libbpf_msgs_len = 0;
	libbpf_msgs[0] = 0;
}

bool timing_on(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("LAB_LOADER_TIMING") != NULL;
	return on;
}

void phase_at(const char *what, uint64_t t)
{
	static uint64_t t0;

	if (!timing_on())
		return;
	struct timespec cpu;

	if (!t0)
		t0 = t;
	/* the process's CPU so far too: what a phase cost, apart from waiting */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	fprintf(stderr, "%s %.2f ms (cpu %.2f)\n", what, (double)(t - t0) / 1e6,
		(double)cpu.tv_sec * 1e3 + (double)cpu.tv_nsec / 1e6);
}

void phase(const char *what)
{
	phase_at(what, now_ns());
}
