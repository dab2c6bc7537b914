/*
 * pprof.c - a trace as pprof's profile.proto, gzip'd (profile_export.h).
 *
 * The encoder is hand-written: profile.proto needs only varints and
 * length-delimited fields, about forty lines here, where protobuf-c would
 * add a generated file, a code generator at build time and a runtime
 * library for the same bytes. Field numbers are those of
 * github.com/google/pprof/proto/profile.proto.
 *
 * Each message is built in its own buffer and then appended to its parent
 * with its length, so nothing is written twice or patched afterwards. The
 * frames are already symbolized (function, file:line), so every mapping
 * says so (has_functions etc.) and pprof does not look for the binaries
 * again; locations are return addresses minus one, inside the call, as
 * Go's own profiles have them. Build-ids come from the modules on disk
 * (the same files the symbolizer reads).
 */
#include "profile_export.h"

#include <errno.h>
#include <zlib.h>

#include "../common/strmap.h"

/* Field numbers of profile.proto. */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_MAPPING = 3, PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5, PROFILE_STRING_TABLE = 6, PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11, PROFILE_PERIOD = 12, PROFILE_COMMENT = 13, PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2,
	MAPPING_ID = 1, MAPPING_START = 2, MAPPING_LIMIT = 3, MAPPING_OFFSET = 4, MAPPING_FILENAME = 5,
	MAPPING_BUILD_ID = 6, MAPPING_HAS_FUNCTIONS = 7, MAPPING_HAS_FILENAMES = 8, MAPPING_HAS_LINE_NUMBERS = 9,
	LOCATION_ID = 1, LOCATION_MAPPING_ID = 2, LOCATION_ADDRESS = 3, LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1, LINE_LINE = 2,
	FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4,
};
enum { WIRE_VARINT = 0, WIRE_BYTES = 2 };

const char profile_value_names[] = "alloc_objects alloc_space inuse_objects inuse_space";

bool profile_value_parse(const char *name, enum profile_value *out)
{
	static const char *const names[] = { "alloc_objects", "alloc_space", "inuse_objects", "inuse_space" };
	for (size_t i = 0; i < LH_ARRAY_LEN(names); i++)
		if (!strcmp(name, names[i])) {
			*out = (enum profile_value)i;
			return true;
		}
	return false;
}

int64_t profile_sample_value(const struct trace_sample *s, enum profile_value v)
{
	switch (v) {
	case PROFILE_ALLOC_OBJECTS: return (int64_t)s->allocs;
	case PROFILE_ALLOC_SPACE: return (int64_t)s->alloc_bytes;
	case PROFILE_INUSE_OBJECTS: return s->live_blocks;
	case PROFILE_INUSE_SPACE:
	case PROFILE_VALUE_COUNT: break;
	}
	return s->live_bytes;
}

/* ---- protobuf encoding ---- */

struct pb {
	uint8_t *data;
	size_t len, cap;
};

