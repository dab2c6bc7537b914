/*
 * trace_report.c - see trace_report.h.
 */
#include "trace_report.h"

#include "json_writer.h"
#include "leak_report.h"
#include "table.h"

static const struct trace_snapshot *last_snapshot(const struct trace *t)
{
	return &t->snapshots[t->snapshot_count - 1];
}

static uint64_t peak_bytes(const struct trace *t)
{
	uint64_t peak = 0;
	for (size_t i = 0; i < t->snapshot_count; i++)
		peak = LH_MAX(peak, LH_MAX(t->snapshots[i].peak_bytes, t->snapshots[i].live_bytes));
	return peak;
}

static uint64_t total_temporaries(const struct growth *g)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < g->site_count; i++)
		sum += g->sites[i].c.temporaries;
	return sum;
}

static const char *site_text(char *buf, size_t size, const struct growth_site *s)
{
	if (s->table_full)
		snprintf(buf, size, "(stack table full: stacks past 2M distinct are counted here)");
	else
		sym_frame_text(buf, size, s->site);
	return buf;
}

static const char *signed_bytes(char *buf, size_t size, int64_t v)
{
	char tmp[40];
	fmt_bytes(tmp, sizeof(tmp), (uint64_t)(v < 0 ? -v : v));
	snprintf(buf, size, "%s%s", v < 0 ? "-" : v > 0 ? "+" : "", tmp);
	return buf;
}

static const char *rate_text(char *buf, size_t size, double slope)
{
	char tmp[44];
	signed_bytes(tmp, sizeof(tmp), (int64_t)(slope >= 0 ? slope + 0.5 : slope - 0.5));
	snprintf(buf, size, "%s/s", tmp);
	return buf;
}

static const char *plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

static void print_stack(FILE *out, const struct trace_report *r, const struct growth_stack *gs)
{
	const struct trace_stack *st = &r->trace->stacks[gs->id];
	char a[48], b[48], c[48], line[1200];
	fprintf(out, "    stack %u: %s B in %s block%s live at end, %s allocation%s, %s\n", gs->id,
		fmt_count(a, sizeof(a), (uint64_t)LH_MAX(gs->c.live_bytes, 0)),
		fmt_count(b, sizeof(b), (uint64_t)LH_MAX(gs->c.live_blocks, 0)), plural(gs->c.live_blocks),
		fmt_count(c, sizeof(c), gs->c.allocs), plural((int64_t)gs->c.allocs), rate_text(line, sizeof(line), gs->c.slope));
	for (uint32_t i = 0; i < st->frame_count; i++) {
		const struct sym_frame *f = symbolizer_lookup(r->sym, st->frames[i]);
		sym_frame_text(line, sizeof(line), f);
		fprintf(out, "      #%-2u %s%s\n", i, line,
			f->runtime ? "  [runtime]" : "");
	}
}

/* The sites to show: ranked, at most r->top, none below --min-growth. The caller frees the array. */
const struct growth_site **trace_shown_sites(const struct trace_report *r, size_t *count)
{
	const struct growth *g = r->growth;
	const struct growth_site **out = lh_malloc(LH_MAX(LH_MIN(r->top, g->site_count), 1) * sizeof(*out));
	size_t n = 0;
	for (size_t i = 0; i < g->site_count && n < r->top; i++)
		if (g->sites[i].c.growth_bytes >= r->min_growth)
			out[n++] = &g->sites[i];
	*count = n;
	return out;
}

