/*
 * profile_export.h - a native allocation trace in the formats profilers
 * read: pprof's profile.proto (go tool pprof, speedscope, Grafana
 * Pyroscope, Parca) and Brendan Gregg's folded stacks (flamegraph.pl,
 * speedscope, inferno).
 *
 * Both describe the trace's last snapshot: per call stack, the bytes and
 * blocks still live (pprof's inuse_space, inuse_objects) and everything it
 * allocated over the run (alloc_space, alloc_objects). A trace cut short
 * is exported up to its last snapshot, as report shows it.
 */
#ifndef LH_REPORT_PROFILE_EXPORT_H
#define LH_REPORT_PROFILE_EXPORT_H

#include "../trace/symbolize.h"

/* pprof's sample types, in the order a profile lists them (Go's heap profile order). */
enum profile_value {
	PROFILE_ALLOC_OBJECTS,
	PROFILE_ALLOC_SPACE,
	PROFILE_INUSE_OBJECTS,
	PROFILE_INUSE_SPACE,
	PROFILE_VALUE_COUNT,
};

/* The names, as pprof's -sample_index takes them: "alloc_objects alloc_space inuse_objects inuse_space". */
extern const char profile_value_names[];
/* The value named by name (one of profile_value_names); false if none is. */
bool profile_value_parse(const char *name, enum profile_value *out);
/* A stack's value as of its last sample. */
int64_t profile_sample_value(const struct trace_sample *s, enum profile_value v);

/*
 * Writes the trace as a gzip'd profile.proto, with shown (the sample type
 * pprof shows first) as its default. Returns false (errno set) when the
 * output could not be written.
 */
bool profile_write_pprof(FILE *out, const struct trace *t, struct symbolizer *sym, enum profile_value shown);
/* A frame as the flame graphs name it: its function, or module+offset. */
void profile_frame_name(char *buf, size_t size, const struct sym_frame *f);
/* Writes one line per distinct named stack, "outer;...;inner VALUE", with VALUE > 0, sorted. */
void profile_write_folded(FILE *out, const struct trace *t, struct symbolizer *sym, enum profile_value v);

#endif
