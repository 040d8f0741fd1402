// SPDX-License-Identifier: GPL-2.0
/* The run's config: a `LoaderConfig` (packages/protocol) as JSON on stdin. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

static json_object *get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type)) {
		emit_fatal("config: missing or mistyped field '%s'", key);
		exit(1);
	}
	return v;
}

static long long get_int(json_object *o, const char *key)
{
	return json_object_get_int64(get(o, key, json_type_int));
}

static const char *get_string(json_object *o, const char *key)
{
	return json_object_get_string(get(o, key, json_type_string));
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

static json_object *read_stdin_json(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t n;
	json_object *root;

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
	return root;
}

static void read_limits(struct config *cfg, json_object *lim)
{
	cfg->memory_bytes = get_int(lim, "memoryBytes");
	cfg->pids = get_int(lim, "pids");
	cfg->max_records = get_int(lim, "maxRecords");
	cfg->max_syscalls = get_int(lim, "maxSyscalls");
	cfg->max_map_entries = get_int(lim, "maxMapEntries");
	cfg->max_output = get_int(lim, "maxOutputBytes");
	cfg->map_memory_bytes = get_int(lim, "mapMemoryBytes");
	cfg->map_dump_entries = get_int(lim, "mapDumpEntries");
	cfg->map_dump_bytes = get_int(lim, "mapDumpBytes");
	cfg->verify_ms = get_int(lim, "verifyMs");
	cfg->verified_insns = get_int(lim, "verifiedInsns");
}

static void read_maps(struct config *cfg, json_object *v)
{
	cfg->nmaps = (int)json_object_array_length(v);
	cfg->maps = calloc((size_t)cfg->nmaps + 1, sizeof(struct map_view));
	for (int i = 0; i < cfg->nmaps; i++) {
		json_object *mo = json_object_array_get_idx(v, (size_t)i);
		struct map_view *mv = &cfg->maps[i];

		mv->name = get_string(mo, "name");
		mv->type = get_string(mo, "type");
		mv->key_size = get_int(mo, "keySize");
		mv->value_size = get_int(mo, "valueSize");
		mv->max_entries = get_int(mo, "maxEntries");
		mv->flags = get_int(mo, "flags");
	}
}

static void read_file_spec(struct file_spec *fs, json_object *fo)
{
	json_object *mode;
	const char *hex = get_string(fo, "hex");
	size_t hl = strlen(hex);

	fs->path = get_string(fo, "path");
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

static void read_scenarios(struct config *cfg, json_object *v)
{
	cfg->nscenarios = (int)json_object_array_length(v);
	cfg->scenarios = calloc((size_t)cfg->nscenarios + 1, sizeof(struct scenario));
	for (int i = 0; i < cfg->nscenarios; i++) {
		json_object *s = json_object_array_get_idx(v, (size_t)i), *a, *f;
		struct scenario *sc = &cfg->scenarios[i];

		sc->id = get_string(s, "id");
		sc->target = get_string(s, "target");
		sc->wall_ms = get_int(s, "wallMs");
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
		for (int j = 0; j < sc->nfiles; j++)
			read_file_spec(&sc->files[j], json_object_array_get_idx(f, (size_t)j));
	}
}

void read_config(struct config *cfg)
{
	json_object *root = read_stdin_json(), *v;

	cfg->root = root;
	cfg->object = get_string(root, "object");
	cfg->cgroup = get_string(root, "cgroup");
	v = get(root, "observe", json_type_array);
	cfg->nobserve = (int)json_object_array_length(v);
	cfg->observe = calloc((size_t)cfg->nobserve + 1, sizeof(char *));
	for (int i = 0; i < cfg->nobserve; i++)
		cfg->observe[i] = json_object_get_string(json_object_array_get_idx(v, (size_t)i));
	read_limits(cfg, get(root, "limits", json_type_object));
	read_maps(cfg, get(root, "maps", json_type_array));
	read_scenarios(cfg, get(root, "scenarios", json_type_array));
}
