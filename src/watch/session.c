/*
 * session.c - running a watch (watch.h): the program, the agent, the
 * timeline and the snapshot series.
 *
 * One thread, one loop: poll() on the agent's socket with a short timeout.
 * A sample is taken when the agent's line arrives (so /proc/PID/smaps and
 * V8's numbers are read a few microseconds apart), or from /proc alone when
 * no line came for two intervals (a busy event loop, or not a node
 * program). Each sample is one row appended to timeline.tsv with one
 * write(2), so a SIGKILL of either side leaves every row before it.
 *
 * Snapshots: the first when warm-up ends, then each time RSS or V8's used
 * heap has grown by snapshot_growth since the last one; past half of
 * max_snapshots the share needed doubles with each snapshot (the series
 * thins out as it fills; the program is paused at most a third of the
 * time), and the last slot is kept for the end of a
 * --duration run. V8 writes the snapshot into a FIFO (the agent's pause is
 * spent streaming it to us) and the reader builds the model straight from
 * it; only the digest stays (trend.h), with the newest model for retainer
 * paths. With keep_snapshots a second thread copies the stream, gzip'd,
 * into the directory on its way to the reader.
 *
 * Attach mode (--pid) runs leakhound-attach.js under node instead of the
 * program, with the socket as its standard input and output: it speaks the
 * agent's lines, getting them over the target's inspector (DevTools
 * protocol), and the watch ends when the target exits or the watch is
 * stopped, never by signalling the target.
 *
 * RSS parts that only /proc can tell (per mapping of smaps): code
 * (executable file mappings), files (other file mappings), stacks ([stack]
 * and thread stacks: a read-write anonymous mapping right after a one-page
 * guard), other (shared and special mappings, and the tracker's own tables,
 * which the preload library names "[anon:leakhound]"). Anonymous private memory is
 * left to V8's and the allocator's own numbers (verdict.c).
 */
#include "watch.h"

#include "../analysis/leak_rules.h"
#include "../common/format.h"
#include "../heap/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* MARK: - Files of the directory */

static bool append_line(const char *dir, const char *name, const char *line)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	size_t n = strlen(line);
	bool ok = write(fd, line, n) == (ssize_t)n;
	close(fd);
	return ok;
}

static bool create_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	close(fd);
	return !text || append_line(dir, name, text);
}

/* Tabs and newlines would break a TSV field: they become spaces. */
static void tsv_field(char *out, size_t size, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < size; s++)
		out[n++] = *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s;
	out[n] = 0;
}

static double now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* MARK: - /proc */

struct proc_parts {
	int64_t rss, code, files, stacks, other;
};

static bool special_mapping(const char *name)
{
	return name[0] == '[' || !strncmp(name, "/memfd:", 7) || !strncmp(name, "/dev/", 5) ||
	       !strncmp(name, "/SYSV", 5);
}

/* Reads /proc/PID/smaps into parts. False when the process is gone. */
static bool proc_read(int pid, struct proc_parts *p)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	memset(p, 0, sizeof(*p));
	int64_t *bucket = NULL;
	bool prev_guard = false;
	unsigned long long prev_end = 0;
	bool any = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, inode;
		char perms[8];
		int name_at = 0;
		if (sscanf(line, "%llx-%llx %7s %*s %*s %llu %n", &lo, &hi, perms, &inode, &name_at) == 4) {
			char *name = line + name_at;
			name[strcspn(name, "\n")] = 0;
			bool own = !strcmp(name, "[anon:leakhound]"); /* the tracker's tables */
			bool anon = inode == 0 && !own && (!name[0] || !strcmp(name, "[heap]") || !strncmp(name, "[anon:", 6));
			bool thread_stack = anon && prev_guard && prev_end == lo && !strcmp(perms, "rw-p") &&
					    hi - lo >= 16384;
			if (!strcmp(name, "[stack]") || thread_stack)
				bucket = &p->stacks;
			else if (anon)
				bucket = NULL; /* V8's heap and malloc's: their owners' numbers */
			else if (own || special_mapping(name) || perms[3] == 's')
				bucket = &p->other;
			else if (perms[2] == 'x')
				bucket = &p->code;
			else
				bucket = &p->files;
			prev_guard = anon && hi - lo == 4096 && !strcmp(perms, "---p");
			prev_end = hi;
			any = true;
			continue;
		}
		unsigned long long kb;
		if (!strncmp(line, "Rss:", 4) && sscanf(line + 4, "%llu", &kb) == 1) {
			p->rss += (int64_t)kb * 1024;
			if (bucket)
				*bucket += (int64_t)kb * 1024;
		}
	}
	fclose(f);
	return any;
}