void trace_print_text(FILE *out, const struct trace_report *r)
{
	const struct trace *t = r->trace;
	const struct growth *g = r->growth;
	const struct trace_snapshot *last = last_snapshot(t);
	const struct trace_snapshot *pk = &t->snapshots[g->peak_snapshot];
	char a[64], b[64], c[64], d[64];

	fprintf(out, "Trace %s: pid %llu, %.2f s, %zu snapshots every %s ms\n", r->path, (unsigned long long)t->pid,
		g->duration_s, t->snapshot_count, fmt_count(a, sizeof(a), t->interval_ns / 1000000));
	if (t->complete)
		fprintf(out, "  complete: the program exited normally\n");
	else
		fprintf(out, "  INCOMPLETE: the program was killed or did not exit normally; data up to %.2f s%s\n",
			(double)last->time_ns / 1e9, t->bytes_dropped ? " (a cut last batch was dropped)" : "");
	if (t->sample_rate)
		fprintf(out, "  ESTIMATES: sampled, one allocation per %s on average (--sample-rate); bytes, blocks and counts are estimates\n",
			fmt_bytes(a, sizeof(a), t->sample_rate));
	if (t->damaged_at)
		fprintf(out, "  DAMAGED at byte %llu (%s): read up to there\n", (unsigned long long)t->damaged_at, t->damage);
	if (t->batches_lost)
		fprintf(out, "  %llu batches could not be written (disk full, or no file descriptor left): their snapshots are missing\n",
			(unsigned long long)t->batches_lost);
	if (t->exec_path)
		fprintf(out, "  then it exec'd %s: this image's trace ends there (the new one's is the file it was moved from)\n",
			t->exec_path);
	if (t->forks_untracked)
		fprintf(out, "  the program forked %llu children, not tracked (run --children tracks them)\n",
			(unsigned long long)t->forks_untracked);
	fprintf(out, "Live at end:  %s B in %s blocks (%s)\n", fmt_count(a, sizeof(a), last->live_bytes),
		fmt_count(b, sizeof(b), last->live_blocks), fmt_bytes(c, sizeof(c), last->live_bytes));
	fprintf(out, "Peak:         %s B (%s); the largest snapshot held %s at %.2f s\n",
		fmt_count(a, sizeof(a), peak_bytes(t)), fmt_bytes(b, sizeof(b), peak_bytes(t)),
		fmt_bytes(c, sizeof(c), pk->live_bytes), (double)pk->time_ns / 1e9);
	fprintf(out, "Allocations:  %s, frees %s, temporary %s (freed by their thread before its next allocation)\n",
		fmt_count(a, sizeof(a), last->allocs), fmt_count(b, sizeof(b), last->frees),
		fmt_count(c, sizeof(c), total_temporaries(g)));

	size_t count;
	const struct growth_site **sites = trace_shown_sites(r, &count);
	fprintf(out, "\nAllocation sites ranked by sustained growth (%zu of %zu%s): late growth is the rate over the\n"
		     "last third of the run (%.2f s to %.2f s); growth, over all of it; a site whose growth stopped\n"
		     "(a cache that filled, a pool) ranks below those still growing\n",
		count, g->site_count, r->min_growth > 0 ? ", past --min-growth" : "",
		(double)t->snapshots[g->late_first].time_ns / 1e9, (double)t->snapshots[g->late_end - 1].time_ns / 1e9);
	static const char *const headers[] = { ">#", ">Late growth", "Trend", ">Growth", ">Over run", ">Live B at end",
					       ">Blocks", ">At peak", ">Allocs", ">Temporary", "Site" };
	struct table tab;
	table_init(&tab, 11, headers);
	table_limit_width(&tab, 10, 100);
	char site[1200], rank[32], e[64], f[64], tmp[64], late[64];
	for (size_t i = 0; i < count; i++) {
		const struct growth_site *s = sites[i];
		snprintf(rank, sizeof(rank), "%zu", i + 1);
		table_add_row(&tab, rank, rate_text(late, sizeof(late), s->c.late_slope), growth_trend_name(growth_trend(&s->c)),
			      rate_text(a, sizeof(a), s->c.slope),
			      signed_bytes(b, sizeof(b), s->c.growth_bytes),
			      fmt_count(c, sizeof(c), (uint64_t)LH_MAX(s->c.live_bytes, 0)),
			      fmt_count(d, sizeof(d), (uint64_t)LH_MAX(s->c.live_blocks, 0)),
			      fmt_bytes(e, sizeof(e), (uint64_t)LH_MAX(s->c.peak_bytes, 0)),
			      fmt_count(f, sizeof(f), s->c.allocs), fmt_count(tmp, sizeof(tmp), s->c.temporaries),
			      site_text(site, sizeof(site), s));
	}
	table_print(&tab, out, "  ");
	table_free(&tab);

	for (size_t i = 0; i < count; i++) {
		const struct growth_site *s = sites[i];
		fprintf(out, "\n#%zu %s\n", i + 1, site_text(site, sizeof(site), s));
		if (growth_trend(&s->c) == GROWTH_STOPPED)
			fprintf(out, "  growth stopped: %s over the run, %s over its last third\n",
				rate_text(a, sizeof(a), s->c.slope), rate_text(b, sizeof(b), s->c.late_slope));
		fprintf(out, "  %s B in %s block%s live at end, %s over the run (%s), %s at peak; %s allocations, %s frees (%s temporary); %zu stack%s\n",
			fmt_count(a, sizeof(a), (uint64_t)LH_MAX(s->c.live_bytes, 0)),
			fmt_count(b, sizeof(b), (uint64_t)LH_MAX(s->c.live_blocks, 0)), plural(s->c.live_blocks),
			signed_bytes(c, sizeof(c), s->c.growth_bytes), rate_text(d, sizeof(d), s->c.slope),
			fmt_bytes(e, sizeof(e), (uint64_t)LH_MAX(s->c.peak_bytes, 0)), fmt_count(f, sizeof(f), s->c.allocs),
			fmt_count(rank, sizeof(rank), s->c.frees), fmt_count(tmp, sizeof(tmp), s->c.temporaries),
			s->stack_count, s->stack_count == 1 ? "" : "s");
		size_t stacks = LH_MIN(r->stacks_per_site, s->stack_count);
		for (size_t j = 0; j < stacks; j++)
			print_stack(out, r, &s->stacks[j]);
		if (stacks < s->stack_count)
			fprintf(out, "    ... %zu more stacks (--stacks N shows more)\n", s->stack_count - stacks);
	}
	free(sites);
	leak_print_checks(out, t, r->sym, r->leak_kinds);
}