static void pb_raw(struct pb *b, const void *p, size_t n)
{
	lh_grow((void **)&b->data, &b->cap, b->len + n, 1);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
	uint8_t bytes[10];
	size_t n = 0;
	do {
		bytes[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	pb_raw(b, bytes, n);
}

/* A varint field; zero is proto3's default and is left out. Negative int64 values take ten bytes, as protobuf's do. */
static void pb_uint(struct pb *b, unsigned field, uint64_t v)
{
	if (!v)
		return;
	pb_varint(b, (uint64_t)field << 3 | WIRE_VARINT);
	pb_varint(b, v);
}

static void pb_bytes(struct pb *b, unsigned field, const void *p, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | WIRE_BYTES);
	pb_varint(b, n);
	pb_raw(b, p, n);
}

/* Appends sub as field of b, and empties sub for the next message. */
static void pb_message(struct pb *b, unsigned field, struct pb *sub)
{
	pb_bytes(b, field, sub->data, sub->len);
	sub->len = 0;
}

/* ---- the profile ---- */

struct profile {
	const struct trace *trace;
	struct symbolizer *sym;
	struct pb out, msg, inner;
	struct strmap strings;   /* the string table: id = index */
	struct strmap functions; /* "name\tfile": id + 1 = function id */
	struct strmap locations; /* the address in hex: id + 1 = location id */
};

static int64_t string_index(struct profile *p, const char *s)
{
	return strmap_intern(&p->strings, s ? s : "");
}

static void value_type(struct profile *p, unsigned field, const char *type, const char *unit)
{
	pb_uint(&p->inner, VALUE_TYPE_TYPE, (uint64_t)string_index(p, type));
	pb_uint(&p->inner, VALUE_TYPE_UNIT, (uint64_t)string_index(p, unit));
	pb_message(&p->out, field, &p->inner);
}

/* The id of the function named name (in file, or none), written when new. */
static uint64_t function_id(struct profile *p, const char *name, const char *file)
{
	char key[2048];
	snprintf(key, sizeof(key), "%s\t%s", name, file ? file : "");
	size_t before = p->functions.count;
	uint64_t id = strmap_intern(&p->functions, key) + 1ull;
	if (p->functions.count > before) {
		pb_uint(&p->inner, FUNCTION_ID, id);
		pb_uint(&p->inner, FUNCTION_NAME, (uint64_t)string_index(p, name));
		pb_uint(&p->inner, FUNCTION_SYSTEM_NAME, (uint64_t)string_index(p, name));
		pb_uint(&p->inner, FUNCTION_FILENAME, (uint64_t)string_index(p, file));
		pb_message(&p->out, PROFILE_FUNCTION, &p->inner);
	}
	return id;
}

/* A location with one line naming a function, for the stacks that have no frames. */
static uint64_t placeholder_location(struct profile *p, const char *name)
{
	size_t before = p->locations.count;
	uint64_t id = strmap_intern(&p->locations, name) + 1ull;
	if (p->locations.count > before) {
		uint64_t fn = function_id(p, name, NULL);
		pb_uint(&p->msg, LOCATION_ID, id);
		pb_uint(&p->inner, LINE_FUNCTION_ID, fn);
		pb_message(&p->msg, LOCATION_LINE, &p->inner);
		pb_message(&p->out, PROFILE_LOCATION, &p->msg);
	}
	return id;
}

/* The id of the location of a return address, written (with its function) when new. */
static uint64_t location_id(struct profile *p, uint64_t ret)
{
	char key[24];
	snprintf(key, sizeof(key), "%llx", (unsigned long long)ret);
	size_t before = p->locations.count;
	uint64_t id = strmap_intern(&p->locations, key) + 1ull;
	if (p->locations.count == before)
		return id;
	const struct sym_frame *f = symbolizer_lookup(p->sym, ret);
	uint64_t pc = ret ? ret - 1 : 0;
	const struct trace_module *m = trace_module_of(p->trace, pc);
	uint64_t fn = f->function ? function_id(p, f->function, f->file) : 0;
	pb_uint(&p->msg, LOCATION_ID, id);
	pb_uint(&p->msg, LOCATION_MAPPING_ID, m ? (uint64_t)(m - p->trace->modules) + 1 : 0);
	pb_uint(&p->msg, LOCATION_ADDRESS, pc);
	if (fn) {
		pb_uint(&p->inner, LINE_FUNCTION_ID, fn);
		pb_uint(&p->inner, LINE_LINE, f->file ? f->line : 0);
		pb_message(&p->msg, LOCATION_LINE, &p->inner);
	}
	pb_message(&p->out, PROFILE_LOCATION, &p->msg);
	return id;
}

static void write_mapping(struct profile *p, size_t index)
{
	const struct trace_module *m = &p->trace->modules[index];
	const char *build_id = symbolizer_build_id(p->sym, m);
	pb_uint(&p->msg, MAPPING_ID, index + 1);
	pb_uint(&p->msg, MAPPING_START, m->lo);
	pb_uint(&p->msg, MAPPING_LIMIT, m->hi);
	pb_uint(&p->msg, MAPPING_FILENAME, (uint64_t)string_index(p, m->path));
	pb_uint(&p->msg, MAPPING_BUILD_ID, (uint64_t)string_index(p, build_id));
	pb_uint(&p->msg, MAPPING_HAS_FUNCTIONS, 1);
	pb_uint(&p->msg, MAPPING_HAS_FILENAMES, 1);
	pb_uint(&p->msg, MAPPING_HAS_LINE_NUMBERS, 1);
	pb_message(&p->out, PROFILE_MAPPING, &p->msg);
}

/* The main executable first: pprof takes the first mapping for the program. */
static void write_mappings(struct profile *p)
{
	const struct trace *t = p->trace;
	for (size_t i = 0; i < t->module_count; i++)
		if (t->modules[i].main)
			write_mapping(p, i);
	for (size_t i = 0; i < t->module_count; i++)
		if (!t->modules[i].main)
			write_mapping(p, i);
}

static void write_sample(struct profile *p, uint32_t id)
{
	const struct trace_stack *st = &p->trace->stacks[id];
	const struct trace_sample *last = &st->samples[st->sample_count - 1];
	struct pb ids = { 0 };
	if (st->frame_count == 0)
		pb_varint(&ids, placeholder_location(p, id == 0 ? "(stack table full)" : "(no stack)"));
	for (uint32_t i = 0; i < st->frame_count; i++)
		pb_varint(&ids, location_id(p, st->frames[i]));
	pb_bytes(&p->msg, SAMPLE_LOCATION_ID, ids.data, ids.len);
	for (int v = 0; v < PROFILE_VALUE_COUNT; v++)
		pb_varint(&p->inner, (uint64_t)profile_sample_value(last, (enum profile_value)v));
	pb_message(&p->msg, SAMPLE_VALUE, &p->inner);
	pb_message(&p->out, PROFILE_SAMPLE, &p->msg);
	free(ids.data);
}

/* Writes data gzip'd to out. */
static bool write_gzip(FILE *out, const uint8_t *data, size_t len)
{
	z_stream z = { 0 };
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		errno = ENOMEM;
		return false;
	}
	uint8_t chunk[1 << 16];
	z.next_in = (Bytef *)data;
	bool ok = true;
	int rc;
	do {
		z.avail_in = (uInt)LH_MIN(len - (size_t)(z.next_in - data), (size_t)1 << 30);
		bool last = (size_t)(z.next_in - data) + z.avail_in == len;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
			size_t have = sizeof(chunk) - z.avail_out;
			if (have && fwrite(chunk, 1, have, out) != have)
				ok = false;
		} while (ok && z.avail_out == 0);
	} while (ok && rc != Z_STREAM_END);
	deflateEnd(&z);
	return ok;
}

