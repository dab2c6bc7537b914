/*
 * leak_report.h - the leak checks of a trace (`run --leak-check`) as a
 * Memcheck user reads them: loss records ("N bytes in M blocks are
 * definitely lost in loss record i of n" and the allocation stack), then
 * LEAK SUMMARY; and as JSON ("leak_checks").
 *
 * Records are sorted as Memcheck's print_results sorts them: by direct +
 * indirect bytes, then kind (definite, indirect, possible, reachable), then
 * block count, then stack id (Memcheck: ExeContext address), smallest
 * first. "definitely lost" in the summary is direct bytes only, as in
 * Memcheck; a definite record's header adds "(d direct, i indirect)".
 */
#ifndef LH_REPORT_LEAK_REPORT_H
#define LH_REPORT_LEAK_REPORT_H

#include <stdio.h>

#include "../trace/symbolize.h"
#include "json_writer.h"

/* Which kinds of loss record to print: a bit per enum lh_leak_kind. */
#define LEAK_KIND_BIT(k) (1u << (k))
#define LEAK_KINDS_DEFAULT (LEAK_KIND_BIT(LH_LEAK_DEFINITE) | LEAK_KIND_BIT(LH_LEAK_POSSIBLE))
#define LEAK_KINDS_ALL 0xfu

/* Parses Memcheck's --show-leak-kinds list: "definite,indirect,possible,reachable", "all" or "none". */
bool leak_parse_kinds(const char *list, unsigned *mask);

/* The leak check written at normal exit, or NULL. */
const struct trace_leak_check *leak_final_check(const struct trace *t);

/* The loss records of the kinds in `kinds`, then the summary. */
void leak_print_check(FILE *out, const struct trace *t, const struct trace_leak_check *c, struct symbolizer *sym,
		      unsigned kinds);
/* For `report`: the list of checks with their times, then the last one in full. Nothing without checks. */
void leak_print_checks(FILE *out, const struct trace *t, struct symbolizer *sym, unsigned kinds);
/* Writes the key "leak_checks": every check, every record (all kinds), in time order. */
void leak_write_json(struct json_writer *w, const struct trace *t, struct symbolizer *sym);

/*
 * The check (NULL: none was made) as Memcheck's --xml=yes writes it
 * (protocol 4): the loss records of the kinds in `kinds` as <error>s, with
 * Memcheck's kind names, text, leaked bytes and blocks, and stack frames
 * (ip, obj, fn, dir, file, line). argv: the program's command line.
 */
void leak_write_xml(FILE *out, const struct trace *t, const struct trace_leak_check *c, struct symbolizer *sym,
		    unsigned kinds, char *const *argv);

/* True if the check found definitely or indirectly lost blocks (for --error-exitcode). */
bool leak_check_failed(const struct trace_leak_check *c);

#endif