/* MARK: - The session */

struct v8_numbers {
	bool known;
	int64_t heap_used, heap_physical, heap_total, external, array_buffers, code;
	int64_t rss;                  /* node's own reading, at the same moment (0: none) */
	double unix_s;                /* when the agent read them (0: unknown) */
};

struct session {
	const struct watch_options *o;
	int pid;
	pid_t child;                  /* start mode */
	int sock;
	double start;                 /* unix time */
	double last_sample;           /* unix time of the last row */
	char fifo[4096];
	/* snapshots */
	struct trend trend;
	struct heap_snapshot *last;   /* newest model, for retainer paths */
	size_t taken;
	bool requested;
	double requested_at;
	int64_t snap_rss, snap_heap;  /* at the first sample after the last snapshot */
	bool rebase;                  /* take them from the next sample */
	double snap_end, snap_pause;  /* when the last snapshot ended (since start), its pause (s) */
	/* the latest sample, for the schedule and the status line */
	int64_t rss, rss_first, heap_used;
	size_t rows;
	/* how it ended */
	bool exited;
	int status;
	char inbuf[8192];
	size_t inlen;
	char attach_error[300];       /* why the attach helper gave up */
	bool target_gone;             /* attach mode: the program exited */
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static double since_start(const struct session *s)
{
	return now_unix() - s->start;
}

static void take_sample(struct session *s, const struct v8_numbers *v)
{
	struct proc_parts p;
	if (!proc_read(s->pid, &p))
		return;
	double now = now_unix();
	/*
	 * The row's time and RSS are the agent's when it sent them: V8's numbers, RSS and (interpolated at that
	 * time) the trace's then describe one moment, however late this process woke up to read them. The
	 * mappings' parts change slowly and are read now.
	 */
	if (v->known && v->unix_s > 0 && v->rss > 0) {
		now = v->unix_s;
		p.rss = v->rss;
	}
	char row[512];
	snprintf(row, sizeof(row), "%.3f\t%.3f\t%lld\t%lld\t%lld\t%lld\t%lld\t%d\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n",
		 now - s->start, now, (long long)p.rss, (long long)p.code, (long long)p.files, (long long)p.stacks,
		 (long long)p.other, v->known, (long long)v->heap_used, (long long)v->heap_physical,
		 (long long)v->heap_total, (long long)v->external, (long long)v->array_buffers, (long long)v->code);
	append_line(s->o->dir, "timeline.tsv", row);
	s->last_sample = now;
	s->rss = p.rss;
	if (!s->rows++)
		s->rss_first = p.rss;
	if (v->known)
		s->heap_used = v->heap_used;
	if (s->rebase && v->known) {
		s->snap_rss = p.rss;
		s->snap_heap = v->heap_used;
		s->rebase = false;
	}
}

static bool parse_v8_line(const char *line, struct v8_numbers *v)
{
	static const char *const keys[] = { "heap_used", "heap_physical", "heap_total", "external", "array_buffers", "code" };
	int64_t *slots[] = { &v->heap_used, &v->heap_physical, &v->heap_total, &v->external, &v->array_buffers, &v->code };
	memset(v, 0, sizeof(*v));
	unsigned seen = 0;
	for (size_t k = 0; k < LH_ARRAY_LEN(keys); k++) {
		char key[40];
		snprintf(key, sizeof(key), " %s=", keys[k]);
		const char *at = strstr(line, key);
		if (!at)
			continue;
		*slots[k] = strtoll(at + strlen(key), NULL, 10);
		seen++;
	}
	v->known = seen == LH_ARRAY_LEN(keys);
	const char *at = strstr(line, " rss=");
	v->rss = at ? strtoll(at + 5, NULL, 10) : 0;
	at = strstr(line, " unix_ms=");
	v->unix_s = at ? strtod(at + 9, NULL) / 1000 : 0;
	return v->known;
}

/* MARK: - Snapshots */

struct tee {
	const char *fifo;
	char gz_path[4096];
	int out;                      /* the pipe the reader reads */
};

/* Copies the FIFO into the pipe and, gzip'd, into the kept file. */
static void *tee_main(void *arg)
{
	struct tee *t = arg;
	int in = open(t->fifo, O_RDONLY | O_CLOEXEC);
	gzFile gz = gzopen(t->gz_path, "wb1");
	char buf[1 << 16];
	ssize_t n;
	while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
		if (gz)
			gzwrite(gz, buf, (unsigned)n);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(t->out, buf + off, (size_t)(n - off));
			if (w <= 0)
				break;
			off += w;
		}
	}
	if (gz)
		gzclose(gz);
	if (in >= 0)
		close(in);
	close(t->out);
	return NULL;
}

