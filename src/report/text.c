/*
 * text.c - the escaping of text.h.
 *
 * One function escapes a run of bytes; the string form and the stream
 * (glibc's fopencookie, so that every fprintf of every text report goes
 * through it without knowing) both call it. A C1 control is two bytes in
 * UTF-8 (0xc2 0x80-0x9f), and stdio may split a write between them, so the
 * stream holds back a trailing 0xc2 until it sees the next byte.
 */
#include "text.h"

struct text_stream {
	FILE *out;
	bool held; /* a 0xc2 held back from the last write */
};

/*
 * Escapes p[0..n) into dst, which has room for 4n bytes (the longest
 * escape, \xNN, is four bytes for one). Returns the bytes written; *used
 * is how much of p was consumed: all of it, but a final 0xc2 when more may
 * follow (`more`).
 */
static size_t escape(const unsigned char *p, size_t n, bool keep_newline, bool more, char *dst, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	char *d = dst;
	size_t i = 0;
	for (; i < n; i++) {
		unsigned char c = p[i];
		if (c == 0xc2 && i + 1 == n && more)
			break;
		if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
			c = p[++i];
			memcpy(d, "\\u00", 4);
			d[4] = hex[c >> 4];
			d[5] = hex[c & 15];
			d += 6;
		} else if ((c < 0x20 && !(c == '\n' && keep_newline)) || c == 0x7f) {
			d[0] = '\\';
			d[1] = 'x';
			d[2] = hex[c >> 4];
			d[3] = hex[c & 15];
			d += 4;
		} else {
			*d++ = (char)c;
		}
	}
	*used = i;
	return (size_t)(d - dst);
}

char *text_escape(const char *s)
{
	size_t n = strlen(s), used;
	char *out = lh_malloc(4 * n + 1);
	out[escape((const unsigned char *)s, n, false, false, out, &used)] = '\0';
	return out;
}

char *text_escape_free(char *s)
{
	char *out = text_escape(s);
	free(s);
	return out;
}

static ssize_t stream_write(void *cookie, const char *buf, size_t size)
{
	struct text_stream *ts = cookie;
	enum { CHUNK = 1024 };
	unsigned char in[CHUNK + 1];
	char out[4 * (CHUNK + 1)];
	size_t done = 0;
	while (done < size) {
		size_t n = 0, used;
		if (ts->held)
			in[n++] = 0xc2;
		size_t take = LH_MIN(size - done, (size_t)CHUNK);
		memcpy(in + n, buf + done, take);
		n += take;
		done += take;
		size_t len = escape(in, n, true, true, out, &used);
		ts->held = used < n;
		if (fwrite(out, 1, len, ts->out) != len)
			return -1;
	}
	return (ssize_t)size;
}

static int stream_close(void *cookie)
{
	struct text_stream *ts = cookie;
	bool ok = !ts->held || fputc(0xc2, ts->out) != EOF;
	free(ts);
	return ok ? 0 : EOF;
}

FILE *text_stream_open(FILE *out)
{
	struct text_stream *ts = lh_calloc(1, sizeof(*ts));
	ts->out = out;
	cookie_io_functions_t io = { .write = stream_write, .close = stream_close };
	FILE *f = fopencookie(ts, "w", io);
	if (!f)
		lh_out_of_memory(sizeof(FILE));
	return f;
}
