/*
 * table.c - the text table of table.h.
 */
#include "table.h"

#include <stdarg.h>

#include "text.h"

void table_init(struct table *t, size_t columns, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->columns = LH_MIN(columns, (size_t)TABLE_MAX_COLUMNS);
	for (size_t c = 0; c < t->columns; c++) {
		t->align[c] = headers[c][0] == '>' ? TABLE_RIGHT : TABLE_LEFT;
		t->headers[c] = headers[c] + (headers[c][0] == '>');
	}
}

void table_limit_width(struct table *t, size_t column, size_t width)
{
	if (column < t->columns)
		t->max_width[column] = width;
}

void table_add_row(struct table *t, ...)
{
	lh_grow((void **)&t->cells, &t->cap, (t->rows + 1) * t->columns, sizeof(char *));
	va_list ap;
	va_start(ap, t);
	for (size_t c = 0; c < t->columns; c++) {
		const char *cell = va_arg(ap, const char *);
		t->cells[t->rows * t->columns + c] = text_escape(cell ? cell : "");
	}
	va_end(ap);
	t->rows++;
}

/* Characters (UTF-8 code points) in s. */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Byte length of the first `width` characters of s. */
static size_t prefix_bytes(const char *s, size_t width)
{
	size_t i = 0, w = 0;
	while (s[i] && w < width) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		w++;
	}
	return i;
}

static void print_cell(FILE *out, const char *cell, size_t width, size_t limit, enum table_align align, bool last)
{
	size_t w = text_width(cell), bytes = strlen(cell);
	bool cut = limit && w > limit;
	if (cut) {
		bytes = prefix_bytes(cell, limit - 3);
		w = limit;
	}
	size_t pad = width > w ? width - w : 0;
	if (align == TABLE_RIGHT)
		fprintf(out, "%*s", (int)pad, "");
	fprintf(out, "%.*s%s", (int)bytes, cell, cut ? "..." : "");
	if (align == TABLE_LEFT && !last)
		fprintf(out, "%*s", (int)pad, "");
}

void table_print(const struct table *t, FILE *out, const char *indent)
{
	size_t width[TABLE_MAX_COLUMNS];
	for (size_t c = 0; c < t->columns; c++) {
		width[c] = text_width(t->headers[c]);
		for (size_t r = 0; r < t->rows; r++)
			width[c] = LH_MAX(width[c], text_width(t->cells[r * t->columns + c]));
		if (t->max_width[c])
			width[c] = LH_MIN(width[c], t->max_width[c]);
	}
	for (size_t r = 0; r <= t->rows; r++) {
		fputs(indent, out);
		for (size_t c = 0; c < t->columns; c++) {
			const char *cell = r == 0 ? t->headers[c] : t->cells[(r - 1) * t->columns + c];
			if (c)
				fputs("  ", out);
			print_cell(out, cell, width[c], t->max_width[c], t->align[c], c + 1 == t->columns);
		}
		fputc('\n', out);
	}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->rows * t->columns; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
