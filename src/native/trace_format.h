/*
 * trace_format.h - the on-disk contract of a .lhtrace file, shared by the
 * preload library (writer) and src/trace/ (reader). docs/trace-format.md
 * describes it for people; this header is the authority.
 *
 * Layout: one struct lh_trace_header, then batches until end of file. A
 * batch is a BATCH record (its length and the CRC-32 of what follows it)
 * and then that many bytes of records. A record is a struct
 * lh_record_header (type, payload size) followed by its payload, padded to
 * a multiple of 8 bytes. All integers are little-endian (the host order on
 * x86-64 and aarch64). Batches are only ever appended, one interval at a
 * time with write(2), so a file cut short (the program was SIGKILLed) is
 * valid up to its last complete batch, and a damaged byte is found by the
 * checksum of its batch: the trace is good up to that batch.
 *
 * Readers skip record types they do not know, so new types can be added
 * without a version bump; changing an existing layout bumps
 * LH_TRACE_VERSION.
 */
#ifndef LH_NATIVE_TRACE_FORMAT_H
#define LH_NATIVE_TRACE_FORMAT_H

#include <stdint.h>

#define LH_TRACE_MAGIC "LHTRACE\0"
#define LH_TRACE_VERSION 4
#define LH_TRACE_VERSION_OLDEST 3 /* version 3: records without batches, no header checksum */
#define LH_TRACE_MAX_FRAMES 32

struct lh_trace_header {
	char magic[8];           /* LH_TRACE_MAGIC */
	uint32_t version;        /* LH_TRACE_VERSION */
	uint32_t header_size;    /* sizeof(struct lh_trace_header); records start here */
	uint64_t pid;            /* of the tracked process */
	uint64_t start_unix_ns;  /* wall-clock time tracking started */
	uint64_t interval_ns;    /* time between snapshots */
	uint32_t max_frames;     /* frames kept per stack (innermost first) */
	uint32_t flags;          /* LH_TRACE_JS_FRAMES */
	uint64_t sample_rate;    /* 0: every allocation counted; R: sampled, one per R bytes on average (counts are estimates) */
	uint32_t uid;            /* real user id of the tracked process (version 4) */
	uint32_t header_crc;     /* CRC-32 of these 64 bytes with this field 0 (version 4) */
};
/* `run --js-frames`: node writes /tmp/perf-PID.map, which report may then read. */
#define LH_TRACE_JS_FRAMES 1u

struct lh_record_header {
	uint32_t type;           /* enum lh_record_type */
	uint32_t size;           /* payload bytes after this header, a multiple of 8 */
};

enum lh_record_type {
	LH_REC_MODULE = 1,       /* a loaded ELF object: struct lh_rec_module + path */
	LH_REC_STACK = 2,        /* a call stack: struct lh_rec_stack + frames */
	LH_REC_SNAPSHOT = 3,     /* live totals: struct lh_rec_snapshot + entries */
	LH_REC_LEAK_CHECK = 4,   /* a leak check's result: struct lh_rec_leak_check + loss records */
	LH_REC_PROCESS = 5,      /* what the tracker could not record: struct lh_rec_process */
	LH_REC_BATCH = 6,        /* the start of a batch: struct lh_rec_batch (version 4) */
	LH_REC_EXEC = 7,         /* the process exec'd another program: struct lh_rec_exec + path */
	LH_REC_MODULE_FILE = 8,  /* the file of the module before it: struct lh_rec_module_file + build-id */
	LH_REC_ALLOCATOR = 9,    /* glibc's own totals: struct lh_rec_allocator */
};

/*
 * Right after a MODULE record: what identifies the file that was mapped,
 * so a reader can tell when the file at that path is no longer it (a
 * rebuilt or upgraded binary gives wrong lines). build_id is the GNU
 * build-id note as mapped in the process (0 bytes if it has none); size
 * and mtime are the file's at the time the module list was written (0 if
 * it could not be stat'ed).
 */
struct lh_rec_module_file {
	uint64_t size;
	uint64_t mtime_ns;
	uint32_t build_id_len;   /* bytes of build-id that follow */
	uint32_t reserved;
};

/*
 * The last record of an image's trace when the process exec'd: written by
 * the new image's library, which then moves this trace to PATH.exec-N (N
 * from 1, the first image) and starts its own at PATH. The path is the new
 * program's (/proc/self/exe), path_len bytes with no NUL.
 */
struct lh_rec_exec {
	uint64_t unix_ns;        /* wall clock when the new image started */
	uint32_t path_len;
	uint32_t reserved;
};

/*
 * The start of a batch (version 4): `bytes` of records follow, whose
 * CRC-32 (zlib's crc32) is `crc`. A batch whose checksum does not match is
 * damage: readers keep the batches before it and stop there.
 */
struct lh_rec_batch {
	uint64_t bytes;
	uint32_t crc;
	uint32_t reserved;
};

/*
 * Facts about the tracked process that limit what the trace shows, as
 * counted so far (cumulative); written in a batch whenever one changed.
 * forks: children it forked that were not tracked (no `run --children`,
 * or in leak-check mode). batches_lost: batches that could not be written
 * (disk full, the file gone, no descriptor left); the counters of a lost
 * batch reach the trace with a later one, but its snapshot is missing.
 */
struct lh_rec_process {
	uint64_t forks;
	uint64_t batches_lost;
};

/*
 * An ELF object mapped into the process. bias is what was added to its
 * p_vaddr values (0 for a non-PIE executable); [lo, hi) covers its PT_LOAD
 * segments in the process. Written at start and again whenever the loader's
 * object count changes (dlopen), so the same object may appear more than
 * once: readers keep one per (path, bias).
 */
