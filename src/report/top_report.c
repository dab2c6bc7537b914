/*
 * top_report.c - `leakhound top`: the largest retained sizes, by object or by class.
 */
#include "retention_report.h"

#include "../analysis/classname.h"

#include "summary_report.h"
#include "table.h"

static const struct retention *sort_by;

static int by_node_retained_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (sort_by->retained_size[x] != sort_by->retained_size[y])
		return sort_by->retained_size[x] < sort_by->retained_size[y] ? 1 : -1;
	return x < y ? -1 : x > y;
}

/*
 * Ordinals of the objects with the largest retained sizes, descending:
 * the `top` largest non-synthetic ones, or every node with `all`.
 * The caller frees the array.
 */
static uint32_t *largest_objects(const struct heap_snapshot *s, const struct top_report *rep, size_t *count)
{
	const struct retention *r = rep->retention;
	if (rep->all) {
		uint32_t *every = lh_malloc((size_t)s->node_count * sizeof(*every));
		for (uint32_t n = 0; n < s->node_count; n++)
			every[n] = n;
		sort_by = r;
		qsort(every, s->node_count, sizeof(*every), by_node_retained_desc);
		*count = s->node_count;
		return every;
	}
	size_t top = rep->top, kept = 0;
	uint32_t *best = lh_malloc(LH_MAX(top, 1) * sizeof(*best));
	for (uint32_t n = 0; n < s->node_count; n++) {
		if (heap_node_kind(s, n) == HEAP_NODE_SYNTHETIC)
			continue;
		uint64_t size = r->retained_size[n];
		if (kept == top && size <= r->retained_size[best[kept - 1]])
			continue;
		size_t i = kept < top ? kept++ : kept - 1;
		while (i > 0 && r->retained_size[best[i - 1]] < size) {
			best[i] = best[i - 1];
			i--;
		}
		best[i] = n;
	}
	*count = kept;
	return best;
}

