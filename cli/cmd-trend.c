/*
 * cmd-trend.c - `leakhound diff`, `trend` and `check`: snapshots of one
 * process compared over time. They share the loading loop: snapshots are
 * read one at a time, oldest first, and only digests are kept, the newest
 * snapshot staying loaded for retainer paths.
 */
#include "builtin.h"

#include <errno.h>

#include "../src/report/trend_report.h"

/*
 * Reads paths[0..n) into t. Returns the newest snapshot (the caller frees
 * it), or NULL after printing the error (*status set to the exit status).
 */
static struct heap_snapshot *load_series(char **paths, size_t n, struct trend *t, int *status)
{
	struct heap_snapshot *s = NULL;
	for (size_t i = 0; i < n; i++) {
		heap_snapshot_free(s);
		struct lh_error err = { 0 };
		s = cli_read_snapshot(paths[i], false, &err);
		if (!s || !trend_add(t, s, paths[i], &err)) {
			*status = cli_input_error(paths[i], &err);
			heap_snapshot_free(s);
			return NULL;
		}
	}
	trend_finish(t);
	return s;
}

struct series_options {
	bool json;
	const char *html;
	size_t top;
	const char *warmup;
	struct leak_thresholds th;
};

static const char series_usage[] =
	"usage: leakhound diff [--json] [--top N] BEFORE AFTER\n"
	"       leakhound trend [--json | --html FILE] [--top N] S1 S2 [S3 ...]\n"
	"       leakhound check [--json | --html FILE] [--top N] [thresholds] S1 S2 S3 [...]\n"
	"\n"
	"Snapshots of one process, oldest first (ids must match: another process is an error).\n"
	"  diff    per class and node type: objects new and freed (matched by id), GC root\n"
	"          edge deltas, largest new objects by retained size\n"
	"  trend   growth series and rates of every class, GC root and total; leak candidates\n"
	"          (objects new in S2 and alive in every later snapshot) with retainer paths\n"
	"  check   findings in plain words; exit 1 when a leak is suspected, 0 when not\n"
	"\n"
	"check's thresholds: a series must grow in every interval, and by at least the\n"
	"option's value.\n";

/* Parses the options shared by diff, trend and check; returns -1 with *first set, or an exit status. */
static int parse_series_options(int argc, char **argv, struct series_options *o, size_t min_args, size_t max_args,
				int *first)
{
	const struct cli_option options[] = {
		CLI_OPT(0, "json", CLI_FLAG, &o->json, NULL, "machine-readable output (same facts)"),
		CLI_OPT(0, "html", CLI_STRING, &o->html, "FILE",
			"trend, check: one self-contained page, written to FILE: growth lines, findings, sortable tables"),
		CLI_OPT(0, "top", CLI_COUNT, &o->top, "N", "rows per ranked table (default 20 for diff, 15 otherwise)"),
		CLI_OPT(0, "handle-edges", CLI_NUMBER, &o->th.handle_edges, "N",
			"check: (Handle scope) / (Global handles) edges (default 1000)"),
		CLI_OPT(0, "min-objects", CLI_NUMBER, &o->th.min_objects, "N",
			"check: objects of one holder group (class + retainer path), over the judged intervals, "
			"with half of it objects created then and still alive at the end (default 20)"),
		CLI_OPT(0, "warmup", CLI_STRING, &o->warmup, "N|auto",
			"check: first intervals not judged (auto: 1 with 4 intervals or more, else 0)"),
		CLI_OPT(0, "detached-nodes", CLI_NUMBER, &o->th.detached_nodes, "N",
			"check: detached native nodes (default 100)"),
		CLI_OPT(0, "string-bytes", CLI_BYTES, &o->th.string_bytes, "SIZE",
			"check: bytes of strings (default 1048576; K, M, G: binary units)"),
	};
	const struct cli_spec spec = { series_usage, options, LH_ARRAY_LEN(options), min_args, max_args, false, NULL };
	int status = cli_parse_options(argc, argv, &spec, first);
	if (status < 0 && o->html && o->json)
		return cli_usage_error("--json and --html do not go together");
	if (status >= 0 || !o->warmup || !strcmp(o->warmup, "auto"))
		return status;
	char *end;
	unsigned long v = strtoul(o->warmup, &end, 10);
	if (end == o->warmup || *end || o->warmup[0] == '-' || v > 1000)
		return cli_usage_error("--warmup expects a number of intervals or auto, not '%s'", o->warmup);
	o->th.warmup = (unsigned)v;
	return status;
}

