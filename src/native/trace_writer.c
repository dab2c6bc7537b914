/*
 * trace_writer.c - see trace_writer.h; the record layouts are in
 * trace_format.h.
 */
#include "trace_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#include "leak_check.h"
#include "own_memory.h"
#include "tracker.h"
#include "unwind.h"

/*
 * The descriptor: the program may close every descriptor (a daemon), or
 * hold all it may have (RLIMIT_NOFILE), and must never find one of ours at
 * a number it uses. So the trace is kept open at a number the program does
 * not reach: above its soft limit when the hard limit leaves room (the soft
 * limit is raised for the dup only), else at the top of its range. Before
 * each batch the descriptor's device and inode are checked: if the program
 * closed it (or put another file at its number), it is left alone and the
 * trace reopened. With a tiny limit and no room above it (ulimit -n 4),
 * nothing is held: the file is opened for each batch, and a batch that
 * finds no free descriptor is lost and counted.
 */
static char trace_path[4096];
static int trace_fd = -1;
static dev_t trace_dev;
static ino_t trace_ino;
static bool opened;
static uint64_t interval_ns;
static uint32_t trace_header_flags;
static uint64_t start_ns;
static bool finished;
static bool with_mallinfo;              /* LEAKHOUND_TRACE_MALLINFO: an ALLOCATOR record per batch */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*writer_thread_init)(void);
static _Atomic pid_t writer_tid;        /* set by the thread before start returns */

/* Leak checks (run --leak-check): the final one's hook, and the SIGUSR2 request. */
static void (*leak_stop_tracking)(void);
static _Atomic bool check_requested;
static _Atomic uint32_t wake_word;       /* bumped (and futex-woken) by a request */

/* The batch buffer (grown with mremap). */
static char *buf;
static size_t buf_len, buf_cap;

/* What the trace has not seen (struct lh_rec_process), and what it last saw. */
static _Atomic uint64_t forks_untracked;
static uint64_t batches_lost;
static struct lh_rec_process process_written;

/* What earlier batches already wrote. */
static uint32_t stacks_written = 1;
static unsigned long long modules_seen = (unsigned long long)-1;
/* Per stack, the allocs+frees counted at the last snapshot (mmap'd, by id). */
static uint64_t *last_events;
static uint32_t last_events_cap;

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool buf_reserve(size_t more)
{
	if (buf_len + more <= buf_cap)
		return true;
	size_t cap = buf_cap ? buf_cap : 1 << 16;
	while (cap < buf_len + more)
		cap *= 2;
	void *p = buf ? own_remap(buf, buf_cap, cap) : own_map(cap, false);
	if (!p)
		return false;
	buf = p;
	buf_cap = cap;
	return true;
}

static void buf_put(const void *data, size_t n)
{
	memcpy(buf + buf_len, data, n);
	buf_len += n;
}

static void buf_pad(void)
{
	while (buf_len % 8)
		buf[buf_len++] = 0;
}

