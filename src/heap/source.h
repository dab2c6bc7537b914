/*
 * source.h - the bytes of a snapshot file, decompressed if need be.
 *
 * A source is a file path or "-" for standard input. gzip is recognised by
 * its magic bytes (1f 8b), not by the file name, so a renamed or piped .gz
 * still reads. Concatenated gzip members are read as one stream, as gzip(1)
 * does. Reads are sequential, and a bounded ring of blocks (filled by a
 * thread of the source's own) is all the input held in memory, so a
 * multi-GB file costs no memory beyond what the caller keeps.
 */
#ifndef LH_HEAP_SOURCE_H
#define LH_HEAP_SOURCE_H

#include "../common/error.h"

struct heap_source;

/* Opens path ("-" = stdin). On failure returns NULL and fills err. */
struct heap_source *heap_source_open(const char *path, struct lh_error *err);
/*
 * Opens a plain regular file to read from byte offset on (another part of
 * the same snapshot, read on another thread). No gzip, no pipes.
 */
struct heap_source *heap_source_open_at(const char *path, uint64_t offset, struct lh_error *err);
void heap_source_close(struct heap_source *src);

/* Writable bytes before each block heap_source_next() hands out (and one after it). */
#define HEAP_SOURCE_HEADROOM 64

/*
 * Hands out the next block of decompressed bytes in *data, valid until the
 * next call, with HEAP_SOURCE_HEADROOM writable bytes before it and one
 * after it. Returns its length, 0 at the end of input, or -1 with err
 * filled (I/O error, corrupt or truncated gzip).
 */
long heap_source_next(struct heap_source *src, char **data, struct lh_error *err);

bool heap_source_is_gzip(const struct heap_source *src);
/* Size of the file on disk, or 0 when unknown (a pipe). */
uint64_t heap_source_file_size(const struct heap_source *src);
/* Bytes of the file consumed so far (compressed bytes for gzip). */
uint64_t heap_source_file_offset(const struct heap_source *src);

#endif
