/*
 * trace_reader.c - see trace_reader.h.
 */
#include "trace_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* The capacities of a trace's growing arrays while it is read. */
struct caps {
	size_t modules, stacks, snapshots, checks;
};

/*
 * Reads the whole trace. Only a regular file: its size bounds the memory
 * (a device such as /dev/zero has no end), and O_NONBLOCK keeps open(2)
 * from waiting for a writer on a FIFO. A file still growing is read up to
 * the size it had when opened, which ends on a whole batch or not (then
 * the cut-short rule applies).
 */
static bool read_file(const char *path, char **data, size_t *size, struct lh_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return lh_error_at(err, LH_NO_OFFSET, "cannot open: %s", strerror(errno));
	struct stat st;
	const char *why = fstat(fd, &st) != 0 ? strerror(errno)
			  : S_ISDIR(st.st_mode) ? "is a directory, expected a trace file"
			  : !S_ISREG(st.st_mode) ? "not a regular file: a trace is read from the file 'leakhound run' wrote"
			  : NULL;
	if (why) {
		close(fd);
		return lh_error_at(err, LH_NO_OFFSET, "%s", why);
	}
	size_t cap = (size_t)st.st_size, len = 0;
	char *buf = lh_malloc(cap + 1);
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			free(buf);
			return lh_error_at(err, LH_NO_OFFSET, "cannot read: %s", strerror(saved));
		}
		if (n == 0)
			break; /* truncated while we read: keep what is there */
		len += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = len;
	return true;
}

/* A module of the current list (a run of MODULE records is a whole list: the writer writes all of them). */
static void add_module(struct trace *t, const struct lh_rec_module *m, const char *path, size_t *cap)
{
	if (!t->in_module_list)
		t->module_lists++;
	t->in_module_list = true;
	for (size_t i = 0; i < t->module_count; i++)
		if (t->modules[i].bias == m->bias && t->modules[i].lo == m->lo && t->modules[i].hi == m->hi &&
		    strlen(t->modules[i].path) == m->path_len && !memcmp(t->modules[i].path, path, m->path_len)) {
			t->modules[i].last_list = t->module_lists;
			t->last_module = i;
			return;
		}
	lh_grow((void **)&t->modules, cap, t->module_count + 1, sizeof(*t->modules));
	char *p = lh_malloc(m->path_len + 1);
	memcpy(p, path, m->path_len);
	p[m->path_len] = 0;
	t->last_module = t->module_count;
	t->modules[t->module_count++] = (struct trace_module){ .path = p, .bias = m->bias, .lo = m->lo, .hi = m->hi,
							       .main = (m->flags & LH_MODULE_MAIN) != 0,
							       .first_list = t->module_lists, .last_list = t->module_lists };
}

/*
 * Modules unloaded and replaced at overlapping addresses: each earlier one
 * moves by its own multiple of 2^48, with the frames in it of the stacks
 * written while it was mapped (struct trace_module).
 */
static void separate_reused_addresses(struct trace *t)
{
	uint64_t moved = 0;
	for (size_t i = 0; i < t->module_count; i++) {
		struct trace_module *a = &t->modules[i];
		bool replaced = false;
		for (size_t j = 0; j < t->module_count && !replaced; j++) {
			const struct trace_module *b = &t->modules[j];
			replaced = j != i && !b->shift && b->first_list > a->last_list && b->lo < a->hi && a->lo < b->hi;
		}
		if (!replaced || moved >= 0xfffe)
			continue;
		uint64_t shift = ++moved << 48, lo = a->lo, hi = a->hi;
		for (size_t k = 0; k < t->stack_count; k++) {
			struct trace_stack *st = &t->stacks[k];
			if (!st->defined || st->module_list < a->first_list || st->module_list > a->last_list)
				continue;
			for (uint32_t f = 0; f < st->frame_count; f++)
				if (st->frames[f] - 1 >= lo && st->frames[f] - 1 < hi) /* the call is inside: frame - 1 */
					st->frames[f] += shift;
		}
		a->shift = shift;
		a->bias += shift;
		a->lo += shift;
		a->hi += shift;
	}
}

