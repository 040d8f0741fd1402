// SPDX-License-Identifier: GPL-2.0
/*
 * The student's maps after each scenario: dumped (decoded with the object's BTF, padding bytes
 * shown when they hold garbage) within the run's dump budget, then cleared, so the next
 * scenario starts from empty maps and the globals' initial values.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

bool is_hash(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_HASH || t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

bool is_array(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_ARRAY || t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_PERCPU_ARRAY;
}

/*
 * The section an internal map holds: libbpf names `.data`, `.rodata` and `.bss` after the object
 * (`student.data`), and `.data.*`/`.rodata.*` after the section itself.
 */
const char *internal_section(const struct bpf_map *m)
{
	const char *dot = strchr(bpf_map__name(m), '.');

	return dot ? dot : "";
}

/* Read-only globals: libbpf freezes them at load, so neither side can change them afterwards. */
bool is_rodata(const struct bpf_map *m)
{
	return bpf_map__is_internal(m) && !strncmp(internal_section(m), ".rodata", 7);
}

/* Student maps worth dumping: their own maps and .bss/.data globals, not lab_events. */
bool student_map(const struct bpf_map *m)
{
	const char *name = bpf_map__name(m);

	if (!strncmp(name, "lab_", 4))
		return false;
	if (bpf_map__is_internal(m))
		return !is_rodata(m) && (!strncmp(internal_section(m), ".bss", 4) ||
					 !strncmp(internal_section(m), ".data", 5));
	return true;
}

/* True while the run's map dumps are within their budget; names the limit once when they are not. */
static bool dump_budget_left(struct run *run, size_t entry_bytes)
{
	if (run->dump_limited)
		return false;
	if (run->dumped_entries + 1 > run->cfg.map_dump_entries ||
	    run->dumped_bytes + (long long)entry_bytes > run->cfg.map_dump_bytes) {
		run->dump_limited = true;
		emit_limit(run->cur ? run->cur->id : NULL, "map-dump",
			   "your maps held more than the lab shows of a run (%lld entries, %lld KiB in "
			   "all); the rest of them is not shown",
			   run->cfg.map_dump_entries, run->cfg.map_dump_bytes / 1024);
		return false;
	}
	run->dumped_entries++;
	run->dumped_bytes += (long long)entry_bytes;
	return true;
}

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

json_object *dump_map(struct run *run, struct bpf_map *m)
{
	const struct btf *btf = bpf_object__btf(run->obj);
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
			if (count++ >= run->cfg.max_map_entries) {
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
			if (!dump_budget_left(run, strlen(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN)))) {
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

/* Keeps the initial values of the writable globals, to restore them before each scenario. */
void keep_initial_values(struct run *run, struct bpf_object *obj)
{
	struct bpf_map *m;
	int ninternal = 0;

	bpf_object__for_each_map(m, obj)
		ninternal += bpf_map__is_internal(m);
	run->initials = calloc((size_t)ninternal + 1, sizeof(*run->initials));
	bpf_object__for_each_map(m, obj) {
		size_t sz;
		const void *init;

		if (bpf_map__is_internal(m) && !is_rodata(m) && (init = bpf_map__initial_value(m, &sz))) {
			struct initial *in = &run->initials[run->ninitials++];

			in->map = m;
			in->data = malloc(sz);
			memcpy(in->data, init, sz);
			in->size = sz;
		}
	}
}

void clear_map(struct run *run, struct bpf_map *m)
{
	enum bpf_map_type type = bpf_map__type(m);
	uint32_t ksz = bpf_map__key_size(m), vsz = bpf_map__value_size(m);
	int ncpu = is_percpu(type) ? libbpf_num_possible_cpus() : 1;
	size_t stride = is_percpu(type) ? ((vsz + 7) & ~7u) : vsz;
	int fd = bpf_map__fd(m);

	if (bpf_map__is_internal(m)) {
		uint32_t zero = 0;

		for (int i = 0; i < run->ninitials; i++)
			if (run->initials[i].map == m)
				bpf_map_update_elem(fd, &zero, run->initials[i].data, BPF_ANY);
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