static struct heap_snapshot *read_snapshot(struct session *s, char *kept, size_t kept_size, struct lh_error *err)
{
	struct heap_read_options opts = { 0 };
	kept[0] = 0;
	if (!s->o->keep_snapshots) {
		/* Opened here, waiting for V8 to open its end (the reader itself does not wait for a writer). */
		int fd = open(s->fifo, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			lh_error_at(err, LH_NO_OFFSET, "cannot open the FIFO: %s", strerror(errno));
			return NULL;
		}
		char path[64];
		snprintf(path, sizeof(path), "/dev/fd/%d", fd);
		struct heap_snapshot *snap = heap_snapshot_read(path, &opts, err);
		close(fd);
		return snap;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		lh_error_at(err, LH_NO_OFFSET, "cannot make a pipe: %s", strerror(errno));
		return NULL;
	}
	struct tee t = { .fifo = s->fifo, .out = p[1] };
	snprintf(kept, kept_size, "snapshot-%02zu.heapsnapshot.gz", s->taken + 1);
	snprintf(t.gz_path, sizeof(t.gz_path), "%s/%s", s->o->dir, kept);
	pthread_t th;
	if (pthread_create(&th, NULL, tee_main, &t)) {
		close(p[0]);
		close(p[1]);
		lh_error_at(err, LH_NO_OFFSET, "cannot start a thread");
		return NULL;
	}
	char path[64];
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	struct heap_snapshot *snap = heap_snapshot_read(path, &opts, err);
	close(p[0]); /* a reader that stopped early: the copier's write fails and it ends */
	pthread_join(th, NULL);
	return snap;
}

static void request_snapshot(struct session *s)
{
	char line[4200];
	snprintf(line, sizeof(line), "snapshot %s\n", s->fifo);
	if (write(s->sock, line, strlen(line)) == (ssize_t)strlen(line)) {
		s->requested = true;
		s->requested_at = now_unix();
	}
}

static void write_js_findings(struct session *s);

/* The agent has begun writing into the FIFO: read it into the series, and what check says of it into js.tsv. */
static void receive_snapshot(struct session *s)
{
	double t = since_start(s);
	struct lh_error err = { 0 };
	char kept[128];
	struct heap_snapshot *snap = read_snapshot(s, kept, sizeof(kept), &err);
	char label[64];
	snprintf(label, sizeof(label), "snapshot %zu (t=%.1fs)", s->taken + 1, t);
	bool ok = snap && trend_add(&s->trend, snap, label, &err);
	char row[600], field[400];
	if (ok) {
		s->trend.snaps[s->trend.count - 1].time = now_unix();
		heap_snapshot_free(s->last);
		s->last = snap;
		s->taken++;
		const struct snapshot_digest *d = &s->trend.snaps[s->trend.count - 1];
		snprintf(row, sizeof(row), "begin\t%.3f\t%llu\t%llu\t%s\n", t, (unsigned long long)d->nodes,
			 (unsigned long long)d->self_size, kept);
		write_js_findings(s);
	} else {
		heap_snapshot_free(snap);
		tsv_field(field, sizeof(field), err.message);
		snprintf(row, sizeof(row), "failed\t%.3f\t%s\n", t, field);
	}
	append_line(s->o->dir, "snapshots.tsv", row);
}