static bool add_stack(struct trace *t, const char *p, uint32_t size, uint64_t off, size_t *cap, struct lh_error *err)
{
	struct lh_rec_stack s;
	if (size < sizeof(s))
		return lh_error_at(err, off, "stack record too short (%u bytes)", size);
	memcpy(&s, p, sizeof(s));
	if (s.frame_count > 1024 || sizeof(s) + (size_t)s.frame_count * 8 > size)
		return lh_error_at(err, off, "stack record of %u frames does not fit its %u bytes", s.frame_count, size);
	/* The writer numbers stacks densely and writes them in order: anything else is corrupt (and a
	 * wild id must not make the reader allocate for the ids in between). */
	if (s.id == 0 || s.id > LH_MAX(t->stack_count, 1))
		return lh_error_at(err, off, "stack id %u out of order (the next is %zu)", s.id, LH_MAX(t->stack_count, 1));
	if (s.id >= t->stack_count) {
		size_t need = (size_t)s.id + 1;
		lh_grow((void **)&t->stacks, cap, need, sizeof(*t->stacks));
		memset(t->stacks + t->stack_count, 0, (need - t->stack_count) * sizeof(*t->stacks));
		t->stack_count = need;
	}
	struct trace_stack *st = &t->stacks[s.id];
	if (st->defined)
		return lh_error_at(err, off, "stack %u defined twice", s.id);
	st->defined = true;
	st->module_list = t->module_lists;
	st->frame_count = s.frame_count;
	st->frames = lh_malloc((size_t)s.frame_count * 8 + 1);
	memcpy(st->frames, p + sizeof(s), (size_t)s.frame_count * 8);
	return true;
}

static bool add_snapshot(struct trace *t, const char *p, uint32_t size, uint64_t off, size_t *cap,
			 size_t *stacks_cap, struct lh_error *err)
{
	struct lh_rec_snapshot s;
	if (size < sizeof(s))
		return lh_error_at(err, off, "snapshot record too short (%u bytes)", size);
	memcpy(&s, p, sizeof(s));
	if (sizeof(s) + (size_t)s.entry_count * sizeof(struct lh_rec_stack_entry) > size)
		return lh_error_at(err, off, "snapshot of %u entries does not fit its %u bytes", s.entry_count, size);
	uint32_t index = (uint32_t)t->snapshot_count;
	lh_grow((void **)&t->snapshots, cap, index + 1, sizeof(*t->snapshots));
	t->snapshots[index] = (struct trace_snapshot){ s.time_ns, s.live_bytes, s.live_blocks, s.peak_bytes, s.allocs, s.frees,
						       false, { 0 } };
	t->snapshot_count++;
	if (s.flags & LH_SNAPSHOT_FINAL)
		t->complete = true;
	const char *e = p + sizeof(s);
	for (uint32_t i = 0; i < s.entry_count; i++, e += sizeof(struct lh_rec_stack_entry)) {
		struct lh_rec_stack_entry en;
		memcpy(&en, e, sizeof(en));
		if (en.stack >= t->stack_count || (en.stack != 0 && !t->stacks[en.stack].defined)) {
			if (en.stack != 0)
				return lh_error_at(err, off, "snapshot names stack %u, which is not defined before it", en.stack);
			/* stack 0 ("table full") is never defined: make room for it */
			if (t->stack_count == 0) {
				lh_grow((void **)&t->stacks, stacks_cap, 1, sizeof(*t->stacks));
				memset(t->stacks, 0, sizeof(*t->stacks));
				t->stack_count = 1;
			}
		}
		struct trace_stack *st = &t->stacks[en.stack];
		lh_grow((void **)&st->samples, &st->sample_cap, st->sample_count + 1, sizeof(*st->samples));
		st->samples[st->sample_count++] = (struct trace_sample){ index, en.live_bytes,
									 (int64_t)(en.allocs - en.frees), en.allocs, en.frees,
									 en.temporaries, en.alloc_bytes };
	}
	return true;
}

