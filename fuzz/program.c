/*
 * program.c - the shared parts of the generating fuzz targets (program.h).
 */
#include "program.h"

#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

void text_put(struct text *t, const void *data, size_t n)
{
	lh_grow((void **)&t->data, &t->cap, t->len + n + 1, 1);
	memcpy(t->data + t->len, data, n);
	t->len += n;
}

void text_printf(struct text *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_put(t, buf, (size_t)LH_MIN(n, (int)sizeof(buf) - 1));
}

void text_uint(struct text *t, uint64_t v)
{
	char buf[20];
	size_t i = sizeof(buf);
	do
		buf[--i] = (char)('0' + v % 10);
	while (v /= 10);
	text_put(t, buf + i, sizeof(buf) - i);
}

enum edit_op { EDIT_OVERWRITE, EDIT_INSERT, EDIT_DELETE, EDIT_CUT, EDIT_OPS };

void program_edit(struct program *pr, struct text *t)
{
	while (pr->n >= 4 && t->len) {
		enum edit_op op = (enum edit_op)(program_byte(pr) % EDIT_OPS);
		size_t at = (size_t)(program_below(pr, 1u << 16) * t->len >> 16);
		unsigned char value = (unsigned char)program_byte(pr);
		switch (op) {
		case EDIT_OVERWRITE:
			t->data[at] = (char)value;
			break;
		case EDIT_INSERT:
			text_put(t, "", 1);
			memmove(t->data + at + 1, t->data + at, t->len - 1 - at);
			t->data[at] = (char)value;
			break;
		case EDIT_DELETE: {
			size_t n = LH_MIN((size_t)value % 16 + 1, t->len - at);
			memmove(t->data + at, t->data + at + n, t->len - at - n);
			t->len -= n;
			break;
		}
		case EDIT_CUT:
			t->len = at;
			break;
		default:
			break;
		}
	}
}

void program_gzip(struct program *pr, struct text *t)
{
	unsigned members = program_byte(pr) % 3 + 1, padding = program_byte(pr) % 4 == 0 ? program_byte(pr) : 0;
	struct text out = { 0 };
	size_t done = 0;
	for (unsigned m = 0; m < members; m++) {
		size_t part = m + 1 == members ? t->len - done : t->len / members;
		z_stream z = { 0 };
		if (deflateInit2(&z, (int)(program_byte(pr) % 10), Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			abort();
		size_t bound = deflateBound(&z, part) + 64;
		lh_grow((void **)&out.data, &out.cap, out.len + bound + 1, 1);
		z.next_in = (Bytef *)t->data + done;
		z.avail_in = (uInt)part;
		z.next_out = (Bytef *)out.data + out.len;
		z.avail_out = (uInt)bound;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			abort();
		out.len += bound - z.avail_out;
		deflateEnd(&z);
		done += part;
	}
	for (unsigned i = 0; i < padding; i++)
		text_put(&out, "", 1);
	free(t->data);
	*t = out;
}

int program_file(const void *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

void program_generated(const char *what, const void *data, size_t size)
{
	if (getenv("LEAKHOUND_FUZZ_SIZES"))
		fprintf(stderr, "generated %s: %zu bytes\n", what, size);
	const char *dump = getenv("LEAKHOUND_FUZZ_DUMP");
	FILE *f = dump ? fopen(dump, "wb") : NULL;
	if (f) {
		fwrite(data, 1, size, f);
		fclose(f);
	}
}