/* Starts a record of `size` payload bytes; false (nothing added) without memory. */
static bool record_begin(uint32_t type, size_t size)
{
	size_t padded = (size + 7) & ~(size_t)7;
	if (!buf_reserve(sizeof(struct lh_record_header) + padded))
		return false;
	struct lh_record_header h = { type, (uint32_t)padded };
	buf_put(&h, sizeof(h));
	return true;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* A copy of fd at a number the program does not reach, or -1: hold none. */
static int move_high(int fd)
{
	struct rlimit rl;
	int high = -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = rl.rlim_max = 1u << 20; /* unlimited: the kernel's own ceiling (fs.nr_open) */
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = { rl.rlim_cur + 1, rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
			high = fcntl(fd, F_DUPFD_CLOEXEC, (int)rl.rlim_cur);
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (high < 0 && rl.rlim_cur >= 256)
		high = fcntl(fd, F_DUPFD_CLOEXEC, (int)rl.rlim_cur - 64);
	return high;
}

/* True when trace_fd is still the file we opened (the program may have closed or reused the number). */
static bool fd_still_ours(void)
{
	struct stat st;
	return trace_fd >= 0 && fstat(trace_fd, &st) == 0 && st.st_dev == trace_dev && st.st_ino == trace_ino;
}

/* A descriptor on the trace: the held one, or one opened for this write (*transient). */
static int trace_descriptor(int create_flags, bool *transient)
{
	*transient = false;
	if (!create_flags && fd_still_ours())
		return trace_fd;
	trace_fd = -1; /* closed by the program, or its number is the program's now: not ours to close */
	int fd = open(trace_path, O_WRONLY | O_APPEND | O_CLOEXEC | create_flags, 0644);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	trace_dev = st.st_dev;
	trace_ino = st.st_ino;
	int high = move_high(fd);
	if (high < 0) {
		*transient = true;
		return fd;
	}
	close(fd);
	return trace_fd = high;
}

/* Appends n bytes to the trace with one write(2) (restarted if cut short); all or nothing. */
static bool append(const char *p, size_t n, int create_flags)
{
	int saved = errno;
	bool transient;
	int fd = trace_descriptor(create_flags, &transient);
	off_t before = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	bool ok = fd >= 0 && write_all(fd, p, n);
	if (!ok && before >= 0 && ftruncate(fd, before) != 0) /* no partial batch before the next one */
		ok = false;
	if (transient)
		close(fd);
	errno = saved;
	return ok;
}

/* The parent's descriptor, in a forked child: closed if it is still ours. */
static void forget_descriptor(void)
{
	if (fd_still_ours())
		close(trace_fd);
	trace_fd = -1;
}

/* ---- modules ---- */

static int count_objects(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(unsigned long long *)data = info->dlpi_adds + info->dlpi_subs * 1000003ull;
	return 1; /* the counters are the same in every entry */
}

/* The GNU build-id note of a mapped object (its PT_NOTE segments, as mapped), or 0 bytes. */
static uint32_t build_id_of(const struct dl_phdr_info *info, const unsigned char **id)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		size_t align = ph->p_align == 8 ? 8 : 4;
		const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
		while (end - p >= (ptrdiff_t)sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			size_t name = (n->n_namesz + align - 1) & ~(align - 1), desc = (n->n_descsz + align - 1) & ~(align - 1);
			if ((size_t)(end - p) - sizeof(*n) < name || (size_t)(end - p) - sizeof(*n) - name < desc)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(p + sizeof(*n), "GNU", 4) &&
			    n->n_descsz <= 64) {
				*id = p + sizeof(*n) + name;
				return n->n_descsz;
			}
			p += sizeof(*n) + name + desc;
		}
	}
	return 0;
}

/* The MODULE_FILE record after a module's: its build-id, and its file's size and mtime now. */
static void add_module_file(const struct dl_phdr_info *info, const char *path)
{
	const unsigned char *id = NULL;
	uint32_t id_len = build_id_of(info, &id);
	struct stat st;
	struct lh_rec_module_file f = { 0, 0, id_len, 0 };
	if (stat(path, &st) == 0) {
		f.size = (uint64_t)st.st_size;
		f.mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
	}
	if (!record_begin(LH_REC_MODULE_FILE, sizeof(f) + id_len))
		return;
	buf_put(&f, sizeof(f));
	buf_put(id, id_len);
	buf_pad();
}

static int add_module(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	int *index = data;
	char exe[4096];
	const char *path = info->dlpi_name;
	uint32_t flags = 0;
	if ((*index)++ == 0) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = 0;
			path = exe;
		}
		flags = LH_MODULE_MAIN;
	}
	if (!path || !path[0])
		return 0; /* the vDSO and the like: nothing to symbolize from a file */
	uint64_t lo = UINT64_MAX, hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uint64_t a = info->dlpi_addr + ph->p_vaddr;
		if (a < lo)
			lo = a;
		if (a + ph->p_memsz > hi)
			hi = a + ph->p_memsz;
	}
	if (lo >= hi)
		return 0;
	size_t len = strlen(path);
	if (!record_begin(LH_REC_MODULE, sizeof(struct lh_rec_module) + len))
		return 1;
	struct lh_rec_module m = { info->dlpi_addr, lo, hi, flags, (uint32_t)len };
	buf_put(&m, sizeof(m));
	buf_put(path, len);
	buf_pad();
	add_module_file(info, path);
	return 0;
}