/* Whether the schedule calls for a snapshot now. */
static bool snapshot_due(const struct session *s, double t)
{
	const struct watch_options *o = s->o;
	if (s->requested || s->taken >= o->max_snapshots || !s->heap_used)
		return false;
	if (!s->taken)
		return t * 1000 >= (double)o->warmup_ms;
	if (s->taken + 1 >= o->max_snapshots && o->duration_ms)
		return false; /* the last one is the end's */
	/* Writing a snapshot costs the program its pause and RSS (V8's generator mallocs several times the
	 * heap, and glibc keeps much of it): measure growth from after it, and pause at most a third of the time. */
	if (s->rebase || t - s->snap_end < LH_MAX(3.0 * (double)o->interval_ms / 1000, 2 * s->snap_pause))
		return false;
	size_t half = LH_MAX(o->max_snapshots / 2, (size_t)1);
	double share = o->snapshot_growth * (double)(1ull << LH_MIN(s->taken > half ? s->taken - half : 0, (size_t)20));
	return (double)s->rss >= (double)s->snap_rss * (1 + share) ||
	       (double)s->heap_used >= (double)s->snap_heap * (1 + share);
}

/* MARK: - The loop */

static void handle_line(struct session *s, const char *line)
{
	struct v8_numbers v;
	if (!strncmp(line, "sample ", 7) || !strncmp(line, "exit ", 5)) {
		if (parse_v8_line(line, &v))
			take_sample(s, &v);
		if (snapshot_due(s, since_start(s)))
			request_snapshot(s);
	} else if (!strncmp(line, "error ", 6)) {
		snprintf(s->attach_error, sizeof(s->attach_error), "%s", line + 6);
	} else if (!strcmp(line, "snapshot-begin")) {
		receive_snapshot(s);
	} else if (!strncmp(line, "snapshot-end ", 13)) {
		const char *p = strstr(line, "pause_ms=");
		char row[100];
		snprintf(row, sizeof(row), "end\t%.3f\t%s\n", since_start(s), p ? p + 9 : "0");
		append_line(s->o->dir, "snapshots.tsv", row);
		s->requested = false;
		s->rebase = true;
		s->snap_end = since_start(s);
		s->snap_pause = p ? strtod(p + 9, NULL) / 1000 : 0;
	}
}

/* Reads what the agent sent; false at end of input. */
static bool read_agent(struct session *s)
{
	ssize_t n = read(s->sock, s->inbuf + s->inlen, sizeof(s->inbuf) - 1 - s->inlen);
	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	s->inlen += (size_t)n;
	s->inbuf[s->inlen] = 0;
	char *start = s->inbuf, *nl;
	while ((nl = strchr(start, '\n'))) {
		*nl = 0;
		handle_line(s, start);
		start = nl + 1;
	}
	s->inlen -= (size_t)(start - s->inbuf);
	memmove(s->inbuf, start, s->inlen);
	if (s->inlen == sizeof(s->inbuf) - 1)
		s->inlen = 0; /* a line longer than any the agent writes: drop it */
	return true;
}

static bool child_done(struct session *s, int flags)
{
	if (s->exited || s->child <= 0)
		return s->exited;
	int status;
	pid_t r = waitpid(s->child, &status, flags);
	if (r == s->child) {
		s->exited = true;
		s->status = status;
	}
	return s->exited;
}

static void show_status(const struct session *s, double t)
{
	char a[32], b[32];
	fprintf(stderr, "\rleakhound: watching pid %d: %.0fs, RSS %s (%+.1f MiB), JS heap %s, %zu snapshots ", s->pid, t,
		fmt_bytes(a, sizeof(a), (uint64_t)s->rss), (double)(s->rss - s->rss_first) / 1048576.0,
		fmt_bytes(b, sizeof(b), (uint64_t)s->heap_used), s->taken);
}