static void json_frame(struct json_writer *w, const struct trace *t, uint64_t ret, const struct sym_frame *f)
{
	char hex[32];
	jw_object_begin(w);
	snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)trace_real_address(t, ret));
	jw_key_string(w, "address", hex);
	jw_key(w, "function");
	f && f->function ? jw_string(w, f->function) : jw_null(w);
	jw_key(w, "file");
	f && f->file ? jw_string(w, f->file) : jw_null(w);
	jw_key_uint(w, "line", f ? f->line : 0);
	jw_key(w, "module");
	f && f->module ? jw_string(w, f->module) : jw_null(w);
	snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)(f ? f->module_offset : 0));
	jw_key_string(w, "module_offset", hex);
	jw_object_end(w);
}

static void json_counts(struct json_writer *w, const struct growth_counts *c)
{
	jw_key_int(w, "live_bytes", c->live_bytes);
	jw_key_int(w, "live_blocks", c->live_blocks);
	jw_key_int(w, "peak_bytes", c->peak_bytes);
	jw_key_int(w, "peak_blocks", c->peak_blocks);
	jw_key_int(w, "growth_bytes", c->growth_bytes);
	jw_key_double(w, "growth_bytes_per_s", c->slope);
	jw_key_double(w, "late_growth_bytes_per_s", c->late_slope);
	jw_key_string(w, "trend", growth_trend_name(growth_trend(c)));
	jw_key_uint(w, "allocations", c->allocs);
	jw_key_uint(w, "allocated_bytes", c->alloc_bytes);
	jw_key_uint(w, "frees", c->frees);
	jw_key_uint(w, "temporary_allocations", c->temporaries);
}

void trace_print_json(FILE *out, const struct trace_report *r)
{
	const struct trace *t = r->trace;
	const struct growth *g = r->growth;
	const struct trace_snapshot *last = last_snapshot(t);
	struct json_writer w;
	jw_document_begin(&w, out);
	jw_key_string(&w, "file", r->path);
	jw_key_uint(&w, "pid", t->pid);
	jw_key_bool(&w, "complete", t->complete);
	jw_key_bool(&w, "estimates", t->sample_rate != 0);
	jw_key_uint(&w, "sample_rate_bytes", t->sample_rate);
	jw_key(&w, "damaged_at");
	t->damaged_at ? jw_uint(&w, t->damaged_at) : jw_null(&w);
	jw_key_uint(&w, "batches_lost", t->batches_lost);
	jw_key_uint(&w, "forks_untracked", t->forks_untracked);
	jw_key(&w, "exec");
	t->exec_path ? jw_string(&w, t->exec_path) : jw_null(&w);
	jw_key_double(&w, "duration_s", g->duration_s);
	jw_key_double(&w, "interval_s", (double)t->interval_ns / 1e9);
	jw_key_double(&w, "late_from_s", (double)t->snapshots[g->late_first].time_ns / 1e9);
	jw_key_double(&w, "late_to_s", (double)t->snapshots[g->late_end - 1].time_ns / 1e9);
	jw_key_uint(&w, "snapshots", t->snapshot_count);
	jw_key_uint(&w, "live_bytes", last->live_bytes);
	jw_key_uint(&w, "live_blocks", last->live_blocks);
	jw_key_uint(&w, "peak_bytes", peak_bytes(t));
	jw_key_double(&w, "peak_snapshot_s", (double)t->snapshots[g->peak_snapshot].time_ns / 1e9);
	jw_key_uint(&w, "peak_snapshot_bytes", t->snapshots[g->peak_snapshot].live_bytes);
	jw_key_uint(&w, "allocations", last->allocs);
	jw_key_uint(&w, "frees", last->frees);
	jw_key_uint(&w, "temporary_allocations", total_temporaries(g));
	jw_key_uint(&w, "site_count", g->site_count);
	jw_key(&w, "sites");
	jw_array_begin(&w);
	size_t count;
	const struct growth_site **sites = trace_shown_sites(r, &count);
	for (size_t i = 0; i < count; i++) {
		const struct growth_site *s = sites[i];
		jw_object_begin(&w);
		jw_key_bool(&w, "stack_table_full", s->table_full);
		jw_key(&w, "site");
		if (s->site)
			json_frame(&w, t, s->site_address, s->site);
		else
			jw_null(&w);
		json_counts(&w, &s->c);
		jw_key(&w, "stacks");
		jw_array_begin(&w);
		for (size_t j = 0; j < LH_MIN(r->stacks_per_site, s->stack_count); j++) {
			const struct growth_stack *gs = &s->stacks[j];
			const struct trace_stack *st = &t->stacks[gs->id];
			jw_object_begin(&w);
			jw_key_uint(&w, "id", gs->id);
			json_counts(&w, &gs->c);
			jw_key(&w, "frames");
			jw_array_begin(&w);
			for (uint32_t k = 0; k < st->frame_count; k++)
				json_frame(&w, t, st->frames[k], symbolizer_lookup(r->sym, st->frames[k]));
			jw_array_end(&w);
			jw_object_end(&w);
		}
		jw_array_end(&w);
		jw_object_end(&w);
	}
	free(sites);
	jw_array_end(&w);
	leak_write_json(&w, t, r->sym);
	jw_object_end(&w);
}
