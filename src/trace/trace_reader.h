/*
 * trace_reader.h - loads a .lhtrace file (src/native/trace_format.h) into
 * memory: modules, stacks, snapshot totals and each stack's counters over
 * time, and the results of leak checks.
 *
 * A trace cut short (the program was killed, or exited with _exit) is not
 * an error: the reader keeps every complete batch, drops a partial last
 * one, and sets `complete` to false. Nor is a damaged batch (version 4:
 * its checksum does not match): the trace is read up to it and
 * `damaged_at` says where. Malformed content (bad magic, an unknown
 * version, a damaged header, a record that names an undefined stack, sizes
 * that do not add up) is an error with the byte offset of the bad record.
 */
#ifndef LH_TRACE_READER_H
#define LH_TRACE_READER_H

#include "../common/error.h"
#include "../native/trace_format.h"

/*
 * A module's lifetime is the module lists it was in (the writer writes the
 * whole list whenever it changed, and a batch at each dlclose). A module
 * unloaded and replaced by another at overlapping addresses is moved, with
 * the frames of the stacks captured while it was mapped, by `shift` (a
 * multiple of 2^48, above every user address), so that every address
 * names one module and each stack is symbolized against the modules mapped
 * when it was captured. trace_real_address() undoes the move for display.
 */
struct trace_module {
	char *path;
	uint64_t bias, lo, hi;        /* shifted */
	bool main;
	uint32_t first_list, last_list; /* the module lists it was in */
	uint64_t shift;
	bool file_known;              /* a MODULE_FILE record said what file was mapped: */
	uint64_t file_size, file_mtime_ns;
	uint32_t build_id_len;        /* 0: it had no GNU build-id */
	unsigned char build_id[64];
};

/* A stack's cumulative counters as of one snapshot. */
struct trace_sample {
	uint32_t snapshot;
	int64_t live_bytes, live_blocks;
	uint64_t allocs, frees, temporaries;
	uint64_t alloc_bytes;         /* bytes ever allocated */
};

struct trace_stack {
	bool defined;
	uint32_t module_list;         /* the module list current when it was written */
	uint32_t frame_count;
	uint64_t *frames;             /* return addresses, innermost first */
	struct trace_sample *samples; /* in snapshot order, only where it changed */
	size_t sample_count, sample_cap;
};

struct trace_snapshot {
	uint64_t time_ns;
	uint64_t live_bytes, live_blocks, peak_bytes, allocs, frees;
	bool has_allocator;           /* an ALLOCATOR record followed it (`watch` traces) */
	struct lh_rec_allocator allocator;
};

/*
 * A leak check (`run --leak-check`): the summary as written, and its loss
 * records in the order written (leak_report sorts them as Memcheck does).
 * Every record's stack is 0 or defined.
 */
struct trace_leak_check {
	struct lh_rec_leak_check summary;
	struct lh_rec_loss *records;
	size_t record_count;
};

struct trace {
	uint64_t pid, start_unix_ns, interval_ns;
	uint64_t sample_rate;         /* 0: exact counts; R: `run --sample-rate R`, every count an estimate */
	struct trace_module *modules;
	size_t module_count;
	struct trace_stack *stacks;   /* by id */
	size_t stack_count;
	struct trace_snapshot *snapshots;
	size_t snapshot_count;
	struct trace_leak_check *leak_checks; /* in time order */
	size_t leak_check_count;
	bool complete;                /* the final snapshot (normal exit) is there */
	uint64_t file_size, bytes_dropped; /* a partial batch (or record) at the end */
	uint32_t version, uid;        /* uid of the tracked process, UINT32_MAX if unknown (version 3) */
	bool js_frames;               /* run --js-frames: node wrote /tmp/perf-PID.map */
	uint64_t forks_untracked;     /* children forked and not tracked (struct lh_rec_process) */
	uint64_t batches_lost;        /* batches the tracker could not write */
	uint64_t damaged_at;          /* 0, or the offset of the first damaged batch: the trace ends before it */
	const char *damage;           /* what is wrong there (a static string) */
	char *exec_path;              /* the program this one exec'd (the trace ends there), or NULL */
	uint32_t module_lists;        /* module lists read so far (while reading: the current one) */
	bool in_module_list;          /* while reading: the last record was a module */
	size_t last_module;           /* while reading: the module of the last MODULE record */
};

/* Reads path. Returns NULL with err set when the file is unreadable or malformed. */
struct trace *trace_read(const char *path, struct lh_error *err);
void trace_free(struct trace *t);

/*
 * The counters of stack id as of snapshot `snap` (the last sample at or
 * before it); zeros before its first sample. `cursor` speeds up calls with
 * rising snap: start it at 0.
 */
struct trace_sample trace_stack_at(const struct trace *t, uint32_t id, uint32_t snap, size_t *cursor);

/* The module holding addr, or NULL. */
const struct trace_module *trace_module_of(const struct trace *t, uint64_t addr);

/* The address the process saw for a frame (a moved module's shift undone). */
uint64_t trace_real_address(const struct trace *t, uint64_t addr);

#endif
