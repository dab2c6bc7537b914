/*
 * folded.c - a trace as folded stacks (profile_export.h), the input of
 * Brendan Gregg's flamegraph.pl: one line per stack, frames from the
 * outermost to the allocating one joined by ';', then the value.
 *
 * Frames are named by function only, as stackcollapse-perf does, so that a
 * function's calls from several lines merge into one box; stacks that name
 * the same way are summed. Frames without a name are module+offset.
 */
#include "profile_export.h"

#include "../common/strmap.h"

void profile_frame_name(char *buf, size_t size, const struct sym_frame *f)
{
	if (f->function)
		snprintf(buf, size, "%s", f->function);
	else
		snprintf(buf, size, "%s+%#llx", f->module ? f->module : "[unknown]", (unsigned long long)f->module_offset);
}

/* Appends a frame's name, with ';' (the separator) and line breaks made harmless. */
static size_t append_frame(char *buf, size_t at, size_t size, const struct sym_frame *f)
{
	char name[1100];
	profile_frame_name(name, sizeof(name), f);
	for (char *c = name; *c; c++)
		if (*c == ';' || *c == '\n' || *c == '\r')
			*c = *c == ';' ? ':' : ' ';
	int n = snprintf(buf + at, size - at, "%s%s", at ? ";" : "", name);
	return n < 0 ? at : LH_MIN(at + (size_t)n, size - 1);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void profile_write_folded(FILE *out, const struct trace *t, struct symbolizer *sym, enum profile_value v)
{
	struct strmap lines = { 0 };
	int64_t *sums = NULL;
	size_t cap = 0;
	char line[LH_TRACE_MAX_FRAMES * 1100 + 64];
	for (uint32_t id = 0; id < t->stack_count; id++) {
		const struct trace_stack *st = &t->stacks[id];
		if (!st->sample_count)
			continue;
		int64_t value = profile_sample_value(&st->samples[st->sample_count - 1], v);
		if (value <= 0)
			continue;
		size_t at = 0;
		if (st->frame_count == 0)
			at = (size_t)snprintf(line, sizeof(line), "%s", id == 0 ? "(stack table full)" : "(no stack)");
		for (uint32_t i = st->frame_count; i-- > 0;)
			at = append_frame(line, at, sizeof(line), symbolizer_lookup(sym, st->frames[i]));
		size_t before = lines.count;
		uint32_t k = strmap_intern(&lines, line);
		if (lines.count > before) {
			lh_grow((void **)&sums, &cap, lines.count, sizeof(*sums));
			sums[k] = 0;
		}
		sums[k] += value;
	}
	/* Sorted by text, as stackcollapse writes them; the sums follow their names through an index. */
	char **order = lh_malloc(LH_MAX(lines.count, 1) * sizeof(*order));
	memcpy(order, lines.names, lines.count * sizeof(*order));
	if (lines.count)
		qsort(order, lines.count, sizeof(*order), by_text);
	for (size_t i = 0; i < lines.count; i++)
		fprintf(out, "%s %lld\n", order[i], (long long)sums[strmap_intern(&lines, order[i])]);
	free(order);
	free(sums);
	strmap_free(&lines);
}
