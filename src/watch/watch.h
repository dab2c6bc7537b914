/*
 * watch.h - `leakhound watch`: where a Node process's memory goes, JS heap
 * and native, on one timeline, with a verdict.
 *
 * A watch is a directory that holds everything (so `leakhound report DIR`
 * gives the verdict again, and a SIGKILL of either side leaves it readable):
 *   watch.info     what was watched (key=value lines), written at start
 *   timeline.tsv   one row per sample, appended with one write(2) each
 *   native.lhtrace the preload library's trace (start mode), with glibc's
 *                  totals after each snapshot (LH_REC_ALLOCATOR)
 *   snapshots.tsv  one row per heap snapshot: when, its pause, its totals
 *   js.tsv         check's findings and the growing classes over the
 *                  snapshot series, written when the watch ends
 *   end.info       how the watch ended (absent: leakhound itself was killed)
 *
 * session.c runs the watch: it starts the program under the preload library
 * with leakhound's agent (agent.js, loaded with NODE_OPTIONS=--require) or
 * attaches to a running node, samples /proc/PID/smaps whenever the agent
 * sends V8's numbers (one line per interval over an inherited socket: no
 * network port), and asks the agent for heap snapshots, which V8 writes
 * into a FIFO that the snapshot reader consumes as it is written; only the
 * digests (trend.h) are kept. verdict.c reads a watch directory back,
 * joins the timeline with the native trace (interpolated to each sample's
 * time), splits RSS growth into disjoint parts and says in plain words what
 * grew and why. The printing is src/report/watch_report.c.
 */
#ifndef LH_WATCH_H
#define LH_WATCH_H

#include "../common/error.h"
#include "../common/lh.h"

/* MARK: - Running a watch */

struct watch_options {
	const char *dir;              /* created if missing */
	char **command;               /* start mode: argv, NULL-terminated */
	int attach_pid;               /* attach mode (command NULL) */
	uint64_t interval_ms;         /* sampling interval */
	uint64_t warmup_ms;           /* attribution starts after it */
	uint64_t duration_ms;         /* 0: until the program exits or Ctrl-C */
	size_t max_snapshots;         /* heap snapshots in the series (0: none) */
	double snapshot_growth;       /* share of RSS or heap growth that calls for the next snapshot */
	bool keep_snapshots;          /* also keep each snapshot, gzip'd, in dir */
	bool js_frames;               /* node's perf map, for JS frames in native stacks */
	const char *preload;          /* the preload library (start mode) */
	const char *agent;            /* leakhound-agent.js */
	const char *node;             /* attach mode: the node that runs the helper */
	const char *attach_helper;    /* attach mode: leakhound-attach.js */
	bool progress;                /* a status line on stderr */
	uint64_t min_growth;          /* kept in watch.info, so that `report DIR` judges alike */
};

/*
 * Runs the watch until the program exits, duration_ms passes, or SIGINT/
 * SIGTERM arrive. Returns false with err set when it cannot start (the
 * directory, the program, the process to attach to); the program's own
 * failures are part of the watch (end.info).
 */
bool watch_run(const struct watch_options *o, struct lh_error *err);

/* MARK: - The verdict from a watch directory */

enum watch_part {
	PART_JS_HEAP,           /* V8 used */
	PART_JS_HEAP_FREE,      /* V8 committed (resident) but unused */
	PART_ARRAY_BUFFERS,     /* ArrayBuffer/Buffer backing stores, external strings */
	PART_NATIVE_MALLOC,     /* live malloc'd bytes (with their chunk overhead) not counted above */
	PART_ALLOCATOR,         /* free memory glibc keeps */
	PART_CODE,              /* resident executable file mappings */
	PART_STACKS,            /* thread stacks */
	PART_FILES,             /* other file mappings */
	PART_OTHER,             /* shared memory, vdso and other special mappings */
	PART_COUNT,
};

extern const char *const watch_part_names[PART_COUNT];

/* One row of the timeline, joined with the native trace. -1: not known. */
struct watch_sample {
	double t_s;                   /* since the watch started */
	double unix_s;
	int64_t rss;
	int64_t part[PART_COUNT];
	bool has_v8, has_native;
	int64_t native_live;          /* requested bytes live (the trace) */
};

struct watch_snapshot {
	double t_s, pause_ms;
	char file[256];               /* kept file, or "" */
	uint64_t nodes, self_size;
	bool ok;
};

struct watch_attribution {
	enum watch_part part;
	int64_t start, end, growth;   /* bytes; growth = end - start */
	double per_hour;
	int64_t floor_growth;         /* growth of its lowest values (first vs last third): GC-proof */
	bool known;
};

struct watch_site {
	char site[320];               /* "function (file:line)" */
	char function[200], file[200];
	unsigned line;
	char native_caller[320];      /* first frame outside the site's module and the runtime, or "" */
	char js_caller[320];          /* first JavaScript frame, or "" */
	int64_t start_bytes, end_bytes, growth_bytes;
	double slope, late_slope;     /* bytes per second over the whole trace and its last third (growth.h) */
	int trend;                    /* enum growth_trend (trace/growth.h, whose struct growth trend.h's clashes with) */
};

struct watch_js_class {
	char name[200];
	double count_first, count_last, size_first, size_last;
	char path[2048];              /* a retainer path of a sample, or "" */
};

struct watch_finding {
	char id[40];
	char title[300];
	char explanation[1600];
	enum watch_part part;         /* PART_COUNT: none */
};

struct watch_thresholds {
	uint64_t min_growth;          /* bytes a part's floor must grow to count (0: the watch's own, else
				       * 4 MiB or 5% of the start's RSS less allocator-retained) */
};

struct watch_verdict {
	/* watch.info and end.info */
	char command[1024];
	char mode[16];                /* "start" or "attach" */
	long long pid;
	double interval_s, warmup_s;
	double start_unix;            /* when the watch began (t_s = 0) */
	double trace_interval_s;      /* between the native trace's snapshots */
	uint64_t min_growth;          /* the watch's --min-growth (0: default) */
	bool complete;                /* leakhound saw the end (end.info) */
	char ended[200];              /* how: "exited with status 0", "killed by signal 9", "duration ended" ... */
	bool native;                  /* a native trace was read */
	bool native_allocator;        /* ... with glibc's totals */
	double duration_s;
	/* the attribution window */
	size_t from, to;              /* sample indices */
	int64_t rss_start, rss_end, unexplained;
	struct watch_attribution parts[PART_COUNT];
	struct watch_sample *samples;
	size_t sample_count;
	struct watch_snapshot *snapshots;
	size_t snapshot_count;
	struct watch_site *sites;
	size_t site_count;
	struct watch_js_class *classes;
	size_t class_count;
	struct watch_finding *findings;
	size_t finding_count;
	bool leak_suspected;
};

/* Reads dir and computes the verdict. NULL with err set when dir is not a readable watch. */
struct watch_verdict *watch_verdict_load(const char *dir, const struct watch_thresholds *th, struct lh_error *err);
void watch_verdict_free(struct watch_verdict *v);

#endif