static void add_modules_if_changed(void)
{
	unsigned long long seen = 0;
	dl_iterate_phdr(count_objects, &seen);
	if (seen == modules_seen)
		return;
	modules_seen = seen;
	int index = 0;
	dl_iterate_phdr(add_module, &index);
}

/* ---- stacks and snapshots ---- */

static void add_new_stacks(uint32_t count)
{
	for (; stacks_written < count; stacks_written++) {
		const uint64_t *frames;
		uint32_t n = tracker_stack_frames(stacks_written, &frames);
		if (!record_begin(LH_REC_STACK, sizeof(struct lh_rec_stack) + n * sizeof(uint64_t)))
			return;
		struct lh_rec_stack s = { stacks_written, n };
		buf_put(&s, sizeof(s));
		buf_put(frames, n * sizeof(uint64_t));
	}
}

static bool grow_last_events(uint32_t count)
{
	if (count <= last_events_cap)
		return true;
	uint32_t cap = last_events_cap ? last_events_cap : 1024;
	while (cap < count)
		cap *= 2;
	size_t old_bytes = (size_t)last_events_cap * sizeof(uint64_t), bytes = (size_t)cap * sizeof(uint64_t);
	void *p = last_events ? own_remap(last_events, old_bytes, bytes) : own_map(bytes, false);
	if (!p)
		return false;
	last_events = p;
	last_events_cap = cap;
	return true;
}

static void add_snapshot(uint32_t count, uint32_t flags)
{
	if (!grow_last_events(count))
		return;
	/* First pass: how many stacks changed, to size the record. */
	uint32_t changed = 0;
	for (uint32_t id = 0; id < count; id++) {
		struct tracker_stack_stats *s = tracker_stack_stats(id);
		uint64_t ev = atomic_load_explicit(&s->allocs, memory_order_relaxed) +
			      atomic_load_explicit(&s->frees, memory_order_relaxed);
		if (ev != last_events[id])
			changed++;
	}
	size_t size = sizeof(struct lh_rec_snapshot) + (size_t)changed * sizeof(struct lh_rec_stack_entry);
	if (!record_begin(LH_REC_SNAPSHOT, size))
		return;
	struct lh_rec_snapshot snap = {
		.time_ns = now_ns(CLOCK_MONOTONIC) - start_ns,
		.live_bytes = (uint64_t)atomic_load(&tracker_totals.live_bytes),
		.peak_bytes = (uint64_t)atomic_load(&tracker_totals.peak_bytes),
		.flags = flags,
		.entry_count = changed,
	};
	size_t snap_at = buf_len;
	buf_put(&snap, sizeof(snap));
	uint32_t written = 0;
	uint64_t allocs = 0, frees = 0;
	for (uint32_t id = 0; id < count; id++) {
		struct tracker_stack_stats *s = tracker_stack_stats(id);
		struct lh_rec_stack_entry e = {
			.stack = id,
			.live_bytes = atomic_load_explicit(&s->live_bytes, memory_order_relaxed),
			.allocs = atomic_load_explicit(&s->allocs, memory_order_relaxed),
			.frees = atomic_load_explicit(&s->frees, memory_order_relaxed),
			.temporaries = atomic_load_explicit(&s->temporaries, memory_order_relaxed),
			.alloc_bytes = atomic_load_explicit(&s->alloc_bytes, memory_order_relaxed),
		};
		allocs += e.allocs;
		frees += e.frees;
		if (e.allocs + e.frees == last_events[id] || written == changed)
			continue; /* unchanged (or changed after the counting pass: next time) */
		last_events[id] = e.allocs + e.frees;
		buf_put(&e, sizeof(e));
		written++;
	}
	struct lh_rec_snapshot *sp = (struct lh_rec_snapshot *)(buf + snap_at);
	sp->allocs = allocs;
	sp->frees = frees;
	sp->live_blocks = allocs - frees;
	if (written < changed) { /* counters moved between the passes: shrink the record */
		sp->entry_count = written;
		struct lh_record_header *h = (struct lh_record_header *)(buf + snap_at - sizeof(*h));
		h->size = (uint32_t)(sizeof(snap) + (size_t)written * sizeof(struct lh_rec_stack_entry));
	}
}