static bool stack_known(const struct trace *t, uint32_t id)
{
	return id == 0 || (id < t->stack_count && t->stacks[id].defined);
}

static bool add_leak_check(struct trace *t, const char *p, uint32_t size, uint64_t off, size_t *cap,
			   struct lh_error *err)
{
	struct trace_leak_check c = { 0 };
	if (size < sizeof(c.summary))
		return lh_error_at(err, off, "leak check record too short (%u bytes)", size);
	memcpy(&c.summary, p, sizeof(c.summary));
	size_t n = c.summary.record_count;
	if (n > (size - sizeof(c.summary)) / sizeof(struct lh_rec_loss))
		return lh_error_at(err, off, "leak check of %zu loss records does not fit its %u bytes", n, size);
	c.records = lh_malloc(n * sizeof(*c.records) + 1);
	memcpy(c.records, p + sizeof(c.summary), n * sizeof(*c.records));
	c.record_count = n;
	for (size_t i = 0; i < n; i++) {
		const struct lh_rec_loss *r = &c.records[i];
		const char *why = r->kind >= LH_LEAK_KINDS ? "an unknown kind"
				  : !stack_known(t, r->stack) ? "a stack not defined before it" : NULL;
		if (why) {
			free(c.records);
			return lh_error_at(err, off, "leak check loss record %zu has %s", i, why);
		}
	}
	lh_grow((void **)&t->leak_checks, cap, t->leak_check_count + 1, sizeof(*t->leak_checks));
	t->leak_checks[t->leak_check_count++] = c;
	return true;
}

/* A fuzzer cannot forge CRCs: its builds take any, to reach the records behind them. */
static bool checksum_matches(const char *p, uint64_t n, uint32_t crc)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	(void)p;
	(void)n;
	(void)crc;
	return true;
#else
	return (uint32_t)crc32(0, (const Bytef *)p, (uInt)n) == crc;
#endif
}

/* Records in [off, end): applies each; false with err set on a malformed one. *off ends at the first cut record. */
static bool read_records(struct trace *t, const char *data, size_t *off, size_t end, struct caps *caps,
			 struct lh_error *err)
{
	while (*off < end) {
		struct lh_record_header r;
		if (end - *off < sizeof(r))
			return true;
		memcpy(&r, data + *off, sizeof(r));
		if (end - *off - sizeof(r) < r.size)
			return true; /* cut short: keep what came before */
		const char *p = data + *off + sizeof(r);
		bool ok = true;
		if (r.type != LH_REC_MODULE && r.type != LH_REC_MODULE_FILE)
			t->in_module_list = false;
		switch (r.type) {
		case LH_REC_MODULE: {
			struct lh_rec_module m;
			if (r.size < sizeof(m) || (memcpy(&m, p, sizeof(m)), sizeof(m) + m.path_len > r.size)) {
				ok = lh_error_at(err, *off, "malformed module record");
				break;
			}
			add_module(t, &m, p + sizeof(m), &caps->modules);
			break;
		}
		case LH_REC_STACK:
			ok = add_stack(t, p, r.size, *off, &caps->stacks, err);
			break;
		case LH_REC_SNAPSHOT:
			ok = add_snapshot(t, p, r.size, *off, &caps->snapshots, &caps->stacks, err);
			break;
		case LH_REC_LEAK_CHECK:
			ok = add_leak_check(t, p, r.size, *off, &caps->checks, err);
			break;
		case LH_REC_PROCESS: {
			struct lh_rec_process pr;
			if (r.size < sizeof(pr)) {
				ok = lh_error_at(err, *off, "process record too short (%u bytes)", r.size);
				break;
			}
			memcpy(&pr, p, sizeof(pr));
			t->forks_untracked = pr.forks;
			t->batches_lost = pr.batches_lost;
			break;
		}
		case LH_REC_MODULE_FILE: {
			struct lh_rec_module_file f;
			if (r.size < sizeof(f) || (memcpy(&f, p, sizeof(f)), f.build_id_len > 64 || sizeof(f) + f.build_id_len > r.size) ||
			    !t->in_module_list) {
				ok = lh_error_at(err, *off, "malformed module file record");
				break;
			}
			struct trace_module *m = &t->modules[t->last_module];
			m->file_known = true;
			m->file_size = f.size;
			m->file_mtime_ns = f.mtime_ns;
			m->build_id_len = f.build_id_len;
			memcpy(m->build_id, p + sizeof(f), f.build_id_len);
			break;
		}
		case LH_REC_EXEC: {
			struct lh_rec_exec e;
			if (r.size < sizeof(e) || (memcpy(&e, p, sizeof(e)), sizeof(e) + e.path_len > r.size)) {
				ok = lh_error_at(err, *off, "malformed exec record");
				break;
			}
			free(t->exec_path);
			t->exec_path = lh_malloc(e.path_len + 1);
			memcpy(t->exec_path, p + sizeof(e), e.path_len);
			t->exec_path[e.path_len] = 0;
			break;
		}
		case LH_REC_ALLOCATOR:
			if (r.size < sizeof(struct lh_rec_allocator) || !t->snapshot_count) {
				ok = lh_error_at(err, *off, "malformed allocator record (%u bytes, %zu snapshots before it)",
						 r.size, t->snapshot_count);
				break;
			}
			t->snapshots[t->snapshot_count - 1].has_allocator = true;
			memcpy(&t->snapshots[t->snapshot_count - 1].allocator, p, sizeof(struct lh_rec_allocator));
			break;
		default:
			break; /* a newer record type: skip it */
		}
		if (!ok)
			return false;
		*off += sizeof(r) + r.size;
	}
	return true;
}

