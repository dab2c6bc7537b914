/*
 * trace_report.h - `leakhound report` as text and JSON: the totals of a
 * native allocation trace, then the allocation sites ranked by growth,
 * each with its call stacks; then the trace's leak checks (leak_report.h).
 */
#ifndef LH_REPORT_TRACE_REPORT_H
#define LH_REPORT_TRACE_REPORT_H

#include "../trace/growth.h"

struct trace_report {
	const char *path;
	const struct trace *trace;
	const struct growth *growth;
	struct symbolizer *sym;
	size_t top;             /* sites shown */
	size_t stacks_per_site; /* stacks shown under each site */
	int64_t min_growth;     /* sites whose live bytes grew less over the run are left out */
	unsigned leak_kinds;    /* loss records shown of the last leak check (leak_report.h) */
};

/* The sites shown: ranked, at most r->top, none below --min-growth. The caller frees the array. */
const struct growth_site **trace_shown_sites(const struct trace_report *r, size_t *count);
void trace_print_text(FILE *out, const struct trace_report *r);
void trace_print_json(FILE *out, const struct trace_report *r);

#endif
