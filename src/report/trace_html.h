/*
 * trace_html.h - `report --html`: a native allocation trace as one
 * self-contained HTML page (no network: styles, data and script inline).
 *
 * The page holds report --json's document unchanged (so its numbers are
 * --json's), plus what a picture needs: live bytes at every snapshot, the
 * shown sites' live bytes at every snapshot, and every stack still
 * holding memory at the end (and every one that grew over the run) with
 * its frames. A small script draws memory over time, the growth lines of
 * the top sites, icicle graphs of live memory and of growth by stack, and
 * tables that sort on a click.
 */
#ifndef LH_REPORT_TRACE_HTML_H
#define LH_REPORT_TRACE_HTML_H

#include "trace_report.h"

/* Stacks drawn in the icicle graph, largest first; the rest are one "(other stacks)" box. */
#define TRACE_HTML_MAX_STACKS 5000

void trace_print_html(FILE *out, const struct trace_report *r);

#endif
