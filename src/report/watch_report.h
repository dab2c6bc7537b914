/*
 * watch_report.h - `leakhound watch` and `leakhound report DIR`: the
 * verdict of a watch as text (findings, attribution table, native sites,
 * JS classes, snapshot pauses) or as the --json object of the README.
 */
#ifndef LH_REPORT_WATCH_REPORT_H
#define LH_REPORT_WATCH_REPORT_H

#include "../watch/watch.h"

void watch_print_text(FILE *out, const struct watch_verdict *v);
void watch_print_json(FILE *out, const struct watch_verdict *v);

#endif
