/*
 * source.c - sequential reader for plain and gzip'd snapshot files.
 *
 * Plain files are read with read(2) straight into the caller's buffer; gzip
 * goes through zlib's inflate with a private input buffer. The first bytes
 * are sniffed into that buffer before deciding, which also works for pipes
 * (no seeking back).
 *
 * A named FIFO is opened with O_NONBLOCK, which never waits for a writer,
 * and then read blocking: one with no writer reads as empty at once
 * instead of hanging in open(2). gzip members may be concatenated and the
 * last one followed by zero bytes (tape and block-device padding), as
 * gzip(1) accepts; anything else after a member is corrupt data.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SOURCE_INBUF (1u << 18)

struct heap_source {
	int fd;
	bool owns_fd;
	bool gzip;
	bool input_eof;
	bool stream_end;      /* inflate finished the current gzip member */
	bool padding;         /* zero bytes after the last member: nothing else may follow */
	uint64_t file_size;
	uint64_t file_offset; /* bytes read from fd so far */
	unsigned char *in;    /* sniffed bytes, then compressed input */
	size_t in_pos, in_len;
	z_stream z;
};

static long read_fd(struct heap_source *src, void *buf, size_t cap, struct lh_error *err)
{
	for (;;) {
		ssize_t n = read(src->fd, buf, cap);
		if (n >= 0) {
			src->file_offset += (uint64_t)n;
			return (long)n;
		}
		if (errno != EINTR) {
			lh_error_at(err, LH_NO_OFFSET, "read failed: %s", strerror(errno));
			return -1;
		}
	}
}

static bool fill_input(struct heap_source *src, struct lh_error *err)
{
	long n = read_fd(src, src->in, SOURCE_INBUF, err);
	if (n < 0)
		return false;
	src->in_pos = 0;
	src->in_len = (size_t)n;
	src->input_eof = n == 0;
	return true;
}

struct heap_source *heap_source_open(const char *path, struct lh_error *err)
{
	int fd = 0;
	bool owns = strcmp(path, "-") != 0;
	if (owns) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
			lh_error_at(err, LH_NO_OFFSET, "cannot open: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		lh_error_at(err, LH_NO_OFFSET, "cannot stat: %s", strerror(errno));
		if (owns)
			close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		lh_error_at(err, LH_NO_OFFSET, "is a directory, expected a .heapsnapshot file");
		if (owns)
			close(fd);
		return NULL;
	}
	struct heap_source *src = lh_calloc(1, sizeof(*src));
	src->fd = fd;
	src->owns_fd = owns;
	if (S_ISREG(st.st_mode)) {
		src->file_size = (uint64_t)st.st_size;
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	src->in = lh_malloc(SOURCE_INBUF);
	/* Sniff at least two bytes for the gzip magic (a pipe may deliver one). */
	while (src->in_len < 2) {
		long n = read_fd(src, src->in + src->in_len, SOURCE_INBUF - src->in_len, err);
		if (n < 0) {
			heap_source_close(src);
			return NULL;
		}
		if (n == 0)
			break;
		src->in_len += (size_t)n;
	}
	if (src->in_len == 0 && owns && S_ISFIFO(st.st_mode)) {
		lh_error_at(err, LH_NO_OFFSET, "is a FIFO with nothing written to it (no writer when it was opened?)");
		heap_source_close(src);
		return NULL;
	}
	src->gzip = src->in_len >= 2 && src->in[0] == 0x1f && src->in[1] == 0x8b;
	if (src->gzip && inflateInit2(&src->z, 15 + 32) != Z_OK) {
		lh_error_at(err, LH_NO_OFFSET, "cannot initialise zlib");
		heap_source_close(src);
		return NULL;
	}
	return src;
}

void heap_source_close(struct heap_source *src)
{
	if (!src)
		return;
	if (src->gzip)
		inflateEnd(&src->z);
	if (src->owns_fd)
		close(src->fd);
	free(src->in);
	free(src);
}

static long read_plain(struct heap_source *src, void *buf, size_t cap, struct lh_error *err)
{
	if (src->in_pos < src->in_len) { /* the sniffed bytes come first */
		size_t n = LH_MIN(cap, src->in_len - src->in_pos);
		memcpy(buf, src->in + src->in_pos, n);
		src->in_pos += n;
		return (long)n;
	}
	return read_fd(src, buf, cap, err);
}

/*
 * After a member: zero bytes are padding (gzip(1) ignores them), and once
 * padding has begun only zeros may follow. Consumes them from the input.
 */
static bool skip_padding(struct heap_source *src, struct lh_error *err)
{
	while (src->in_pos < src->in_len && src->in[src->in_pos] == 0) {
		src->padding = true;
		src->in_pos++;
	}
	if (src->padding && src->in_pos < src->in_len) {
		uint64_t at = src->file_offset - (src->in_len - src->in_pos);
		return lh_error_at(err, LH_NO_OFFSET, "compressed byte %llu: data after the zero padding that ends the gzip stream",
				   (unsigned long long)at);
	}
	return true;
}

static long read_gzip(struct heap_source *src, void *buf, size_t cap, struct lh_error *err)
{
	z_stream *z = &src->z;
	z->next_out = buf;
	z->avail_out = (uInt)LH_MIN(cap, (size_t)UINT32_MAX);
	while (z->avail_out > 0) {
		if (src->in_pos == src->in_len) {
			if (src->input_eof || !fill_input(src, err))
				break;
			if (src->input_eof)
				break;
		}
		if (src->stream_end && !skip_padding(src, err))
			return -1;
		if (src->in_pos == src->in_len)
			continue;
		if (src->stream_end) {
			/* Another gzip member follows the one that ended. */
			if (inflateReset(z) != Z_OK)
				break;
			src->stream_end = false;
		}
		z->next_in = src->in + src->in_pos;
		z->avail_in = (uInt)(src->in_len - src->in_pos);
		int rc = inflate(z, Z_NO_FLUSH);
		src->in_pos = src->in_len - z->avail_in;
		if (rc == Z_STREAM_END) {
			src->stream_end = true;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			uint64_t at = src->file_offset - (src->in_len - src->in_pos);
			lh_error_at(err, LH_NO_OFFSET, "compressed byte %llu: corrupt gzip data (%s)",
				    (unsigned long long)at, z->msg ? z->msg : "zlib error");
			return -1;
		}
	}
	size_t produced = (size_t)(z->next_out - (Bytef *)buf);
	if (produced == 0 && !src->stream_end && src->input_eof && err && !err->set) {
		lh_error_at(err, LH_NO_OFFSET, "compressed byte %llu: gzip stream is truncated",
			    (unsigned long long)src->file_offset);
		return -1;
	}
	return (long)produced;
}

long heap_source_read(struct heap_source *src, void *buf, size_t cap, struct lh_error *err)
{
	return src->gzip ? read_gzip(src, buf, cap, err) : read_plain(src, buf, cap, err);
}

bool heap_source_is_gzip(const struct heap_source *src) { return src->gzip; }
uint64_t heap_source_file_size(const struct heap_source *src) { return src->file_size; }
uint64_t heap_source_file_offset(const struct heap_source *src) { return src->file_offset; }
