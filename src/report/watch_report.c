/*
 * watch_report.c - the verdict of a watch (src/watch/watch.h) as text for
 * people and as the --json contract documented in the README.
 */
#include "watch_report.h"

#include "json_writer.h"
#include "table.h"
#include "../trace/growth.h"

static const char *signed_bytes(char *buf, size_t size, int64_t v)
{
	size_t sign = v != 0;
	buf[0] = v < 0 ? '-' : '+';
	fmt_bytes(buf + sign, size - sign, (uint64_t)(v < 0 ? -v : v));
	return buf;
}

static void print_attribution(FILE *out, const struct watch_verdict *v)
{
	const struct watch_sample *a = &v->samples[v->from], *b = &v->samples[v->to];
	char x[32], y[32], z[32];
	fprintf(out, "RSS %s -> %s (%s) from t=%.0fs (after warm-up) to t=%.0fs:\n\n", fmt_bytes(x, sizeof(x), (uint64_t)v->rss_start),
		fmt_bytes(y, sizeof(y), (uint64_t)v->rss_end), signed_bytes(z, sizeof(z), v->rss_end - v->rss_start), a->t_s,
		b->t_s);
	static const char *const headers[] = { "Part", ">Start", ">End", ">Growth", ">Per hour", "Note" };
	struct table t;
	table_init(&t, 6, headers);
	for (int p = 0; p < PART_COUNT; p++) {
		const struct watch_attribution *w = &v->parts[p];
		char s[32], e[32], g[32], h[32];
		if (!w->known) {
			table_add_row(&t, watch_part_names[p], "-", "-", "-", "-", "not seen in this watch");
			continue;
		}
		table_add_row(&t, watch_part_names[p], fmt_bytes(s, sizeof(s), (uint64_t)LH_MAX(w->start, 0)),
			      fmt_bytes(e, sizeof(e), (uint64_t)LH_MAX(w->end, 0)), signed_bytes(g, sizeof(g), w->growth),
			      signed_bytes(h, sizeof(h), (int64_t)w->per_hour), "");
	}
	char g[32];
	table_add_row(&t, "unexplained", "", "", signed_bytes(g, sizeof(g), v->unexplained), "", "");
	table_print(&t, out, "  ");
	table_free(&t);
}

static void print_sites(FILE *out, const struct watch_verdict *v)
{
	if (!v->site_count)
		return;
	fprintf(out, "\nNative allocation sites that grew (live bytes over the window):\n");
	for (size_t i = 0; i < v->site_count; i++) {
		const struct watch_site *s = &v->sites[i];
		char g[32];
		fprintf(out, "  %10s  %s\n", signed_bytes(g, sizeof(g), s->growth_bytes), s->site);
		if (s->trend == GROWTH_STOPPED) { /* report's words (trace_report.c) */
			char a[32], b[32];
			fprintf(out, "              growth stopped: %s/s over the run, %s/s over its last third\n",
				signed_bytes(a, sizeof(a), (int64_t)s->slope), signed_bytes(b, sizeof(b), (int64_t)s->late_slope));
		}
		if (s->native_caller[0])
			fprintf(out, "              called from %s\n", s->native_caller);
		if (s->js_caller[0])
			fprintf(out, "              JS caller   %s\n", s->js_caller);
	}
}

static void print_classes(FILE *out, const struct watch_verdict *v)
{
	if (!v->class_count)
		return;
	fprintf(out, "\nJS classes that grew (first -> last snapshot):\n");
	for (size_t i = 0; i < v->class_count && i < 10; i++) {
		const struct watch_js_class *c = &v->classes[i];
		char a[32], b[32], d[32], e[32];
		fprintf(out, "  %-32s %12s -> %-12s objects  %10s -> %s\n", c->name, fmt_count(a, sizeof(a), (uint64_t)c->count_first),
			fmt_count(b, sizeof(b), (uint64_t)c->count_last), fmt_bytes(d, sizeof(d), (uint64_t)c->size_first),
			fmt_bytes(e, sizeof(e), (uint64_t)c->size_last));
		if (c->path[0])
			fprintf(out, "      path: %s\n", c->path);
	}
}

void watch_print_text(FILE *out, const struct watch_verdict *v)
{
	fprintf(out, "leakhound watch of pid %lld (%s): %s\n", v->pid, v->mode, v->command);
	fprintf(out, "%.0f s, %zu samples, %zu heap snapshots; %s%s\n\n", v->duration_s, v->sample_count, v->snapshot_count,
		v->ended, v->complete ? "" : " (INCOMPLETE)");
	fprintf(out, "%s\n\n", v->leak_suspected ? "LEAK SUSPECTED" : "No leak suspected");
	for (size_t i = 0; i < v->finding_count; i++) {
		const struct watch_finding *f = &v->findings[i];
		fprintf(out, "* %s [%s]\n  %s\n\n", f->title, f->id, f->explanation);
	}
	if (v->from != SIZE_MAX)
		print_attribution(out, v);
	print_sites(out, v);
	print_classes(out, v);
	if (v->snapshot_count) {
		fprintf(out, "\nHeap snapshots (the program pauses while V8 writes one):\n");
		for (size_t i = 0; i < v->snapshot_count; i++) {
			const struct watch_snapshot *s = &v->snapshots[i];
			char a[32], b[32];
			fprintf(out, "  t=%6.1fs  pause %7.1f ms  %s nodes, %s%s%s\n", s->t_s, s->pause_ms,
				fmt_count(a, sizeof(a), s->nodes), fmt_bytes(b, sizeof(b), s->self_size), s->file[0] ? "  " : "",
				s->file);
		}
	}
}

