/*
 * summary_report.h - `leakhound summary` as text for people and as JSON.
 *
 * Both writers print the same facts in the same order: findings first
 * (what a newcomer must see), then totals and format, node types, classes,
 * GC roots and fan-out. The JSON keys are a stable interface documented in
 * the README; sizes and counts are plain integers.
 */
#ifndef LH_REPORT_SUMMARY_REPORT_H
#define LH_REPORT_SUMMARY_REPORT_H

#include "../analysis/findings.h"
#include "../analysis/summary.h"

struct summary_report {
	const char *path;                   /* as the user gave it */
	const struct heap_snapshot *snapshot;
	const struct heap_summary *summary;
	const struct findings *findings;
	size_t top;                         /* GC sub-roots shown in text, most edges first (JSON: all) */
};

void summary_print_text(FILE *out, const struct summary_report *r);
void summary_print_json(FILE *out, const struct summary_report *r);

/* "'(Handle scope)' (synthetic) @21", the way every report names a node. */
void report_node_label(const struct heap_snapshot *s, uint32_t n, char *buf, size_t size);
/* An edge's name as a person reads it: ".foo", "[17]", "map" (internal), ... */
void report_edge_label(const struct heap_snapshot *s, uint32_t e, char *buf, size_t size);

#endif
