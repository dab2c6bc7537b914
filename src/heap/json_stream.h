/*
 * json_stream.h - a streaming JSON lexer with byte offsets.
 *
 * Why hand-written: a heap snapshot is one JSON object whose "nodes" and
 * "edges" arrays hold 10^8-10^9 integers. DOM parsers (json-c, jansson,
 * cJSON) would need many times the file size in memory, and the SAX-style
 * libraries in Debian (yajl) cost a callback per number, several times
 * slower than the integer loop here. The lexer parses in place in the
 * blocks its source hands out and holds one at a time, so memory stays
 * bounded whatever the file size.
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
	char *buf;           /* in the source's current block, or tail */
	const char *p;       /* next unread byte */
	const char *end;     /* end of buffered data; *end == '\0' */
	uint64_t base;       /* input offset of buf[0] */
	bool eof;            /* the source has no more bytes */
	const char *token;   /* start of the last integer read by json_array_next_uint() */
	uint64_t replaced;   /* invalid UTF-8 / lone surrogates replaced by U+FFFD */
	void (*on_refill)(void *ctx, uint64_t input_offset);
	void *on_refill_ctx;
	char tail[HEAP_SOURCE_HEADROOM + 1]; /* the last bytes, once the input has ended */
};

/* A growable byte buffer that strings are decoded into. */
struct json_bytes {
	char *data;
	size_t len, cap;
};

void json_stream_init(struct json_stream *js, struct heap_source *src, struct lh_error *err);

/* Ensures at least `need` (at most 32) bytes are buffered after p, unless the input ends first. */
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
 * followed by json_read_uint(), inlined (json_array_next_uint() below) for
 * the layout V8 writes (elements after "," and records after "\n,", up to
 * 15 digits, then a comma, whitespace or "]") so that parsing the nodes and
 * edges arrays costs a few instructions per byte. Anything else, the first
 * element included, goes to the general path from the same place, which
 * checks it and names the byte where it fails. Returns 1 with *out set, 0
 * at ']', -1 on error.
 */
int json_array_next_uint_slow(struct json_stream *js, bool *first, uint64_t *out);

static inline bool json_is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* What may follow a number in an array: ',', ']' and whitespace. Not '.', 'e' or 'E'. */
extern const bool json_ends_element[256];

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * How many of the 16 bytes at p are leading decimal digits (16: all of
 * them). With SSE2 (every x86-64) one compare does the 16 bytes: no branch
 * per digit, whose misprediction at each number's end cost more than the
 * digits themselves.
 */
LH_ALWAYS_INLINE static inline unsigned json_digit_run16(const char *p)
{
#ifdef __SSE2__
	__m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)p), _mm_set1_epi8('0'));
	unsigned digits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
	return (unsigned)__builtin_ctz(~digits); /* bit 16 of ~digits is set */
#else
	unsigned n = 0;
	while (n < 16 && (unsigned)(unsigned char)p[n] - '0' < 10)
		n++;
	return n;
#endif
}

/* The value of the len (1-8) digits at p; reads 8 bytes. Eight digits at once, in a word. */
LH_ALWAYS_INLINE static inline uint64_t json_digits8(const char *p, unsigned len)
{
	uint64_t w;
	memcpy(&w, p, 8);
	w -= 0x3030303030303030ull; /* no borrow: the digits come first, in the low bytes */
	w <<= (8 - len) * 8;        /* drops the bytes past the digits, leaves leading zeros */
	w = w * 10 + (w >> 8);      /* each byte pair: tens and units */
	return (((w & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
		(((w >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >> 32;
}

/*
 * The fast path of one element of an integer array, for V8's layout: at p
 * (with 64 bytes buffered after it) a "," or "\n," then 1-15 digits without
 * a leading zero, then a byte of json_ends_element. Returns the end of the
 * digits with *value and *token (their start) set, or NULL for anything
 * else, which the general path then reads (or names as an error).
 */
LH_ALWAYS_INLINE static inline const char *json_fast_uint(const char *p, uint64_t *value, const char **token)
{
	if (LH_LIKELY(*p == ','))
		p++;
	else if (p[0] == '\n' && p[1] == ',')
		p += 2;
	else
		return NULL;
	unsigned len = json_digit_run16(p);
	if (LH_UNLIKELY(len - 1 >= 15 || (p[0] == '0' && len > 1) || !json_ends_element[(unsigned char)p[len]]))
		return NULL;
	*value = len <= 8 ? json_digits8(p, len) : json_digits8(p, len - 8) * 100000000u + json_digits8(p + len - 8, 8);
	*token = p;
	return p + len;
}

LH_ALWAYS_INLINE static inline int json_array_next_uint(struct json_stream *js, bool *first, uint64_t *out)
{
	const char *token, *next;
	if (LH_UNLIKELY(js->end - js->p < 64 || *first || !(next = json_fast_uint(js->p, out, &token))))
		return json_array_next_uint_slow(js, first, out);
	js->token = token;
	js->p = next;
	return 1;
}

/* Skips every byte up to and including the next c, unchecked; fails saying `what` was expected at the end of input. */
bool json_skip_past(struct json_stream *js, char c, const char *what);

/* Skips any JSON value, checking its syntax, without recursion. */
bool json_skip_value(struct json_stream *js);

void json_bytes_free(struct json_bytes *b);

#endif