static void json_parts(struct json_writer *w, const struct watch_sample *s)
{
	for (int p = 0; p < PART_COUNT; p++)
		jw_key_int(w, watch_part_names[p], s->part[p]);
}

void watch_print_json(FILE *out, const struct watch_verdict *v)
{
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_int(&w, "pid", v->pid);
	jw_key_string(&w, "command", v->command);
	jw_key_string(&w, "mode", v->mode);
	jw_key_double(&w, "duration_s", v->duration_s);
	jw_key_bool(&w, "complete", v->complete);
	jw_key_string(&w, "ended", v->ended);
	jw_key_bool(&w, "leak_suspected", v->leak_suspected);
	jw_key_bool(&w, "native", v->native);
	jw_key_double(&w, "start_unix_s", v->start_unix);
	bool window = v->from != SIZE_MAX;
	jw_key_double(&w, "window_start_s", window ? v->samples[v->from].t_s : 0);
	jw_key_double(&w, "window_end_s", window ? v->samples[v->to].t_s : 0);
	jw_key_int(&w, "rss_start_bytes", window ? v->rss_start : 0);
	jw_key_int(&w, "rss_end_bytes", window ? v->rss_end : 0);
	jw_key(&w, "attribution");
	jw_array_begin(&w);
	for (int p = 0; window && p < PART_COUNT; p++) {
		const struct watch_attribution *x = &v->parts[p];
		jw_object_begin(&w);
		jw_key_string(&w, "part", watch_part_names[p]);
		jw_key_bool(&w, "known", x->known);
		jw_key_int(&w, "start_bytes", x->start);
		jw_key_int(&w, "end_bytes", x->end);
		jw_key_int(&w, "growth_bytes", x->growth);
		jw_key_double(&w, "growth_per_hour", x->per_hour);
		jw_key_int(&w, "floor_growth_bytes", x->floor_growth);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key_int(&w, "unexplained_bytes", window ? v->unexplained : 0);
	jw_key(&w, "findings");
	jw_array_begin(&w);
	for (size_t i = 0; i < v->finding_count; i++) {
		const struct watch_finding *f = &v->findings[i];
		jw_object_begin(&w);
		jw_key_string(&w, "id", f->id);
		jw_key_string(&w, "title", f->title);
		jw_key_string(&w, "explanation", f->explanation);
		jw_key(&w, "part");
		f->part == PART_COUNT ? jw_null(&w) : jw_string(&w, watch_part_names[f->part]);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "native_sites");
	jw_array_begin(&w);
	for (size_t i = 0; i < v->site_count; i++) {
		const struct watch_site *s = &v->sites[i];
		jw_object_begin(&w);
		jw_key_string(&w, "site", s->site);
		jw_key_string(&w, "function", s->function);
		jw_key(&w, "file");
		s->file[0] ? jw_string(&w, s->file) : jw_null(&w);
		jw_key(&w, "line");
		s->file[0] ? jw_uint(&w, s->line) : jw_null(&w);
		jw_key_string(&w, "native_caller", s->native_caller);
		jw_key_string(&w, "js_caller", s->js_caller);
		jw_key_int(&w, "start_bytes", s->start_bytes);
		jw_key_int(&w, "end_bytes", s->end_bytes);
		jw_key_int(&w, "growth_bytes", s->growth_bytes);
		jw_key_string(&w, "trend", growth_trend_name((enum growth_trend)s->trend));
		jw_key_double(&w, "late_slope_bytes_per_s", s->late_slope);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "js_classes");
	jw_array_begin(&w);
	for (size_t i = 0; i < v->class_count; i++) {
		const struct watch_js_class *c = &v->classes[i];
		jw_object_begin(&w);
		jw_key_string(&w, "class", c->name);
		jw_key_double(&w, "count_first", c->count_first);
		jw_key_double(&w, "count_last", c->count_last);
		jw_key_double(&w, "self_size_first", c->size_first);
		jw_key_double(&w, "self_size_last", c->size_last);
		jw_key_string(&w, "path", c->path);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "snapshots");
	jw_array_begin(&w);
	for (size_t i = 0; i < v->snapshot_count; i++) {
		const struct watch_snapshot *s = &v->snapshots[i];
		jw_object_begin(&w);
		jw_key_double(&w, "t_s", s->t_s);
		jw_key_double(&w, "pause_ms", s->pause_ms);
		jw_key(&w, "file");
		s->file[0] ? jw_string(&w, s->file) : jw_null(&w);
		jw_key_uint(&w, "nodes", s->nodes);
		jw_key_uint(&w, "self_size", s->self_size);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "samples");
	jw_array_begin(&w);
	for (size_t i = 0; i < v->sample_count; i++) {
		const struct watch_sample *s = &v->samples[i];
		jw_object_begin(&w);
		jw_key_double(&w, "t_s", s->t_s);
		jw_key_int(&w, "rss", s->rss);
		jw_key_bool(&w, "v8", s->has_v8);
		jw_key_bool(&w, "native", s->has_native);
		json_parts(&w, s);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	fputc('\n', out);
}
