/*
 * json_stream.c - the streaming lexer described in json_stream.h.
 *
 * Sections: buffer management, whitespace and punctuation, integers,
 * strings, and the generic value skipper. Hot paths (whitespace, digits,
 * plain string bytes) rely on the NUL sentinel at js->end and refill only
 * when the scan stops there. The two that carry most of a snapshot, the
 * integers of the nodes and edges arrays (json_fast_uint() in the header)
 * and the plain bytes of strings, look at 16 bytes at a time with SSE2
 * where they have 16 buffered, and byte by byte otherwise.
 */
#include "json_stream.h"

#define JSON_MAX_DEPTH 100000

/* MARK: - Buffer management */

static bool fail(struct json_stream *js, const char *fmt, const char *arg);

void json_stream_init(struct json_stream *js, struct heap_source *src, struct lh_error *err)
{
	memset(js, 0, sizeof(*js));
	js->src = src;
	js->err = err;
	js->p = js->end = js->buf = js->tail;
}

void json_bytes_free(struct json_bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/*
 * Parsing happens in place, in the blocks the source hands out: the bytes
 * not yet consumed (fewer than `need`, at most 32) move into the headroom
 * before the next block, and the sentinel goes after it. At the end of
 * input they move into js->tail instead, since the last block goes back to
 * the source.
 */
bool json_stream_fill(struct json_stream *js, size_t need)
{
	size_t have = (size_t)(js->end - js->p);
	if (have >= need || js->eof)
		return have >= need;
	char saved[HEAP_SOURCE_HEADROOM];
	memcpy(saved, js->p, have); /* have < need <= 32 */
	js->base += (uint64_t)(js->p - js->buf);
	char *data;
	long n = heap_source_next(js->src, &data, js->err);
	if (n <= 0) {
		js->eof = true; /* on -1 err is set; the caller fails at the sentinel */
		data = js->tail + have;
		n = 0;
	}
	js->buf = data - have;
	memcpy(js->buf, saved, have);
	js->p = js->buf;
	js->end = data + n;
	*(char *)js->end = '\0';
	if (js->on_refill)
		js->on_refill(js->on_refill_ctx, js->base + (uint64_t)(js->end - js->buf));
	return (size_t)(js->end - js->p) >= need;
}

bool json_fail(struct json_stream *js, const char *message)
{
	return fail(js, "%s", message);
}

static bool fail(struct json_stream *js, const char *fmt, const char *arg)
{
	char message[200];
	snprintf(message, sizeof(message), fmt, arg);
	if (js->p >= js->end && js->eof)
		return lh_error_at(js->err, json_offset(js), "unexpected end of input (truncated file?): %s", message);
	return lh_error_at(js->err, json_offset(js), "%s", message);
}

/* MARK: - Whitespace and punctuation */

static inline void skip_space(struct json_stream *js)
{
	for (;;) {
		const char *p = js->p;
		while (json_is_space(*p))
			p++;
		js->p = p;
		if (p < js->end || js->eof)
			return;
		json_stream_fill(js, 1);
	}
}

int json_peek(struct json_stream *js)
{
	skip_space(js);
	if (js->p == js->end)
		return -1;
	return (unsigned char)*js->p;
}

bool json_expect(struct json_stream *js, char ch, const char *what)
{
	if (json_peek(js) != (unsigned char)ch)
		return fail(js, "expected %s", what);
	js->p++;
	return true;
}

int json_array_next(struct json_stream *js, bool *first)
{
	int c = json_peek(js);
	if (c == ']') {
		js->p++;
		return 0;
	}
	if (!*first) {
		if (c != ',')
			{
			fail(js, "expected %s", "',' or ']' in array");
			return -1;
		}
		js->p++;
	}
	*first = false;
	return 1;
}

int json_object_next(struct json_stream *js, bool *first, struct json_bytes *key)
{
	int c = json_peek(js);
	if (c == '}') {
		js->p++;
		return 0;
	}
	if (!*first) {
		if (c != ',')
			{
			fail(js, "expected %s", "',' or '}' in object");
			return -1;
		}
		js->p++;
		c = json_peek(js);
	}
	*first = false;
	if (c != '"')
		{
		fail(js, "expected %s", "a string key");
		return -1;
	}
	key->len = 0;
	if (json_read_string(js, key) < 0 || !json_expect(js, ':', "':' after key"))
		return -1;
	return 1;
}

/* MARK: - Integers */

bool json_read_uint(struct json_stream *js, uint64_t *out)
{
	skip_space(js);
	if ((size_t)(js->end - js->p) < 32)
		json_stream_fill(js, 32);
	js->token = js->p;
	const char *p = js->p;
	if (*p == '-')
		return fail(js, "expected %s", "an unsigned integer, found a negative number");
	uint64_t v = (uint64_t)(unsigned char)*p - '0';
	if (v > 9)
		return fail(js, "expected %s", "an unsigned integer");
	p++;
	unsigned d;
	while ((d = (unsigned)(unsigned char)*p - '0') < 10) {
		v = v * 10 + d;
		p++;
	}
	size_t len = (size_t)(p - js->p);
	if (LH_UNLIKELY(len > 1 && *js->p == '0'))
		return fail(js, "expected %s", "an integer without leading zeros");
	if (LH_UNLIKELY(len >= 20)) {
		/* 20 digits fit in 64 bits only up to 18446744073709551615. */
		if (len > 20 || memcmp(js->p, "18446744073709551615", 20) > 0)
			return fail(js, "%s", "number is too large (more than 64 bits)");
	}
	if (LH_UNLIKELY(*p == '.' || *p == 'e' || *p == 'E')) {
		js->p = p;
		return fail(js, "expected %s", "an unsigned integer, found a fraction or exponent");
	}
	js->p = p;
	*out = v;
	return true;
}

const bool json_ends_element[256] = {
	[','] = true, [']'] = true, [' '] = true, ['\n'] = true, ['\r'] = true, ['\t'] = true,
};

int json_array_next_uint_slow(struct json_stream *js, bool *first, uint64_t *out)
{
	int rc = json_array_next(js, first);
	if (rc <= 0)
		return rc;
	return json_read_uint(js, out) ? 1 : -1;
}

bool json_skip_past(struct json_stream *js, char c, const char *what)
{
	for (;;) {
		const char *hit = memchr(js->p, c, (size_t)(js->end - js->p));
		if (hit) {
			js->p = hit + 1;
			return true;
		}
		js->p = js->end;
		if (!json_stream_fill(js, 1))
			return fail(js, "expected %s", what);
	}
}

/* MARK: - Strings */

static inline void bytes_append(struct json_bytes *b, const void *data, size_t n)
{
	if (!b)
		return;
	if (LH_UNLIKELY(b->len + n + 1 > b->cap))
		lh_grow((void **)&b->data, &b->cap, b->len + n + 1, 1);
	memcpy(b->data + b->len, data, n);
	b->len += n;
}

static void append_utf8(struct json_bytes *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	bytes_append(b, u, n);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses the 4 hex digits after "\u" at p; -1 if malformed. */
static long hex4(const char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex_value(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static void replace_invalid(struct json_stream *js, struct json_bytes *out)
{
	js->replaced++;
	append_utf8(out, 0xfffd);
}

/* Decodes one backslash escape at js->p. */
static bool read_escape(struct json_stream *js, struct json_bytes *out)
{
	json_stream_fill(js, 12);
	const char *p = js->p;
	size_t avail = (size_t)(js->end - p);
	if (js->eof && (avail < 2 || (p[1] == 'u' && avail < 6))) {
		js->p = js->end;
		return fail(js, "%s", "a complete escape in a string");
	}
	char c = p[1], simple = 0;
	switch (c) {
	case '"': simple = '"'; break;
	case '\\': simple = '\\'; break;
	case '/': simple = '/'; break;
	case 'b': simple = '\b'; break;
	case 'f': simple = '\f'; break;
	case 'n': simple = '\n'; break;
	case 'r': simple = '\r'; break;
	case 't': simple = '\t'; break;
	case 'u': break;
	default:
		js->p++;
		return fail(js, "%s", "invalid escape in string (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)");
	}
	if (simple) {
		bytes_append(out, &simple, 1);
		js->p += 2;
		return true;
	}
	long cp = hex4(p + 2);
	if (cp < 0) {
		js->p += 2;
		return fail(js, "%s", "invalid \\u escape (expected 4 hex digits)");
	}
	js->p += 6;
	if (cp >= 0xd800 && cp <= 0xdbff && p[6] == '\\' && p[7] == 'u') {
		long lo = hex4(p + 8);
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			append_utf8(out, (uint32_t)(0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00)));
			js->p += 6;
			return true;
		}
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		replace_invalid(js, out); /* a lone surrogate: V8 writes these for astral characters */
	else
		append_utf8(out, (uint32_t)cp);
	return true;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static int utf8_sequence_length(const unsigned char *p)
{
	unsigned char c = p[0];
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/*
 * The end of the run of bytes at p that a string holds as they are: not
 * '"', '\\', a control character or a byte of a multi-byte sequence. With
 * SSE2, 16 bytes at a time while 16 are buffered: one signed compare finds
 * both the control characters and the bytes >= 0x80. The NUL at end stops
 * the scalar loop.
 */
static inline const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
#ifdef __SSE2__
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		__m128i special = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
					       _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
							    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
		unsigned mask = (unsigned)_mm_movemask_epi8(special);
		if (mask)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#else
	(void)end;
#endif
	while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	return p;
}

long json_read_string(struct json_stream *js, struct json_bytes *out)
{
	if (!json_expect(js, '"', "a string"))
		return -1;
	size_t start = out ? out->len : 0;
	for (;;) {
		const unsigned char *p = plain_run((const unsigned char *)js->p, (const unsigned char *)js->end);
		bytes_append(out, js->p, (size_t)((const char *)p - js->p));
		js->p = (const char *)p;
		if (js->p == js->end) {
			if (js->eof)
				{
				fail(js, "%s", "unterminated string");
				return -1;
			}
			json_stream_fill(js, 1);
			continue;
		}
		unsigned char c = *p;
		if (c == '"') {
			js->p++;
			break;
		}
		if (c == '\\') {
			if (!read_escape(js, out))
				return -1;
		} else if (c < 0x20) {
			{
			fail(js, "%s", "raw control character in string (must be escaped)");
			return -1;
		}
		} else {
			json_stream_fill(js, 4);
			int n = utf8_sequence_length((const unsigned char *)js->p);
			if (n)
				bytes_append(out, js->p, (size_t)n);
			else
				replace_invalid(js, out);
			js->p += n ? n : 1;
		}
	}
	if (!out)
		return 0;
	bytes_append(out, "", 0);
	out->data[out->len] = '\0';
	long len = (long)(out->len - start);
	out->len++; /* keep the NUL */
	return len;
}

/* MARK: - Skipping values */

static int raw_peek(struct json_stream *js)
{
	if (js->p == js->end && !json_stream_fill(js, 1))
		return -1;
	return (unsigned char)*js->p;
}

static bool skip_digits(struct json_stream *js)
{
	int c = raw_peek(js);
	if (c < '0' || c > '9')
		return fail(js, "expected %s", "a digit");
	while (c >= '0' && c <= '9') {
		js->p++;
		c = raw_peek(js);
	}
	return true;
}

static bool skip_number(struct json_stream *js)
{
	if (raw_peek(js) == '-')
		js->p++;
	if (raw_peek(js) == '0')
		js->p++;
	else if (!skip_digits(js))
		return false;
	if (raw_peek(js) == '.') {
		js->p++;
		if (!skip_digits(js))
			return false;
	}
	int c = raw_peek(js);
	if (c == 'e' || c == 'E') {
		js->p++;
		c = raw_peek(js);
		if (c == '+' || c == '-')
			js->p++;
		if (!skip_digits(js))
			return false;
	}
	return true;
}

static bool skip_literal(struct json_stream *js)
{
	static const char *const words[] = { "true", "false", "null" };
	json_stream_fill(js, 5);
	size_t avail = (size_t)(js->end - js->p);
	for (size_t i = 0; i < LH_ARRAY_LEN(words); i++) {
		size_t n = strlen(words[i]);
		if (strncmp(js->p, words[i], n) == 0) {
			js->p += n;
			return true;
		}
		if (js->eof && avail < n && strncmp(js->p, words[i], avail) == 0) {
			js->p = js->end; /* the input ends inside the literal */
			break;
		}
	}
	return fail(js, "expected %s", "a JSON value");
}

/* Reads a key and its ':' inside a skipped object. */
static bool skip_member_key(struct json_stream *js)
{
	if (json_peek(js) != '"')
		return fail(js, "expected %s", "a string key");
	return json_read_string(js, NULL) >= 0 && json_expect(js, ':', "':' after key");
}

bool json_skip_value(struct json_stream *js)
{
	struct json_bytes closers = { 0 };
	bool ok = false;
	for (;;) {
		int c = json_peek(js);
		bool done_value = true;
		if (c == '{' || c == '[') {
			js->p++;
			char close = c == '{' ? '}' : ']';
			if (json_peek(js) == close) {
				js->p++;
			} else if (closers.len >= JSON_MAX_DEPTH) {
				fail(js, "%s", "JSON nested too deeply");
				goto out;
			} else {
				bytes_append(&closers, &close, 1);
				if (close == '}' && !skip_member_key(js))
					goto out;
				done_value = false;
			}
		} else if (c == '"') {
			if (json_read_string(js, NULL) < 0)
				goto out;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if (!skip_number(js))
				goto out;
		} else if (c == 't' || c == 'f' || c == 'n') {
			if (!skip_literal(js))
				goto out;
		} else {
			fail(js, "expected %s", "a JSON value");
			goto out;
		}
		while (done_value) {
			if (closers.len == 0) {
				ok = true;
				goto out;
			}
			char top = closers.data[closers.len - 1];
			c = json_peek(js);
			if (c == top) {
				js->p++;
				closers.len--;
			} else if (c == ',') {
				js->p++;
				if (top == '}' && !skip_member_key(js))
					goto out;
				done_value = false;
			} else {
				fail(js, "expected %s", top == '}' ? "',' or '}' in object" : "',' or ']' in array");
				goto out;
			}
		}
	}
out:
	json_bytes_free(&closers);
	return ok;
}