static void add_allocator(void)
{
	struct mallinfo2 mi = mallinfo2();
	struct lh_rec_allocator a = {
		.system = mi.arena + mi.hblkhd,
		.in_use = mi.uordblks + mi.hblkhd,
		.free = mi.fordblks,
		.mmapped = mi.hblkhd,
	};
	if (record_begin(LH_REC_ALLOCATOR, sizeof(a)))
		buf_put(&a, sizeof(a));
}

static void add_leak_check(const struct leak_result *r)
{
	size_t loss_bytes = r->record_count * sizeof(struct lh_rec_loss);
	if (sizeof(struct lh_rec_leak_check) + loss_bytes > UINT32_MAX - 8 ||
	    !record_begin(LH_REC_LEAK_CHECK, sizeof(struct lh_rec_leak_check) + loss_bytes))
		return;
	struct lh_rec_leak_check sum = r->summary;
	sum.record_count = (uint32_t)r->record_count;
	buf_put(&sum, sizeof(sum));
	buf_put(r->records, loss_bytes);
}

static void add_process_if_changed(void)
{
	struct lh_rec_process now = { atomic_load(&forks_untracked), batches_lost };
	if (!memcmp(&now, &process_written, sizeof(now)) || !record_begin(LH_REC_PROCESS, sizeof(now)))
		return;
	buf_put(&now, sizeof(now));
	process_written = now;
}

/*
 * A batch that could not be written: what it carried goes into the next
 * one (the stacks and modules it defined, every stack's counters), and it
 * is counted.
 */
static void batch_lost(uint32_t stacks_before, struct lh_rec_process process_before)
{
	stacks_written = stacks_before;
	modules_seen = (unsigned long long)-1;
	if (last_events)
		memset(last_events, 0xff, (size_t)last_events_cap * sizeof(*last_events));
	process_written = process_before;
	batches_lost++;
}

/* Empties the buffer and starts a batch with its BATCH record (at *at, filled in by batch_seal). */
static bool batch_begin(size_t *at)
{
	buf_len = 0;
	if (!record_begin(LH_REC_BATCH, sizeof(struct lh_rec_batch)))
		return false;
	*at = buf_len;
	memset(buf + buf_len, 0, sizeof(struct lh_rec_batch));
	buf_len += sizeof(struct lh_rec_batch);
	return true;
}

/* The batch's length and CRC-32, once its records are in the buffer. */
static void batch_seal(size_t at)
{
	size_t body = at + sizeof(struct lh_rec_batch);
	struct lh_rec_batch batch = { buf_len - body, (uint32_t)crc32(0, (const Bytef *)buf + body, (uInt)(buf_len - body)), 0 };
	memcpy(buf + at, &batch, sizeof(batch));
}

/*
 * One batch: its BATCH record, new modules, new stacks, the process's
 * counters if they changed, a snapshot, the leak check if there is one
 * (after the stacks it names); then one write. Caller holds write_lock.
 */
static void write_batch(uint32_t flags, const struct leak_result *leaks)
{
	uint32_t stacks_before = stacks_written;
	struct lh_rec_process process_before = process_written;
	size_t batch_at;
	if (!batch_begin(&batch_at))
		return;
	uint32_t count = tracker_stack_count();
	add_modules_if_changed();
	add_new_stacks(count);
	add_process_if_changed();
	add_snapshot(count, flags);
	if (with_mallinfo)
		add_allocator();
	if (leaks)
		add_leak_check(leaks);
	batch_seal(batch_at);
	if (!append(buf, buf_len, 0))
		batch_lost(stacks_before, process_before); /* disk full, or no descriptor: the next batch tries again */
}

/*
 * A batch walks the loader's list (its modules), so whoever writes one
 * enters the walk before write_lock: fork takes them in that order too
 * (unwind.h), and a walk begun under write_lock would wait for a fork
 * that waits for write_lock.
 */
static void lock_for_batch(void)
{
	unwind_loader_walk_begin();
	pthread_mutex_lock(&write_lock);
}