static int by_retained_desc(const void *a, const void *b)
{
	const struct class_row *x = a, *y = b;
	if (x->retained_size != y->retained_size)
		return x->retained_size < y->retained_size ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Class rows with instances, largest retained size first; the caller frees. */
static struct class_row *ranked_classes(const struct class_stats *c, size_t *count)
{
	struct class_row *rows = lh_malloc(LH_MAX(c->count, 1) * sizeof(*rows));
	size_t n = 0;
	for (size_t i = 0; i < c->count; i++)
		if (c->rows[i].count)
			rows[n++] = c->rows[i];
	qsort(rows, n, sizeof(*rows), by_retained_desc);
	*count = n;
	return rows;
}

static const char *distance_text(char *buf, size_t size, int32_t d)
{
	if (d == RETENTION_NO_DISTANCE)
		snprintf(buf, size, "-");
	else if (d >= RETENTION_SYSTEM_DISTANCE)
		snprintf(buf, size, "sys+%d", d - RETENTION_SYSTEM_DISTANCE);
	else
		snprintf(buf, size, "%d", d);
	return buf;
}

static void print_header(FILE *out, const struct top_report *r)
{
	char total[32], un[32];
	fprintf(out, "leakhound top of %s (retention rules: %s)\n", r->path, retention_mode_name(r->retention->mode));
	fprintf(out, "total retained by the root: %s", fmt_bytes(total, sizeof(total),
								 r->retention->retained_size[r->snapshot->root]));
	if (r->retention->unreachable)
		fprintf(out, "; %s nodes unreachable from the root (hung under it, as DevTools does)",
			fmt_count(un, sizeof(un), r->retention->unreachable));
	fprintf(out, "\n\n");
}

void top_print_text(FILE *out, const struct top_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	print_header(out, r);
	struct table t;
	if (r->by_class) {
		static const char *const headers[] = { "class", ">count", ">distance", ">self size", ">retained size" };
		table_init(&t, 5, headers);
		table_limit_width(&t, 0, 60);
		size_t count;
		struct class_row *rows = ranked_classes(r->by_class, &count);
		for (size_t i = 0; i < (r->all ? count : LH_MIN(count, r->top)); i++) {
			char c[32], d[32], self[32], ret[32];
			table_add_row(&t, heap_class_name_of_id(r->classes, rows[i].id), fmt_count(c, sizeof(c), rows[i].count),
				      distance_text(d, sizeof(d), rows[i].distance), fmt_bytes(self, sizeof(self), rows[i].self_size),
				      fmt_bytes(ret, sizeof(ret), rows[i].retained_size));
		}
		free(rows);
	} else {
		static const char *const headers[] = { "object", ">distance", ">self size", ">retained size" };
		table_init(&t, 4, headers);
		table_limit_width(&t, 0, 70);
		size_t kept;
		uint32_t *best = largest_objects(s, r, &kept);
		for (size_t i = 0; i < kept; i++) {
			char label[200], d[32], self[32], ret[32];
			report_node_label(s, best[i], label, sizeof(label));
			table_add_row(&t, label, distance_text(d, sizeof(d), r->retention->distance[best[i]]),
				      fmt_bytes(self, sizeof(self), r->retention->self_size[best[i]]),
				      fmt_bytes(ret, sizeof(ret), r->retention->retained_size[best[i]]));
		}
		free(best);
	}
	table_print(&t, out, "  ");
	table_free(&t);
}

void report_json_node(struct json_writer *w, const struct heap_snapshot *s, struct heap_classes *classes,
		      const struct retention *r, uint32_t n)
{
	jw_key_uint(w, "id", s->node_id[n]);
	jw_key_uint(w, "index", n);
	jw_key_string(w, "type", heap_node_type_name(s, n));
	if (classes) {
		jw_key_string(w, "class", heap_class_name_of_id(classes, heap_class_id(classes, n)));
	} else {
		char *cls = heap_class_name(s, n);
		jw_key_string(w, "class", cls);
		free(cls);
	}
	jw_key(w, "name");
	jw_string_len(w, heap_node_name(s, n), heap_string_length(s, s->node_name[n]));
	jw_key_uint(w, "self_size", r ? r->self_size[n] : heap_node_self_size(s, n));
	if (r) {
		jw_key_uint(w, "retained_size", r->retained_size[n]);
		jw_key_int(w, "distance", r->distance[n]);
		jw_key_uint(w, "dominator_id", s->node_id[r->dominator[n]]);
	}
}

void top_print_json(FILE *out, const struct top_report *r)
{
	const struct heap_snapshot *s = r->snapshot;
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_string(&w, "file", r->path);
	jw_key_string(&w, "retention", retention_mode_name(r->retention->mode));
	jw_key_uint(&w, "total_retained_size", r->retention->retained_size[s->root]);
	jw_key_uint(&w, "unreachable_nodes", r->retention->unreachable);
	if (r->by_class) {
		jw_key(&w, "classes");
		jw_array_begin(&w);
		size_t count;
		struct class_row *rows = ranked_classes(r->by_class, &count);
		for (size_t i = 0; i < (r->all ? count : LH_MIN(count, r->top)); i++) {
			jw_object_begin(&w);
			jw_key_string(&w, "class", heap_class_name_of_id(r->classes, rows[i].id));
			jw_key_uint(&w, "count", rows[i].count);
			jw_key_int(&w, "distance", rows[i].distance);
			jw_key_uint(&w, "self_size", rows[i].self_size);
			jw_key_uint(&w, "retained_size", rows[i].retained_size);
			jw_object_end(&w);
		}
		free(rows);
	} else {
		jw_key(&w, "objects");
		jw_array_begin(&w);
		size_t kept;
		uint32_t *best = largest_objects(s, r, &kept);
		for (size_t i = 0; i < kept; i++) {
			jw_object_begin(&w);
			report_json_node(&w, s, r->classes, r->retention, best[i]);
			jw_object_end(&w);
		}
		free(best);
	}
	jw_array_end(&w);
	jw_object_end(&w);
}
