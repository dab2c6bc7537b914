/*
 * json_writer.c - see json_writer.h.
 */
#include "json_writer.h"

void jw_init(struct json_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/* Separator and indentation before a value or key at the current depth. */
static void before_item(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->has_items[w->depth])
			fputc(',', w->out);
		w->has_items[w->depth] = true;
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	}
}

static void open_container(struct json_writer *w, char c)
{
	before_item(w);
	fputc(c, w->out);
	if (w->depth + 1 < JSON_WRITER_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	bool had = w->has_items[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (had)
		fprintf(w->out, "\n%*s", 2 * w->depth, "");
	fputc(c, w->out);
	if (w->depth == 0)
		fputc('\n', w->out);
}

void jw_document_begin(struct json_writer *w, FILE *out)
{
	jw_init(w, out);
	jw_object_begin(w);
	jw_key_uint(w, "schema_version", LH_JSON_SCHEMA_VERSION);
}

void jw_object_begin(struct json_writer *w) { open_container(w, '{'); }
void jw_object_end(struct json_writer *w) { close_container(w, '}'); }
void jw_array_begin(struct json_writer *w) { open_container(w, '['); }
void jw_array_end(struct json_writer *w) { close_container(w, ']'); }

void json_write_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (c < 0x20)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

void jw_key(struct json_writer *w, const char *key)
{
	before_item(w);
	json_write_string(w->out, key, strlen(key));
	fputs(": ", w->out);
	w->after_key = true;
}

void jw_string_len(struct json_writer *w, const char *s, size_t len)
{
	before_item(w);
	json_write_string(w->out, s, len);
}

void jw_string(struct json_writer *w, const char *s) { jw_string_len(w, s, strlen(s)); }

void jw_uint(struct json_writer *w, uint64_t v)
{
	before_item(w);
	fprintf(w->out, "%llu", (unsigned long long)v);
}

void jw_int(struct json_writer *w, int64_t v)
{
	before_item(w);
	fprintf(w->out, "%lld", (long long)v);
}

void jw_double(struct json_writer *w, double v)
{
	before_item(w);
	fprintf(w->out, "%.15g", v);
}

void jw_bool(struct json_writer *w, bool v)
{
	before_item(w);
	fputs(v ? "true" : "false", w->out);
}

void jw_null(struct json_writer *w)
{
	before_item(w);
	fputs("null", w->out);
}

void jw_key_string(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void jw_key_uint(struct json_writer *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_uint(w, v);
}

void jw_key_int(struct json_writer *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_key_double(struct json_writer *w, const char *key, double v)
{
	jw_key(w, key);
	jw_double(w, v);
}

void jw_key_bool(struct json_writer *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
