/*
 * source.c - sequential reader for plain and gzip'd snapshot files.
 *
 * The bytes come from produce(): read(2) for a plain file, inflate for gzip,
 * which has a private input buffer. The first bytes are sniffed into that
 * buffer before deciding, which also works for pipes (no seeking back).
 *
 * Inflate goes through ISA-L's igzip when the build has it (Debian's
 * libisal-dev; a streaming inflater about 3x zlib's speed on snapshots),
 * else through zlib. libdeflate, faster than zlib too, only inflates whole
 * buffers, so it would need the whole file in memory.
 *
 * Bytes are handed over in slots of SLOT_SIZE, each filled to the brim
 * unless the input ends, with HEAP_SOURCE_HEADROOM writable bytes before it
 * and one after, so that the lexer parses in place: it moves its few
 * unconsumed bytes in front of the new slot and puts its sentinel after it.
 * Past a couple of slots of input (and for every gzip or pipe), produce()
 * runs on a thread of its own that fills a bounded ring of RING_SLOTS
 * slots. The kernel's copy out of the page cache, or the inflate, then runs
 * on the second core while the caller parses (on one core, inflate alone
 * took longer than the parse), and the caller copies nothing. The ring
 * bounds memory (RING_SLOTS x SLOT_SIZE) whatever the file size. An error
 * the producer meets travels behind the bytes before it, so the caller sees
 * every good byte first, as without the thread.
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
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef LH_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#define SOURCE_INBUF (1u << 18)
#define SLOT_SIZE ((size_t)1 << 20)
#define RING_SLOTS 4

struct slot {
	char *data;           /* HEAP_SOURCE_HEADROOM bytes into its block */
	size_t len;
	uint64_t file_offset; /* of the file, once this slot was produced */
};

struct heap_source {
	int fd;
	bool owns_fd;
	bool fifo;            /* a named FIFO (opened without waiting for a writer) */
	bool gzip;
	uint64_t file_size;

	/* The producer's state. */
	bool input_eof;
	bool stream_end;      /* inflate finished the current gzip member */
	bool padding;         /* zero bytes after the last member: nothing else may follow */
	uint64_t file_offset; /* bytes read from fd so far */
	unsigned char *in;    /* sniffed bytes, then compressed input */
	size_t in_pos, in_len;
#ifdef LH_HAVE_ISAL
	struct inflate_state *isal;
#else
	z_stream z;
#endif

	/* The ring, when produce() runs on its own thread. */
	bool threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct slot slots[RING_SLOTS]; /* without the thread, slots[0] only */
	uint64_t produced, consumed; /* slots so far */
	bool holding;                /* consumer: slots[consumed] is handed out */
	bool done;                   /* no slot will follow `produced` */
	bool stop;                   /* the consumer closes the source */
	struct lh_error error;       /* the producer's, after its last slot */
	uint64_t consumed_offset;    /* consumer: file offset of what it has taken */
};

/* MARK: - Producing bytes */

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

static long corrupt(struct heap_source *src, const char *why, struct lh_error *err)
{
	uint64_t at = src->file_offset - (src->in_len - src->in_pos);
	lh_error_at(err, LH_NO_OFFSET, "compressed byte %llu: corrupt gzip data (%s)", (unsigned long long)at, why);
	return -1;
}

#ifdef LH_HAVE_ISAL
static bool inflater_init(struct heap_source *src)
{
	src->isal = lh_calloc(1, sizeof(*src->isal));
	isal_inflate_init(src->isal);
	src->isal->crc_flag = ISAL_GZIP;
	return true;
}

static void inflater_end(struct heap_source *src)
{
	free(src->isal);
}

static const char *isal_message(int rc)
{
	switch (rc) {
	case ISAL_INVALID_BLOCK: return "invalid block";
	case ISAL_INVALID_SYMBOL: return "invalid code";
	case ISAL_INVALID_LOOKBACK: return "invalid distance";
	case ISAL_INVALID_WRAPPER: return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
	case ISAL_INCORRECT_CHECKSUM: return "incorrect checksum";
	default: return "igzip error";
	}
}

/* Inflates the input into out until out is full, a gzip member ends or the input runs dry. */
static bool inflate_step(struct heap_source *src, unsigned char **out, size_t *room, struct lh_error *err)
{
	struct inflate_state *st = src->isal;
	if (src->stream_end) { /* another gzip member follows the one that ended */
		isal_inflate_reset(st);
		st->crc_flag = ISAL_GZIP;
		src->stream_end = false;
	}
	st->next_in = src->in + src->in_pos;
	st->avail_in = (uint32_t)(src->in_len - src->in_pos);
	st->next_out = *out;
	st->avail_out = (uint32_t)LH_MIN(*room, (size_t)UINT32_MAX);
	int rc = isal_inflate(st);
	src->in_pos = src->in_len - st->avail_in;
	*room -= (size_t)(st->next_out - *out);
	*out = st->next_out;
	if (rc != ISAL_DECOMP_OK)
		return corrupt(src, isal_message(rc), err) >= 0;
	src->stream_end = st->block_state == ISAL_BLOCK_FINISH;
	return true;
}
#else
static bool inflater_init(struct heap_source *src)
{
	return inflateInit2(&src->z, 15 + 32) == Z_OK;
}