static void unlock_for_batch(void)
{
	pthread_mutex_unlock(&write_lock);
	unwind_loader_walk_end();
}

/* A mid-run leak check and its batch. Caller holds write_lock. */
static void write_batch_with_leak_check(void)
{
	struct leak_result r;
	uint64_t t = now_ns(CLOCK_MONOTONIC) - start_ns;
	bool ok = leak_check_now(&r);
	r.summary.time_ns = t;
	write_batch(0, ok ? &r : NULL);
	leak_scan_free(&r);
}

/*
 * exec keeps the pid, and the new image's library starts again. A trace at
 * our path whose header has our pid was written by the image before the
 * exec (run, and a followed fork, create the file empty): it is kept whole
 * and apart. An EXEC record naming the new program ends it, and it moves
 * to PATH.exec-N (N = 1 for the first image). Caller holds write_lock.
 */
static void keep_earlier_image(void)
{
	int fd = open(trace_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	struct lh_trace_header h;
	int rfd = open(trace_path, O_RDONLY | O_CLOEXEC);
	bool earlier = rfd >= 0 && pread(rfd, &h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
		       !memcmp(h.magic, LH_TRACE_MAGIC, 8) && h.pid == (uint64_t)getpid();
	if (rfd >= 0)
		close(rfd);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe));
	size_t at;
	if (earlier && h.version == LH_TRACE_VERSION && n > 0 && batch_begin(&at) &&
	    record_begin(LH_REC_EXEC, sizeof(struct lh_rec_exec) + (size_t)n)) {
		struct lh_rec_exec e = { now_ns(CLOCK_REALTIME), (uint32_t)n, 0 };
		buf_put(&e, sizeof(e));
		buf_put(exe, (size_t)n);
		buf_pad();
		batch_seal(at);
		write_all(fd, buf, buf_len);
	}
	close(fd);
	for (int i = 1; earlier && i < 1000; i++) {
		char moved[sizeof(trace_path) + 16];
		snprintf(moved, sizeof(moved), "%s.exec-%d", trace_path, i);
		if (access(moved, F_OK) != 0) {
			rename(trace_path, moved);
			break;
		}
	}
}

bool trace_writer_open(const char *path, uint64_t interval, uint32_t flags)
{
	size_t len = strlen(path), at = 0;
	if (path[0] != '/') { /* absolute, in case the program changes directory */
		if (!getcwd(trace_path, sizeof(trace_path)))
			return false;
		at = strlen(trace_path);
		trace_path[at++] = '/';
	}
	if (at + len >= sizeof(trace_path))
		return false;
	memcpy(trace_path + at, path, len + 1);
	interval_ns = interval;
	const char *mallinfo = getenv("LEAKHOUND_TRACE_MALLINFO");
	with_mallinfo = mallinfo && mallinfo[0] == '1';
	start_ns = now_ns(CLOCK_MONOTONIC);
	struct lh_trace_header h = {
		.magic = LH_TRACE_MAGIC,
		.version = LH_TRACE_VERSION,
		.header_size = sizeof(h),
		.pid = (uint64_t)getpid(),
		.start_unix_ns = now_ns(CLOCK_REALTIME),
		.interval_ns = interval,
		.max_frames = LH_TRACE_MAX_FRAMES,
		.sample_rate = tracker_sample_rate,
		.flags = flags,
		.uid = (uint32_t)getuid(),
	};
	h.header_crc = (uint32_t)crc32(0, (const Bytef *)&h, sizeof(h));
	lock_for_batch();
	trace_header_flags = flags;
	keep_earlier_image();
	bool ok = append((const char *)&h, sizeof(h), O_CREAT | O_TRUNC);
	if (ok) {
		opened = true;
		write_batch(0, NULL);
	}
	unlock_for_batch();
	return ok;
}

static void wait_until(uint32_t seen, uint64_t deadline_ns)
{
	struct timespec ts = { (time_t)(deadline_ns / 1000000000u), (long)(deadline_ns % 1000000000u) };
	syscall(SYS_futex, (uint32_t *)&wake_word, FUTEX_WAIT_BITSET_PRIVATE, seen, &ts, NULL, FUTEX_BITSET_MATCH_ANY);
}

