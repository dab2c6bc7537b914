/*
 * table.h - aligned text tables for reports.
 *
 * A table collects its cells first and prints once, so every column is as
 * wide as its widest cell. Widths count UTF-8 characters, not bytes, so
 * non-ASCII names do not push columns out of line. Cells longer than a
 * column's limit are cut with "...". Cells are escaped as text.h says
 * (control characters, line breaks too), so a cell is always one line.
 */
#ifndef LH_REPORT_TABLE_H
#define LH_REPORT_TABLE_H

#include "../common/format.h"

#define TABLE_MAX_COLUMNS 12

enum table_align { TABLE_LEFT, TABLE_RIGHT };

struct table {
	size_t columns;
	const char *headers[TABLE_MAX_COLUMNS];
	enum table_align align[TABLE_MAX_COLUMNS];
	size_t max_width[TABLE_MAX_COLUMNS]; /* 0 = no limit */
	char **cells;                        /* rows * columns, owned */
	size_t rows, cap;
};

/* Columns are given as "Header" (left aligned) or ">Header" (right aligned). */
void table_init(struct table *t, size_t columns, const char *const *headers);
void table_limit_width(struct table *t, size_t column, size_t width);
void table_add_row(struct table *t, ...); /* exactly `columns` const char * cells */
void table_print(const struct table *t, FILE *out, const char *indent);
void table_free(struct table *t);

#endif