static void inflater_end(struct heap_source *src)
{
	inflateEnd(&src->z);
}

static bool inflate_step(struct heap_source *src, unsigned char **out, size_t *room, struct lh_error *err)
{
	z_stream *z = &src->z;
	if (src->stream_end) { /* another gzip member follows the one that ended */
		if (inflateReset(z) != Z_OK)
			return corrupt(src, "zlib error", err) >= 0;
		src->stream_end = false;
	}
	z->next_in = src->in + src->in_pos;
	z->avail_in = (uInt)(src->in_len - src->in_pos);
	z->next_out = *out;
	z->avail_out = (uInt)LH_MIN(*room, (size_t)UINT32_MAX);
	int rc = inflate(z, Z_NO_FLUSH);
	src->in_pos = src->in_len - z->avail_in;
	*room -= (size_t)(z->next_out - *out);
	*out = z->next_out;
	if (rc == Z_STREAM_END)
		src->stream_end = true;
	else if (rc != Z_OK && rc != Z_BUF_ERROR)
		return corrupt(src, z->msg ? z->msg : "zlib error", err) >= 0;
	return true;
}
#endif

static long read_gzip(struct heap_source *src, void *buf, size_t cap, struct lh_error *err)
{
	unsigned char *out = buf;
	size_t room = cap;
	while (room > 0) {
		if (src->in_pos == src->in_len) {
			if (src->input_eof)
				break;
			if (!fill_input(src, err))
				return -1;
			if (src->input_eof)
				break;
		}
		if (src->stream_end && !skip_padding(src, err))
			return -1;
		if (src->in_pos == src->in_len)
			continue;
		if (!inflate_step(src, &out, &room, err))
			return -1;
	}
	size_t produced = cap - room;
	if (produced == 0 && !src->stream_end && src->input_eof) {
		lh_error_at(err, LH_NO_OFFSET, "compressed byte %llu: gzip stream is truncated",
			    (unsigned long long)src->file_offset);
		return -1;
	}
	return (long)produced;
}

/* Up to cap bytes of the snapshot's text: a count, 0 at the end, -1 with err filled. */
static long produce(struct heap_source *src, void *buf, size_t cap, struct lh_error *err)
{
	return src->gzip ? read_gzip(src, buf, cap, err) : read_plain(src, buf, cap, err);
}

/* MARK: - The ring */