/* Reads one snapshot of a diff into a digest; the snapshot itself is returned only when keep is set. */
static struct heap_snapshot *digest_file(const char *path, struct strmap *classes, struct snapshot_digest *d, bool keep,
					 int *status)
{
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, false, &err);
	if (!s) {
		*status = cli_input_error(path, &err);
		return NULL;
	}
	digest_build(d, s, path, classes, NULL);
	if (keep)
		return s;
	heap_snapshot_free(s);
	return NULL;
}

/* Writes trend's or check's page (findings NULL for trend's) to path; returns status, or 4 when it cannot. */
static int write_html(const char *path, const struct trend *t, const struct leak_findings *findings, size_t top,
		      int status)
{
	FILE *out = fopen(path, "w");
	if (out) {
		if (findings)
			check_print_html(out, t, findings, top);
		else
			trend_print_html(out, t, top);
	}
	if (!out || ferror(out) | (fclose(out) != 0)) {
		fprintf(stderr, "leakhound: cannot write '%s': %s\n", path, strerror(errno));
		return LH_EXIT_INTERNAL;
	}
	return status;
}

int cmd_diff(int argc, char **argv)
{
	struct series_options o = { .top = 20, .th = leak_default_thresholds };
	int first, status = parse_series_options(argc, argv, &o, 2, 2, &first);
	if (status >= 0)
		return status;
	if (o.html)
		return cli_usage_error("diff has no --html page (trend and check do)");
	struct strmap classes = { 0 };
	struct snapshot_digest a = { 0 }, b = { 0 };
	struct heap_snapshot *after = NULL;
	struct lh_error err = { 0 };
	status = LH_EXIT_BAD_INPUT;
	digest_file(argv[first], &classes, &a, false, &status);
	if (a.path)
		after = digest_file(argv[first + 1], &classes, &b, true, &status);
	if (after && !digest_same_process(&a, &b, &err))
		status = cli_input_error(argv[first + 1], &err);
	else if (after) {
		struct compare cmp;
		compare_digests(&a, &b, classes.count, &cmp);
		struct retention *ret = retention_compute(after, RETENTION_DEVTOOLS);
		uint32_t *largest = lh_malloc(o.top * sizeof(uint32_t));
		size_t largest_count = compare_largest_new(after, ret, &a, &b, o.top, largest);
		struct diff_report report = { &a, &b, &classes, &cmp, after, ret, largest, largest_count, o.top };
		if (o.json)
			diff_print_json(stdout, &report);
		else {
			FILE *text = text_stream_open(stdout);
			diff_print_text(text, &report);
			fclose(text);
		}
		free(largest);
		retention_free(ret);
		compare_free(&cmp);
		status = cli_finish_output(LH_EXIT_OK);
	}
	heap_snapshot_free(after);
	digest_free(&a);
	digest_free(&b);
	strmap_free(&classes);
	return status;
}

int cmd_trend(int argc, char **argv)
{
	struct series_options o = { .top = 15, .th = leak_default_thresholds };
	int first, status = parse_series_options(argc, argv, &o, 2, SIZE_MAX, &first);
	if (status >= 0)
		return status;
	struct trend t = { 0 };
	struct heap_snapshot *last = load_series(argv + first, (size_t)(argc - first), &t, &status);
	if (last) {
		if (o.html)
			status = write_html(o.html, &t, NULL, o.top, LH_EXIT_OK);
		else if (o.json)
			trend_print_json(stdout, &t, o.top);
		else {
			FILE *text = text_stream_open(stdout);
			trend_print_text(text, &t, last, o.top);
			fclose(text);
		}
		if (!o.html)
			status = cli_finish_output(LH_EXIT_OK);
	}
	heap_snapshot_free(last);
	trend_free(&t);
	return status;
}

int cmd_check(int argc, char **argv)
{
	struct series_options o = { .top = 15, .th = leak_default_thresholds };
	int first, status = parse_series_options(argc, argv, &o, 3, SIZE_MAX, &first);
	if (status >= 0)
		return status;
	struct trend t = { 0 };
	struct heap_snapshot *last = load_series(argv + first, (size_t)(argc - first), &t, &status);
	if (last) {
		struct leak_findings findings;
		leak_rules_apply(&t, last, &o.th, &findings);
		status = findings.count ? LH_EXIT_FINDING : LH_EXIT_OK;
		if (o.html)
			status = write_html(o.html, &t, &findings, o.top, status);
		else if (o.json)
			check_print_json(stdout, &t, &findings);
		else {
			FILE *text = text_stream_open(stdout);
			check_print_text(text, &t, &findings);
			fclose(text);
		}
		if (!o.html)
			status = cli_finish_output(status);
		leak_findings_free(&findings);
	}
	heap_snapshot_free(last);
	trend_free(&t);
	return status;
}
