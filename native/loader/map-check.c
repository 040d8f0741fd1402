// SPDX-License-Identifier: GPL-2.0
/*
 * Maps as libbpf sees them, before it creates any. The static checks read the object's BTF and
 * sections themselves; libbpf reads them again, its own way. Whatever the two disagree on (a
 * hand-made .BTF, a second map description) is refused, so libbpf never allocates a map the
 * checks did not accept.
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "loader.h"

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
bool maps_as_checked(struct run *run, struct bpf_object *obj)
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

		for (int i = 0; i < run->cfg.nmaps && !v; i++)
			if (!run->cfg.maps[i].matched && !strcmp(run->cfg.maps[i].name, name))
				v = &run->cfg.maps[i];
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
	for (int i = 0; i < run->cfg.nmaps && !why[0]; i++)
		if (!run->cfg.maps[i].matched)
			snprintf(why, sizeof(why), "the static checks saw a map %s that libbpf does not find",
				 run->cfg.maps[i].name);
	if (why[0]) {
		json_object *o = line("object_refused");

		json_object_object_add(o, "message", jstr(why));
		emit(o);
		return false;
	}
	if (total > (unsigned __int128)run->cfg.map_memory_bytes) {
		emit_limit(NULL, "map-memory",
			   "your maps and globals need more than %lld bytes (per-CPU maps count once for "
			   "each of the %d possible CPUs)",
			   run->cfg.map_memory_bytes, ncpu);
		return false;
	}
	return true;
}
