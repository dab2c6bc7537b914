/*
 * snapshot_writer.h - a heap snapshot model written back as V8's
 * .heapsnapshot JSON, with its strings replaced (leakhound redact).
 *
 * What the model holds is written: the node fields it reads (type, name,
 * id, self_size, edge_count, and trace_node_id and detachedness when the
 * file had them), every edge, the type lists in the file's own order (so
 * type indices are unchanged), snapshot.root_index when it is not 0, and
 * the string table. Sections leakhound does not read (locations,
 * allocation traces, samples) are written empty: they hold no sizes or
 * edges, and their script positions could identify the source.
 */
#ifndef LH_REPORT_SNAPSHOT_WRITER_H
#define LH_REPORT_SNAPSHOT_WRITER_H

#include "../heap/snapshot.h"

/*
 * Writes s with string i replaced by strings[i] (lengths[i] bytes). Returns
 * false when the output could not be written (errno set).
 */
bool snapshot_write(FILE *out, const struct heap_snapshot *s, char *const *strings, const size_t *lengths);

#endif