/*
 * Version 4: batch by batch, each checked against its CRC before any of it
 * is used. A batch that does not match is damage: the trace ends before it
 * (damaged_at). One that runs past the end of the file was cut short.
 */
static bool read_batches(struct trace *t, const char *data, size_t size, size_t *off, struct caps *caps,
			 struct lh_error *err)
{
	while (size - *off >= sizeof(struct lh_record_header) + sizeof(struct lh_rec_batch)) {
		struct lh_record_header r;
		struct lh_rec_batch b;
		memcpy(&r, data + *off, sizeof(r));
		memcpy(&b, data + *off + sizeof(r), sizeof(b));
		size_t body = *off + sizeof(r) + sizeof(b);
		if (r.type != LH_REC_BATCH || r.size != sizeof(b)) {
			t->damaged_at = *off;
			t->damage = "no batch starts there";
			return true;
		}
		if (b.bytes > size - body)
			return true; /* cut short (killed while writing it) */
		if (!checksum_matches(data + body, b.bytes, b.crc)) {
			t->damaged_at = *off;
			t->damage = "the batch's checksum does not match its bytes";
			return true;
		}
		size_t at = body;
		if (!read_records(t, data, &at, body + b.bytes, caps, err))
			return false;
		if (at != body + b.bytes) {
			t->damaged_at = at;
			t->damage = "a record runs past the end of its batch";
			return true;
		}
		*off = at;
	}
	return true;
}

/* The header's fault, or NULL if it is one this reader takes. */
static const char *header_fault(const struct lh_trace_header *h, size_t size, char *why, size_t why_size)
{
	if (h->version == LH_TRACE_VERSION) {
		struct lh_trace_header c = *h;
		c.header_crc = 0;
		if (!checksum_matches((const char *)&c, sizeof(c), h->header_crc))
			return "trace header damaged (its checksum does not match)";
	} else if (h->version != LH_TRACE_VERSION_OLDEST) {
		snprintf(why, why_size, "unsupported trace version %u (this leakhound reads versions %d to %d)",
			 h->version, LH_TRACE_VERSION_OLDEST, LH_TRACE_VERSION);
		return why;
	}
	if (h->header_size != sizeof(*h) || h->header_size > size) {
		snprintf(why, why_size, "corrupt trace header: header_size %u (version %u headers are %zu bytes)",
			 h->header_size, h->version, sizeof(*h));
		return why;
	}
	return NULL;
}