bool profile_write_pprof(FILE *out, const struct trace *t, struct symbolizer *sym, enum profile_value shown)
{
	struct profile p = { .trace = t, .sym = sym };
	string_index(&p, ""); /* the string table starts with "" */
	value_type(&p, PROFILE_SAMPLE_TYPE, "alloc_objects", "count");
	value_type(&p, PROFILE_SAMPLE_TYPE, "alloc_space", "bytes");
	value_type(&p, PROFILE_SAMPLE_TYPE, "inuse_objects", "count");
	value_type(&p, PROFILE_SAMPLE_TYPE, "inuse_space", "bytes");
	value_type(&p, PROFILE_PERIOD_TYPE, "space", "bytes");
	pb_uint(&p.out, PROFILE_PERIOD, t->sample_rate ? t->sample_rate : 1); /* 1: every allocation is counted */
	static const char *const names[] = { "alloc_objects", "alloc_space", "inuse_objects", "inuse_space" };
	pb_uint(&p.out, PROFILE_DEFAULT_SAMPLE_TYPE, (uint64_t)string_index(&p, names[shown]));
	pb_uint(&p.out, PROFILE_TIME_NANOS, t->start_unix_ns);
	pb_uint(&p.out, PROFILE_DURATION_NANOS, t->snapshots[t->snapshot_count - 1].time_ns);
	char comment[200];
	snprintf(comment, sizeof(comment), "leakhound trace of pid %llu%s%s", (unsigned long long)t->pid,
		 t->complete ? "" : " (incomplete: the program did not exit normally)",
		 t->sample_rate ? " (estimates: run --sample-rate, one allocation sampled per period bytes on average)" : "");
	pb_uint(&p.out, PROFILE_COMMENT, (uint64_t)string_index(&p, comment));
	write_mappings(&p);
	for (uint32_t id = 0; id < t->stack_count; id++)
		if (t->stacks[id].sample_count)
			write_sample(&p, id);
	for (size_t i = 0; i < p.strings.count; i++)
		pb_bytes(&p.out, PROFILE_STRING_TABLE, p.strings.names[i], strlen(p.strings.names[i]));
	bool ok = write_gzip(out, p.out.data, p.out.len);
	free(p.out.data);
	free(p.msg.data);
	free(p.inner.data);
	strmap_free(&p.strings);
	strmap_free(&p.functions);
	strmap_free(&p.locations);
	return ok;
}
