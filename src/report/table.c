/*
 * table.c - the text table and number formatting of table.h.
 */
#include "table.h"

#include <stdarg.h>

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
		t->cells[t->rows * t->columns + c] = lh_strdup(cell ? cell : "");
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

const char *fmt_count(char *buf, size_t size, uint64_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	size_t o = 0;
	for (int i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *fmt_bytes(char *buf, size_t size, uint64_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)n;
	size_t u = 0;
	while (v >= 1024 && u + 1 < LH_ARRAY_LEN(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, size, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

const char *fmt_percent(char *buf, size_t size, double pct)
{
	snprintf(buf, size, pct > 0 && pct < 0.1 ? "%.2f%%" : "%.1f%%", pct);
	return buf;
}
