/*
 * text.h - text output that is safe to send to a terminal.
 *
 * Names come from the input: class, node and edge names from a snapshot,
 * function names and paths from a trace and the binaries it names. Any of
 * them may hold escape sequences that would drive the terminal (move the
 * cursor, rewrite the title, hide lines). Text reports write no control
 * character of their own but '\n', so all others are escaped on the way
 * out, in one place: C0 controls and DEL as \xNN, C1 controls (U+0080 to
 * U+009F, which some terminals obey as ESC [) as \u00NN. Table cells and
 * retainer paths, one line each, are escaped '\n' included (tables when a
 * cell is added, so that widths count what is shown).
 * JSON output needs none of this: json_writer.c escapes its strings.
 */
#ifndef LH_REPORT_TEXT_H
#define LH_REPORT_TEXT_H

#include "../common/lh.h"

/* s with every control character escaped, '\n' too (a one-line cell or label). Returns a malloc'd string. */
char *text_escape(const char *s);
/* The same for a malloc'd s, which it frees: text_escape_free(path_describe(...)). */
char *text_escape_free(char *s);

/*
 * A stream that writes to out with every control character but '\n'
 * escaped. Text reports print through it. fclose() flushes it into out and
 * leaves out open; a failed write shows as an error on out.
 */
FILE *text_stream_open(FILE *out);

#endif
