/*
 * trend_report.h - `diff`, `trend` and `check` as text and JSON; trend and
 * check also as an HTML page.
 */
#ifndef LH_REPORT_TREND_REPORT_H
#define LH_REPORT_TREND_REPORT_H

#include "../analysis/compare.h"
#include "../analysis/leak_rules.h"
#include "../analysis/trend.h"

struct diff_report {
	const struct snapshot_digest *before, *after_digest;
	const struct strmap *classes;        /* class names of both digests */
	const struct compare *compare;
	const struct heap_snapshot *after;
	const struct retention *retention;   /* of `after` */
	const uint32_t *largest_new;         /* ordinals in `after` */
	size_t largest_new_count;
	size_t top;
};

void diff_print_text(FILE *out, const struct diff_report *r);
void diff_print_json(FILE *out, const struct diff_report *r);

void trend_print_text(FILE *out, const struct trend *t, const struct heap_snapshot *last, size_t top);
void trend_print_json(FILE *out, const struct trend *t, size_t top);

void check_print_text(FILE *out, const struct trend *t, const struct leak_findings *f);
void check_print_json(FILE *out, const struct trend *t, const struct leak_findings *f);

/* One self-contained page each (series_html.c): trend --json's document, and check's also check --json's. */
void trend_print_html(FILE *out, const struct trend *t, size_t top);
void check_print_html(FILE *out, const struct trend *t, const struct leak_findings *f, size_t top);

#endif
