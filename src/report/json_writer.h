/*
 * json_writer.h - streaming JSON output for --json.
 *
 * The writer tracks nesting and commas so report code reads as a sequence
 * of keys and values. Output is indented one level per line for diffing,
 * integers are written exactly (64-bit sizes stay plain integers), and
 * strings are escaped per RFC 8259 (they are already valid UTF-8: the
 * snapshot reader replaces invalid sequences).
 */
#ifndef LH_REPORT_JSON_WRITER_H
#define LH_REPORT_JSON_WRITER_H

#include "../common/lh.h"

#define JSON_WRITER_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	int depth;
	bool has_items[JSON_WRITER_MAX_DEPTH];
	bool after_key;
};

/*
 * The version of the --json documents' keys (docs/json.md), written first in
 * every document as "schema_version". Adding a key keeps it; renaming,
 * removing or changing the meaning of one bumps it.
 */
#define LH_JSON_SCHEMA_VERSION 1

void jw_init(struct json_writer *w, FILE *out);
/* Writes s (len bytes, NULs allowed) as a quoted JSON string, for writers that lay out their own JSON. */
void json_write_string(FILE *out, const char *s, size_t len);
/* jw_init, then the document's outer object, opened with its schema_version. */
void jw_document_begin(struct json_writer *w, FILE *out);
void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
void jw_string(struct json_writer *w, const char *s);
void jw_string_len(struct json_writer *w, const char *s, size_t len);
void jw_uint(struct json_writer *w, uint64_t v);
void jw_int(struct json_writer *w, int64_t v);
void jw_double(struct json_writer *w, double v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);

/* Shorthands for a key followed by a value. */
void jw_key_string(struct json_writer *w, const char *key, const char *s);
void jw_key_uint(struct json_writer *w, const char *key, uint64_t v);
void jw_key_int(struct json_writer *w, const char *key, int64_t v);
void jw_key_double(struct json_writer *w, const char *key, double v);
void jw_key_bool(struct json_writer *w, const char *key, bool v);

#endif