/* Its stack holds the static TLS of leakhound's thread and the scan's frames: not the program's. */
static void register_own_stack(void)
{
	pthread_attr_t attr;
	void *lo;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	if (pthread_attr_getstack(&attr, &lo, &size) == 0)
		own_memory_add(lo, size);
	pthread_attr_destroy(&attr);
}

static void *writer_main(void *arg)
{
	(void)arg;
	if (writer_thread_init)
		writer_thread_init();
	register_own_stack();
	atomic_store(&writer_tid, (pid_t)syscall(SYS_gettid));
	uint64_t next = start_ns + interval_ns;
	for (;;) {
		uint32_t seen = atomic_load(&wake_word);
		bool check = atomic_exchange(&check_requested, false);
		if (!check && now_ns(CLOCK_MONOTONIC) < next) {
			wait_until(seen, next);
			continue;
		}
		lock_for_batch();
		bool done = finished;
		if (!done && check)
			write_batch_with_leak_check();
		else if (!done)
			write_batch(0, NULL);
		unlock_for_batch();
		if (done)
			return NULL;
		if (check)
			continue;
		next += interval_ns;
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		if (now > next + interval_ns) /* fell behind (a stopped process): skip ahead */
			next = now - (now - start_ns) % interval_ns + interval_ns;
	}
}

bool trace_writer_start(void (*thread_init)(void))
{
	writer_thread_init = thread_init;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits the mask */
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int rc = pthread_create(&t, &attr, writer_main, NULL);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return false;
	pthread_setname_np(t, "leakhound");
	while (atomic_load(&writer_tid) == 0) /* a leak check must know which thread is ours */
		sched_yield();
	return true;
}

void trace_writer_fork_prepare(void)
{
	pthread_mutex_lock(&write_lock);
}

void trace_writer_fork_done(void)
{
	pthread_mutex_unlock(&write_lock);
}

bool trace_writer_restart(const char *path)
{
	/* Nothing of the parent's file is in the new one: modules, stacks and counts are written anew. */
	opened = finished = false;
	stacks_written = 1;
	modules_seen = (unsigned long long)-1;
	if (last_events)
		memset(last_events, 0, (size_t)last_events_cap * sizeof(*last_events));
	atomic_store(&writer_tid, 0);
	forget_descriptor();
	atomic_store(&forks_untracked, 0);
	batches_lost = 0;
	memset(&process_written, 0, sizeof(process_written));
	return trace_writer_open(path, interval_ns, trace_header_flags) && trace_writer_start(writer_thread_init);
}

void trace_writer_child_untracked(void)
{
	forget_descriptor();
}

void trace_writer_count_fork(void)
{
	atomic_fetch_add(&forks_untracked, 1);
}

void trace_writer_before_unload(void)
{
	lock_for_batch();
	if (opened && !finished)
		write_batch(0, NULL);
	unlock_for_batch();
}

void trace_writer_enable_leak_check(void (*stop_tracking)(void))
{
	leak_stop_tracking = stop_tracking;
}

void trace_writer_request_leak_check(void)
{
	atomic_store(&check_requested, true);
	atomic_fetch_add(&wake_word, 1);
	syscall(SYS_futex, (uint32_t *)&wake_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void trace_writer_finish(void)
{
	/*
	 * The leak check at exit stops the other threads for good, and the
	 * final batch then walks the loader's list: no thread may be stopped
	 * inside a walk, holding glibc's lock on the list.
	 */
	if (leak_stop_tracking) {
		unwind_loader_walks_exclusive_begin();
		pthread_mutex_lock(&write_lock);
	} else {
		lock_for_batch();
	}
	if (!finished && opened) {
		struct leak_result r = { 0 };
		bool leaks = false;
		if (leak_stop_tracking) {
			uint64_t t = now_ns(CLOCK_MONOTONIC) - start_ns;
			leaks = leak_check_at_exit(writer_tid, leak_stop_tracking, &r);
			r.summary.time_ns = t;
		}
		write_batch(LH_SNAPSHOT_FINAL, leaks ? &r : NULL);
		leak_scan_free(&r);
		finished = true;
	}
	unlock_for_batch();
}
