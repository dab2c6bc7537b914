/*
 * source.h - the bytes of a snapshot file, decompressed if need be.
 *
 * A source is a file path or "-" for standard input. gzip is recognised by
 * its magic bytes (1f 8b), not by the file name, so a renamed or piped .gz
 * still reads. Concatenated gzip members are read as one stream, as gzip(1)
 * does. Reads are sequential and never hold more than one input buffer, so
 * a multi-GB file costs no memory beyond what the caller keeps.
 */
#ifndef LH_HEAP_SOURCE_H
#define LH_HEAP_SOURCE_H

#include "../common/error.h"

struct heap_source;

/* Opens path ("-" = stdin). On failure returns NULL and fills err. */
struct heap_source *heap_source_open(const char *path, struct lh_error *err);
void heap_source_close(struct heap_source *src);

/*
 * Reads up to cap decompressed bytes into buf. Returns the count, 0 at the
 * end of input, or -1 with err filled (I/O error, corrupt or truncated gzip).
 */
long heap_source_read(struct heap_source *src, void *buf, size_t cap, struct lh_error *err);

bool heap_source_is_gzip(const struct heap_source *src);
/* Size of the file on disk, or 0 when unknown (a pipe). */
uint64_t heap_source_file_size(const struct heap_source *src);
/* Bytes of the file consumed so far (compressed bytes for gzip). */
uint64_t heap_source_file_offset(const struct heap_source *src);

#endif