static void watch_loop(struct session *s)
{
	bool agent_open = true;
	double last_status = 0;
	while (!stop_signal) {
		double t = since_start(s);
		if (s->o->duration_ms && t * 1000 >= (double)s->o->duration_ms)
			break;
		struct pollfd pfd = { .fd = agent_open ? s->sock : -1, .events = POLLIN };
		int r = poll(&pfd, 1, 100);
		if (r > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			agent_open = read_agent(s);
		if (child_done(s, WNOHANG))
			break; /* the program ended (start mode), or the attach helper did */
		if (!s->o->command && kill(s->pid, 0) < 0 && errno == ESRCH) {
			s->target_gone = true;
			break;
		}
		double now = now_unix();
		/* No agent line for two intervals: /proc alone. */
		if ((now - s->last_sample) * 1000 >= 2.0 * (double)s->o->interval_ms && !s->requested) {
			struct v8_numbers none = { 0 };
			take_sample(s, &none);
			if (!s->rows)
				s->last_sample = now;
		}
		if (s->requested && now - s->requested_at > 60)
			s->requested = false; /* the agent never answered (a busy loop?): ask again later */
		if (s->o->progress && now - last_status >= 1) {
			show_status(s, t);
			last_status = now;
		}
	}
	if (s->o->progress)
		fputs("\r\033[K", stderr);
}

/* A --duration run ends with a snapshot and a sample while the program still runs, then stops it. */
static void finish_alive(struct session *s)
{
	if (s->exited && s->o->command)
		return;
	if (!s->exited && !s->target_gone && s->o->max_snapshots && s->taken < s->o->max_snapshots && !s->requested && s->heap_used) {
		request_snapshot(s);
		double deadline = now_unix() + 120;
		while (s->requested && now_unix() < deadline && !child_done(s, WNOHANG)) {
			struct pollfd pfd = { .fd = s->sock, .events = POLLIN };
			if (poll(&pfd, 1, 100) > 0 && !read_agent(s))
				break;
		}
	}
	if (s->child <= 0 || s->exited)
		return;
	if (!s->o->command) { /* the helper closes the target's inspector when its input ends */
		shutdown(s->sock, SHUT_WR);
		for (int i = 0; i < 50 && !child_done(s, WNOHANG); i++)
			poll(NULL, 0, 100);
	}
	kill(s->child, SIGTERM);
	for (int i = 0; i < 50 && !child_done(s, WNOHANG); i++) {
		struct pollfd pfd = { .fd = s->sock, .events = POLLIN };
		if (poll(&pfd, 1, 100) > 0)
			read_agent(s); /* the exit line */
	}
	if (!child_done(s, WNOHANG)) {
		kill(s->child, SIGKILL);
		child_done(s, 0);
	}
}

/* MARK: - js.tsv: what check says about the series */

/* check's findings (three snapshots or more), the classes that grew and the GC roots that moved. */
static void write_js_rows(struct session *s, const char *name)
{
	struct trend *t = &s->trend;
	trend_finish(t);
	char line[9000], a[300], b[500], c[1000], d[2000];
	if (t->count >= 3) {
		struct leak_findings f;
		leak_rules_apply(t, s->last, &leak_default_thresholds, &f);
		for (size_t i = 0; i < f.count; i++) {
			const struct leak_finding *x = &f.items[i];
			tsv_field(a, sizeof(a), x->title);
			tsv_field(b, sizeof(b), x->evidence);
			tsv_field(c, sizeof(c), x->explanation);
			tsv_field(d, sizeof(d), x->path ? x->path : "");
			char cls[200], holder[300];
			tsv_field(cls, sizeof(cls), x->acc ? x->acc->cls : "");
			tsv_field(holder, sizeof(holder), x->acc ? x->acc->holder : "");
			snprintf(line, sizeof(line), "finding\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\n", x->id, x->growth, a, b, c,
				 d, cls, holder);
			append_line(s->o->dir, name, line);
		}
		leak_findings_free(&f);
	}
	for (size_t i = 0; i < t->row_count; i++) {
		const struct trend_row *r = &t->rows[i];
		if (r->kind == TREND_CLASS_SIZE && r->growth.last > r->growth.first) {
			tsv_field(a, sizeof(a), r->name);
			const struct trend_row *count = r - 1;
			snprintf(line, sizeof(line), "class\t%s\t%.0f\t%.0f\t%.0f\t%.0f\n", a, count->growth.first,
				 count->growth.last, r->growth.first, r->growth.last);
			append_line(s->o->dir, name, line);
		} else if (r->kind == TREND_ROOT && r->growth.last != r->growth.first) {
			tsv_field(a, sizeof(a), r->name);
			snprintf(line, sizeof(line), "root\t%s\t%.0f\t%.0f\n", a, r->growth.first, r->growth.last);
			append_line(s->o->dir, name, line);
		}
	}
}


/*
 * Rewritten after each snapshot from the whole series so far (a few
 * milliseconds of digests, no snapshot re-read), into a temporary file
 * renamed over js.tsv: a SIGKILL of leakhound leaves the findings of the
 * snapshots taken before it, never a half-written file.
 */
static void write_js_findings(struct session *s)
{
	static const char tmp[] = ".js.tsv.new";
	struct trend *t = &s->trend;
	create_file(s->o->dir, tmp, NULL);
	if (t->count >= 2)
		write_js_rows(s, tmp);
	char from[4096], to[4096];
	snprintf(from, sizeof(from), "%s/%s", s->o->dir, tmp);
	snprintf(to, sizeof(to), "%s/js.tsv", s->o->dir);
	rename(from, to);
}

/* MARK: - Starting */

LH_NORETURN static void exec_program(const struct session *s, int child_sock, const char *trace)
{
	const struct watch_options *o = s->o;
	char num[32];
	int flags = fcntl(child_sock, F_GETFD);
	fcntl(child_sock, F_SETFD, flags & ~FD_CLOEXEC);
	snprintf(num, sizeof(num), "%d", child_sock);
	setenv("LEAKHOUND_WATCH_FD", num, 1);
	snprintf(num, sizeof(num), "%d", (int)getpid());
	setenv("LEAKHOUND_WATCH_PID", num, 1);
	setenv("LEAKHOUND_TRACE_PID", num, 1);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)o->interval_ms);
	setenv("LEAKHOUND_WATCH_INTERVAL_MS", num, 1);
	/* The trace is read at each sample's time, interpolated: four of its snapshots per sample keep that close. */
	snprintf(num, sizeof(num), "%llu", (unsigned long long)LH_MAX(o->interval_ms / 4, 50));
	setenv("LEAKHOUND_TRACE_INTERVAL_MS", num, 1);
	setenv("LEAKHOUND_TRACE_FILE", trace, 1);
	setenv("LEAKHOUND_TRACE_MALLINFO", "1", 1);
	unsetenv("LEAKHOUND_LEAK_CHECK"); /* exact tracking, of this process only, whatever the caller's environment */
	unsetenv("LEAKHOUND_SAMPLE_RATE");
	unsetenv("LEAKHOUND_TRACE_CHILDREN");
	if (o->js_frames)
		setenv("LEAKHOUND_JS_FRAMES", "1", 1); /* the trace says so: its reader then reads node's perf map */
	else
		unsetenv("LEAKHOUND_JS_FRAMES");
	const char *old = getenv("LD_PRELOAD");
	size_t n = strlen(o->preload) + (old ? strlen(old) : 0) + 2;
	char *joined = lh_malloc(n);
	snprintf(joined, n, "%s%s%s", o->preload, old && *old ? ":" : "", old && *old ? old : "");
	setenv("LD_PRELOAD", joined, 1);
	free(joined);
	/* The agent first, then the user's own options, then V8's perf map for JS frames. */
	const char *user = getenv("NODE_OPTIONS");
	n = strlen(o->agent) + (user ? strlen(user) : 0) + 128;
	char *node_options = lh_malloc(n);
	snprintf(node_options, n, "--require \"%s\"%s%s%s", o->agent, user && *user ? " " : "", user ? user : "",
		 o->js_frames ? " --perf-basic-prof-only-functions --interpreted-frames-native-stack" : "");
	setenv("NODE_OPTIONS", node_options, 1);
	free(node_options);
	signal(SIGPIPE, SIG_DFL);
	execvp(o->command[0], o->command);
	int e = errno;
	fprintf(stderr, "leakhound: cannot run '%s': %s\n", o->command[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* Attach mode: the helper speaks the agent's lines on its standard input and output, the socket. */
LH_NORETURN static void exec_attach_helper(const struct session *s, int child_sock)
{
	const struct watch_options *o = s->o;
	dup2(child_sock, STDIN_FILENO);
	dup2(child_sock, STDOUT_FILENO);
	char pid[32], interval[32];
	snprintf(pid, sizeof(pid), "%d", o->attach_pid);
	snprintf(interval, sizeof(interval), "%llu", (unsigned long long)o->interval_ms);
	signal(SIGPIPE, SIG_DFL);
	execlp(o->node, o->node, "--experimental-websocket", "--no-warnings", o->attach_helper, pid, interval, (char *)NULL);
	fprintf(stderr, "leakhound: cannot run '%s': %s\n", o->node, strerror(errno));
	_exit(127);
}

static bool write_info(const struct session *s)
{
	const struct watch_options *o = s->o;
	char cmd[2048] = "", field[1024];
	for (char **a = o->command; a && *a; a++)
		fmt_append(cmd, sizeof(cmd), "%s%s", a == o->command ? "" : " ", *a);
	if (!o->command) { /* the running program's command line, NULs between its words */
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/cmdline", o->attach_pid);
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(cmd, 1, sizeof(cmd) - 1, f) : 0;
		if (f)
			fclose(f);
		for (size_t i = 0; i + 1 < n; i++)
			cmd[i] = cmd[i] ? cmd[i] : ' ';
		cmd[n] = 0;
	}
	tsv_field(field, sizeof(field), cmd);
	char info[4096];
	snprintf(info, sizeof(info),
		 "mode=%s\npid=%d\ncommand=%s\nstart_unix=%.3f\ninterval_ms=%llu\nwarmup_ms=%llu\nduration_ms=%llu\n"
		 "min_growth=%llu\n"
		 "timeline=t_s unix_s rss code files stacks other v8 heap_used heap_physical heap_total external array_buffers js_code\n",
		 o->command ? "start" : "attach", s->pid, field, s->start, (unsigned long long)o->interval_ms,
		 (unsigned long long)o->warmup_ms, (unsigned long long)o->duration_ms, (unsigned long long)o->min_growth);
	return create_file(o->dir, "watch.info", info);
}

static bool prepare_dir(const struct watch_options *o, struct lh_error *err)
{
	if (mkdir(o->dir, 0755) < 0 && errno != EEXIST)
		return lh_error_at(err, LH_NO_OFFSET, "cannot create the directory: %s", strerror(errno));
	static const char *const old[] = { "timeline.tsv", "snapshots.tsv", "js.tsv", "end.info", "native.lhtrace",
					   "watch.info" };
	char path[4096];
	for (size_t i = 0; i < LH_ARRAY_LEN(old); i++) {
		snprintf(path, sizeof(path), "%s/%s", o->dir, old[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			return lh_error_at(err, LH_NO_OFFSET, "cannot replace %s: %s", old[i], strerror(errno));
	}
	return true;
}

static void write_end(const struct session *s)
{
	char why[400];
	if (!s->o->command && s->target_gone)
		snprintf(why, sizeof(why), "the program exited");
	else if (!s->o->command && s->attach_error[0])
		snprintf(why, sizeof(why), "could not attach: %s", s->attach_error);
	else if (!s->o->command && s->exited && !stop_signal && !(s->o->duration_ms && since_start(s) * 1000 >= (double)s->o->duration_ms))
		snprintf(why, sizeof(why), "the attach helper ended");
	else if (!s->o->command)
		snprintf(why, sizeof(why), stop_signal ? "leakhound was stopped (signal %d)" : "--duration ended", (int)stop_signal);
	else if (s->exited && WIFEXITED(s->status))
		snprintf(why, sizeof(why), "the program exited with status %d", WEXITSTATUS(s->status));
	else if (s->exited && WIFSIGNALED(s->status))
		snprintf(why, sizeof(why), "the program was killed by signal %d", WTERMSIG(s->status));
	else if (stop_signal)
		snprintf(why, sizeof(why), "leakhound was stopped (signal %d)", (int)stop_signal);
	else if (s->exited || (s->child <= 0 && kill(s->pid, 0) < 0))
		snprintf(why, sizeof(why), "the program exited");
	else
		snprintf(why, sizeof(why), "--duration ended");
	/* What watching cost leakhound itself (sampling, and reading the snapshots), for bench/watch.sh. */
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	char text[700];
	snprintf(text, sizeof(text), "ended=%s\nend_unix=%.3f\nsnapshots=%zu\nwatcher_cpu_s=%.3f\n", why, now_unix(), s->taken,
		 cpu);
	create_file(s->o->dir, "end.info", text);
}

bool watch_run(const struct watch_options *o, struct lh_error *err)
{
	if (!o->command && kill(o->attach_pid, 0) < 0)
		return lh_error_at(err, LH_NO_OFFSET, "cannot attach to pid %d: %s", o->attach_pid, strerror(errno));
	if (!prepare_dir(o, err))
		return false;
	struct session s = { .o = o, .sock = -1 };
	snprintf(s.fifo, sizeof(s.fifo), "%s/.snapshot.fifo", o->dir);
	unlink(s.fifo);
	if (o->max_snapshots && mkfifo(s.fifo, 0600) < 0)
		return lh_error_at(err, LH_NO_OFFSET, "cannot make a FIFO in the directory: %s", strerror(errno));
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return lh_error_at(err, LH_NO_OFFSET, "cannot make a socket pair: %s", strerror(errno));
	char trace[4096];
	snprintf(trace, sizeof(trace), "%s/native.lhtrace", o->dir);
	s.start = now_unix();
	fflush(NULL);
	struct sigaction ignore = { .sa_handler = SIG_IGN }, stop = { .sa_handler = on_stop_signal }, old_int, old_term,
			 old_pipe;
	sigaction(SIGPIPE, &ignore, &old_pipe);
	s.child = fork();
	if (s.child < 0) {
		close(sv[0]);
		close(sv[1]);
		return lh_error_at(err, LH_NO_OFFSET, "cannot fork: %s", strerror(errno));
	}
	if (s.child == 0) {
		close(sv[0]);
		if (o->command)
			exec_program(&s, sv[1], trace);
		exec_attach_helper(&s, sv[1]);
	}
	close(sv[1]);
	s.sock = sv[0];
	fcntl(s.sock, F_SETFL, fcntl(s.sock, F_GETFL) | O_NONBLOCK);
	s.pid = o->command ? (int)s.child : o->attach_pid;
	stop_signal = 0;
	sigaction(SIGINT, &stop, &old_int);
	sigaction(SIGTERM, &stop, &old_term);
	write_info(&s);
	create_file(o->dir, "timeline.tsv", NULL);
	s.last_sample = s.start;
	watch_loop(&s);
	finish_alive(&s);
	/* What the agent wrote before the end (its exit line): the peer is closed, or nothing is left. */
	struct pollfd pfd = { .fd = s.sock, .events = POLLIN };
	while (poll(&pfd, 1, 0) > 0 && read_agent(&s))
		;
	write_js_findings(&s);
	write_end(&s);
	bool ok = s.rows || !s.attach_error[0];
	if (!ok)
		lh_error_at(err, LH_NO_OFFSET, "%s", s.attach_error);
	heap_snapshot_free(s.last);
	trend_free(&s.trend);
	close(s.sock);
	unlink(s.fifo);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return ok;
}