/* Fills a slot: full unless the input ends, so that the consumer wakes once per slot. */
static long produce_slot(struct heap_source *src, struct slot *slot, struct lh_error *err)
{
	size_t len = 0;
	while (len < SLOT_SIZE) {
		long n = produce(src, slot->data + len, SLOT_SIZE - len, err);
		if (n < 0)
			return len ? (long)len : -1; /* the error follows this slot's bytes */
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (long)len;
}

static void *producer_main(void *arg)
{
	struct heap_source *src = arg;
	for (;;) {
		pthread_mutex_lock(&src->lock);
		while (src->produced - src->consumed == RING_SLOTS && !src->stop)
			pthread_cond_wait(&src->cond, &src->lock);
		bool stop = src->stop || src->error.set;
		pthread_mutex_unlock(&src->lock);
		if (stop)
			break;
		struct slot *slot = &src->slots[src->produced % RING_SLOTS];
		long n = produce_slot(src, slot, &src->error);
		pthread_mutex_lock(&src->lock);
		if (n > 0) {
			slot->len = (size_t)n;
			slot->file_offset = src->file_offset;
			src->produced++;
		} else {
			src->done = true;
		}
		pthread_cond_broadcast(&src->cond);
		pthread_mutex_unlock(&src->lock);
		if (n <= 0)
			break;
	}
	pthread_mutex_lock(&src->lock);
	src->done = true;
	pthread_cond_broadcast(&src->cond);
	pthread_mutex_unlock(&src->lock);
	return NULL;
}

static bool start_producer(struct heap_source *src, struct lh_error *err)
{
	pthread_mutex_init(&src->lock, NULL);
	pthread_cond_init(&src->cond, NULL);
	int rc = pthread_create(&src->thread, NULL, producer_main, src);
	if (rc != 0) {
		pthread_mutex_destroy(&src->lock);
		pthread_cond_destroy(&src->cond);
		return lh_error_at(err, LH_NO_OFFSET, "cannot start the reading thread: %s", strerror(rc));
	}
	src->threaded = true;
	return true;
}

/* Gives back the slot handed out last and waits for the next. */
static long next_from_ring(struct heap_source *src, char **data, struct lh_error *err)
{
	pthread_mutex_lock(&src->lock);
	if (src->holding) {
		src->consumed++;
		src->holding = false;
		pthread_cond_broadcast(&src->cond);
	}
	while (src->consumed == src->produced && !src->done)
		pthread_cond_wait(&src->cond, &src->lock);
	long n = -1;
	if (src->consumed < src->produced) {
		struct slot *slot = &src->slots[src->consumed % RING_SLOTS];
		*data = slot->data;
		n = (long)slot->len;
		src->consumed_offset = slot->file_offset;
		src->holding = true;
	} else if (!src->error.set) {
		n = 0;
	} else if (err && !err->set) {
		*err = src->error;
	}
	pthread_mutex_unlock(&src->lock);
	return n;
}

static void stop_producer(struct heap_source *src)
{
	pthread_mutex_lock(&src->lock);
	src->stop = true;
	pthread_cond_broadcast(&src->cond);
	pthread_mutex_unlock(&src->lock);
	pthread_join(src->thread, NULL);
	pthread_mutex_destroy(&src->lock);
	pthread_cond_destroy(&src->cond);
}

/* MARK: - Public */

/* Opens path ("-" = stdin) and makes a source of it, its bytes not yet sniffed. */
static struct heap_source *source_new(const char *path, struct lh_error *err)
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
	src->fifo = owns && S_ISFIFO(st.st_mode);
	if (S_ISREG(st.st_mode)) {
		src->file_size = (uint64_t)st.st_size;
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	src->in = lh_malloc(SOURCE_INBUF);
	return src;
}

/* Makes the slots, and starts the producer thread unless the file is small and plain. */
static bool source_start(struct heap_source *src, struct lh_error *err)
{
	/* A small plain file is read in a few calls: a thread would cost more than it saves. */
	bool small = src->file_size && src->file_size - src->file_offset <= 2 * SLOT_SIZE;
	bool threaded = src->gzip || !small;
	for (int i = 0; i < (threaded ? RING_SLOTS : 1); i++)
		src->slots[i].data = (char *)lh_malloc(HEAP_SOURCE_HEADROOM + SLOT_SIZE + 1) + HEAP_SOURCE_HEADROOM;
	return !threaded || start_producer(src, err);
}

struct heap_source *heap_source_open(const char *path, struct lh_error *err)
{
	struct heap_source *src = source_new(path, err);
	if (!src)
		return NULL;
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
	if (src->in_len == 0 && src->fifo) {
		lh_error_at(err, LH_NO_OFFSET, "is a FIFO with nothing written to it (no writer when it was opened?)");
		heap_source_close(src);
		return NULL;
	}
	src->gzip = src->in_len >= 2 && src->in[0] == 0x1f && src->in[1] == 0x8b;
	if (src->gzip && !inflater_init(src)) {
		src->gzip = false;
		lh_error_at(err, LH_NO_OFFSET, "cannot initialise the gzip inflater");
		heap_source_close(src);
		return NULL;
	}
	if (!source_start(src, err)) {
		heap_source_close(src);
		return NULL;
	}
	return src;
}

struct heap_source *heap_source_open_at(const char *path, uint64_t offset, struct lh_error *err)
{
	struct heap_source *src = source_new(path, err);
	if (!src)
		return NULL;
	if (!src->file_size || offset > src->file_size || lseek(src->fd, (off_t)offset, SEEK_SET) < 0) {
		lh_error_at(err, LH_NO_OFFSET, "cannot read from byte %llu", (unsigned long long)offset);
		heap_source_close(src);
		return NULL;
	}
	src->file_offset = offset;
	if (!source_start(src, err)) {
		heap_source_close(src);
		return NULL;
	}
	return src;
}

void heap_source_close(struct heap_source *src)
{
	if (!src)
		return;
	if (src->threaded)
		stop_producer(src);
	for (int i = 0; i < RING_SLOTS; i++)
		if (src->slots[i].data)
			free(src->slots[i].data - HEAP_SOURCE_HEADROOM);
	if (src->gzip)
		inflater_end(src);
	if (src->owns_fd)
		close(src->fd);
	free(src->in);
	free(src);
}

long heap_source_next(struct heap_source *src, char **data, struct lh_error *err)
{
	if (src->threaded)
		return next_from_ring(src, data, err);
	*data = src->slots[0].data;
	long n = src->error.set ? -1 : produce_slot(src, &src->slots[0], &src->error);
	if (n < 0 && err && !err->set)
		*err = src->error;
	return n;
}

bool heap_source_is_gzip(const struct heap_source *src) { return src->gzip; }
uint64_t heap_source_file_size(const struct heap_source *src) { return src->file_size; }

uint64_t heap_source_file_offset(const struct heap_source *src)
{
	return src->threaded ? src->consumed_offset : src->file_offset;
}
