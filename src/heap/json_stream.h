/*
 * json_stream.h - a streaming JSON lexer with byte offsets.
 *
 * Why hand-written: a heap snapshot is one JSON object whose "nodes" and
 * "edges" arrays hold 10^8-10^9 integers. DOM parsers (json-c, jansson,
 * cJSON) would need many times the file size in memory, and the SAX-style
 * libraries in Debian (yajl) cost a callback per number, several times
 * slower than the integer loop here. The lexer only ever holds one buffer
 * of input, so memory stays bounded whatever the file size.
 *
 * The caller drives the grammar: it asks for the next token it expects and
 * the lexer checks it. Every failure fills the stream's lh_error with the
 * byte offset of the offending character and what was expected there.
 * The buffer always ends with a NUL sentinel, so scanning loops stop at the
 * end of the buffered data without a bounds check per byte.
 */
#ifndef LH_HEAP_JSON_STREAM_H
#define LH_HEAP_JSON_STREAM_H

#include "../common/error.h"
#include "source.h"

struct json_stream {
	struct heap_source *src;
	struct lh_error *err;
	char *buf;
	size_t cap;
	const char *p;       /* next unread byte */
	const char *end;     /* end of buffered data; *end == '\0' */
	uint64_t base;       /* input offset of buf[0] */
	bool eof;            /* the source has no more bytes */
	const char *token;   /* start of the last integer read by json_array_next_uint() */
	uint64_t replaced;   /* invalid UTF-8 / lone surrogates replaced by U+FFFD */
	void (*on_refill)(void *ctx, uint64_t input_offset);
	void *on_refill_ctx;
};

/* A growable byte buffer that strings are decoded into. */
struct json_bytes {
	char *data;
	size_t len, cap;
};

void json_stream_init(struct json_stream *js, struct heap_source *src, struct lh_error *err);
void json_stream_free(struct json_stream *js);

/* Ensures at least `need` bytes are buffered after p, unless the input ends first. */
bool json_stream_fill(struct json_stream *js, size_t need);

static inline uint64_t json_offset(const struct json_stream *js)
{
	return js->base + (uint64_t)(js->p - js->buf);
}

/* Skips whitespace and returns the next byte without consuming it, or -1 at end of input. */
int json_peek(struct json_stream *js);

/* Fails at the current position with message (an "end of input" message there when the input has ended). */
bool json_fail(struct json_stream *js, const char *message);

/* Consumes the byte ch (after whitespace) or fails saying `what` was expected. */
bool json_expect(struct json_stream *js, char ch, const char *what);

/*
 * Array iteration: after json_expect(js, '[', ...) set *first = true and call
 * json_array_next() before each element. Returns 1 when an element follows,
 * 0 at ']' (consumed), -1 on error.
 */
int json_array_next(struct json_stream *js, bool *first);
/* The same for object members; on 1 the key has been read into key and ':' consumed. */
int json_object_next(struct json_stream *js, bool *first, struct json_bytes *key);

/*
 * Reads a JSON string, appending its decoded UTF-8 bytes and a NUL to out
 * (out may be NULL to skip it). Returns the decoded length, or -1 on error.
 * Lone surrogates and invalid UTF-8 become U+FFFD and are counted in
 * js->replaced; bad escapes and raw control characters are errors.
 */
long json_read_string(struct json_stream *js, struct json_bytes *out);

/* Reads an unsigned decimal integer (all V8 writes), failing on signs, fractions and overflow. */
bool json_read_uint(struct json_stream *js, uint64_t *out);

/*
 * The element loop of an array of unsigned integers: json_array_next()
 * followed by json_read_uint(), inlined for the layout V8 writes (elements
 * after "," and records after "\n,", up to 19 digits, then a comma,
 * whitespace or "]") so that parsing the nodes and edges arrays costs a
 * few instructions per byte. Anything else, the first element included,
 * goes to the general path from the same place. Returns 1 with *out set,
 * 0 at ']', -1 on error.
 */
int json_array_next_uint_slow(struct json_stream *js, bool *first, uint64_t *out);

static inline bool json_is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* What may follow a number in an array: ',', ']' and whitespace. Not '.', 'e' or 'E'. */
extern const bool json_ends_element[256];

LH_ALWAYS_INLINE static inline int json_array_next_uint(struct json_stream *js, bool *first, uint64_t *out)
{
	const char *p = js->p;
	if (LH_UNLIKELY(js->end - p < 64 || *first))
		return json_array_next_uint_slow(js, first, out);
	if (LH_LIKELY(*p == ','))
		p++;
	else if (p[0] == '\n' && p[1] == ',')
		p += 2;
	else
		return json_array_next_uint_slow(js, first, out);
	const char *start = p;
	uint64_t v = (uint64_t)(unsigned char)*p - '0';
	/* Not a digit (whitespace after the comma, say), or a leading zero. */
	if (LH_UNLIKELY(v > 9 || (v == 0 && (unsigned)(unsigned char)p[1] - '0' < 10)))
		return json_array_next_uint_slow(js, first, out);
	p++;
	unsigned d;
	while ((d = (unsigned)(unsigned char)*p - '0') < 10) {
		v = v * 10 + d;
		p++;
	}
	if (LH_UNLIKELY(!json_ends_element[(unsigned char)*p] || p - start >= 20))
		return json_array_next_uint_slow(js, first, out);
	js->token = start;
	js->p = p;
	*out = v;
	return 1;
}

/* Skips any JSON value, checking its syntax, without recursion. */
bool json_skip_value(struct json_stream *js);

void json_bytes_free(struct json_bytes *b);

#endif