struct lh_rec_module {
	uint64_t bias, lo, hi;
	uint32_t flags;          /* LH_MODULE_MAIN for the executable */
	uint32_t path_len;       /* bytes of path that follow, no NUL */
};
#define LH_MODULE_MAIN 1u

/*
 * A distinct call stack, written once, before any snapshot that names it.
 * Frames are return addresses, innermost (the allocator's caller) first,
 * with the preload library's own frames already removed: symbolize
 * frame - 1 to land inside the calling instruction. Id 0 is reserved for
 * "stack table full" and has no frames.
 */
struct lh_rec_stack {
	uint32_t id;
	uint32_t frame_count;    /* <= max_frames; uint64_t frames follow */
};

/*
 * Live memory at one moment. The totals are exact; peak_bytes is the
 * process-wide high-water mark of live bytes since tracking started
 * (live_blocks, allocs and frees are the sums over the entries). The
 * entries give the cumulative counters of every stack that allocated or
 * freed since the previous snapshot; stacks not listed kept their values.
 */
struct lh_rec_snapshot {
	uint64_t time_ns;        /* since tracking started (monotonic clock) */
	uint64_t live_bytes, live_blocks;
	uint64_t peak_bytes;
	uint64_t allocs, frees;  /* calls since start */
	uint32_t flags;          /* LH_SNAPSHOT_FINAL: written at normal exit */
	uint32_t entry_count;    /* struct lh_rec_stack_entry follow */
};
#define LH_SNAPSHOT_FINAL 1u

/*
 * glibc's view of its heap (mallinfo2, all arenas) when the snapshot before
 * it was taken, in the same batch; written only when LEAKHOUND_TRACE_MALLINFO
 * is set (`leakhound watch`), since mallinfo2 walks every free list under
 * the arenas' locks. system - in_use is what the allocator holds from the
 * OS but is free (fragmentation); in_use includes chunk overhead and the
 * tracker's 16-byte headers, so in_use - live_bytes is the cost per block.
 */
struct lh_rec_allocator {
	uint64_t system;         /* arena + hblkhd: bytes taken from the OS (sbrk, arenas, mmap'd chunks) */
	uint64_t in_use;         /* uordblks + hblkhd */
	uint64_t free;           /* fordblks: free chunks, top included */
	uint64_t mmapped;        /* hblkhd: chunks served by mmap */
};

struct lh_rec_stack_entry {
	uint32_t stack;
	uint32_t reserved;
	int64_t live_bytes;      /* live blocks are allocs - frees */
	uint64_t allocs, frees;  /* blocks allocated by / freed from this stack */
	uint64_t temporaries;    /* frees that were temporary allocations (tracker.h), since version 2 */
	uint64_t alloc_bytes;    /* bytes ever allocated by this stack (pprof's alloc_space), since version 3 */
};

/*
 * A Memcheck-style leak check (`run --leak-check`): written at normal exit
 * (flag LH_LEAK_CHECK_FINAL) and on each SIGUSR2, in the same batch as a
 * snapshot, after the stacks it names. Kinds are numbered as Memcheck's
 * Reachedness (Unreached, IndirectLeak, Possible, Reachable), which is also
 * its loss-record sort order. bytes/blocks of the summary and of a record
 * count each block once, in its own kind; indirect_bytes (definite records
 * only) is what the record's blocks hold indirectly, as Memcheck's
 * "(d direct, i indirect)".
 */
enum lh_leak_kind {
	LH_LEAK_DEFINITE = 0,
	LH_LEAK_INDIRECT = 1,
	LH_LEAK_POSSIBLE = 2,
	LH_LEAK_REACHABLE = 3,
	LH_LEAK_KINDS = 4,
};

/* Memcheck's four heuristics, the order of heuristic_bytes/blocks. */
enum lh_leak_heuristic {
	LH_HEUR_STDSTRING = 0,
	LH_HEUR_LENGTH64 = 1,
	LH_HEUR_NEWARRAY = 2,
	LH_HEUR_MULTIPLE_INHERITANCE = 3,
	LH_HEUR_COUNT = 4,
};

struct lh_rec_leak_check {
	uint64_t time_ns;        /* since tracking started, when the scan began */
	uint64_t scan_ns;        /* how long the threads were stopped (wall clock) */
	uint64_t scan_cpu_ns;    /* CPU time the checking thread spent meanwhile */
	uint64_t bytes[LH_LEAK_KINDS], blocks[LH_LEAK_KINDS];
	uint64_t heuristic_bytes[LH_HEUR_COUNT], heuristic_blocks[LH_HEUR_COUNT]; /* of still reachable */
	uint64_t root_bytes;     /* bytes of roots scanned (mappings, stacks, registers) */
	uint32_t threads;        /* other threads found */
	uint32_t threads_not_stopped; /* of them, ones that did not answer the stop signal */
	uint32_t flags;          /* LH_LEAK_CHECK_FINAL, LH_LEAK_CHECK_HEAP_CORRUPT */
	uint32_t record_count;   /* struct lh_rec_loss follow */
};
#define LH_LEAK_CHECK_FINAL 1u        /* at normal exit, after the freeres calls */
#define LH_LEAK_CHECK_HEAP_CORRUPT 2u /* a block header was overwritten: blocks after it were not seen */

/* One loss record: the blocks of one kind allocated from one stack. */
struct lh_rec_loss {
	uint32_t stack;          /* defined by a STACK record before this one (0: table full) */
	uint32_t kind;           /* enum lh_leak_kind */
	uint64_t bytes, blocks;
	uint64_t indirect_bytes; /* definite records: bytes only reachable through these blocks */
};

#endif