struct trace *trace_read(const char *path, struct lh_error *err)
{
	char *data = NULL;
	size_t size = 0;
	if (!read_file(path, &data, &size, err))
		return NULL;
	struct lh_trace_header h;
	if (size < 8 || memcmp(data, LH_TRACE_MAGIC, 8) != 0) {
		free(data);
		lh_error_at(err, 0, "not a leakhound trace (no LHTRACE magic); make one with 'leakhound run -o FILE -- CMD'");
		return NULL;
	}
	if (size < sizeof(h)) {
		free(data);
		lh_error_at(err, 8, "trace header cut short (%zu bytes)", size);
		return NULL;
	}
	memcpy(&h, data, sizeof(h));
	char why[160];
	const char *fault = header_fault(&h, size, why, sizeof(why));
	if (fault) {
		free(data);
		lh_error_at(err, 8, "%s", fault);
		return NULL;
	}
	struct trace *t = lh_calloc(1, sizeof(*t));
	t->version = h.version;
	t->pid = h.pid;
	t->start_unix_ns = h.start_unix_ns;
	t->interval_ns = h.interval_ns;
	t->sample_rate = h.sample_rate;
	t->js_frames = h.version >= 4 && (h.flags & LH_TRACE_JS_FRAMES);
	t->uid = h.version >= 4 ? h.uid : UINT32_MAX;
	t->file_size = size;
	struct caps caps = { 0 };
	size_t off = h.header_size;
	bool ok = h.version >= 4 ? read_batches(t, data, size, &off, &caps, err)
				 : read_records(t, data, &off, size, &caps, err);
	free(data);
	if (!ok) {
		trace_free(t);
		return NULL;
	}
	t->bytes_dropped = t->damaged_at ? 0 : size - LH_MIN(off, size);
	separate_reused_addresses(t);
	if (t->snapshot_count == 0) {
		if (t->damaged_at)
			lh_error_at(err, t->damaged_at, "damaged before its first snapshot: %s", t->damage);
		else
			lh_error_at(err, LH_NO_OFFSET, "the trace holds no snapshot (the program was killed at start-up?)");
		trace_free(t);
		return NULL;
	}
	return t;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->module_count; i++)
		free(t->modules[i].path);
	for (size_t i = 0; i < t->stack_count; i++) {
		free(t->stacks[i].frames);
		free(t->stacks[i].samples);
	}
	for (size_t i = 0; i < t->leak_check_count; i++)
		free(t->leak_checks[i].records);
	free(t->leak_checks);
	free(t->exec_path);
	free(t->modules);
	free(t->stacks);
	free(t->snapshots);
	free(t);
}

struct trace_sample trace_stack_at(const struct trace *t, uint32_t id, uint32_t snap, size_t *cursor)
{
	const struct trace_stack *st = &t->stacks[id];
	size_t i = *cursor;
	if (i > 0 && (i > st->sample_count || st->samples[i - 1].snapshot > snap))
		i = 0;
	while (i < st->sample_count && st->samples[i].snapshot <= snap)
		i++;
	*cursor = i;
	if (i == 0)
		return (struct trace_sample){ .snapshot = snap };
	return st->samples[i - 1];
}

uint64_t trace_real_address(const struct trace *t, uint64_t addr)
{
	const struct trace_module *m = addr >> 48 ? trace_module_of(t, addr) : NULL;
	return m ? addr - m->shift : addr;
}

const struct trace_module *trace_module_of(const struct trace *t, uint64_t addr)
{
	for (size_t i = 0; i < t->module_count; i++)
		if (addr >= t->modules[i].lo && addr < t->modules[i].hi)
			return &t->modules[i];
	return NULL;
}
