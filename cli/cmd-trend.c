/*
 * cmd-trend.c - `leakhound diff`, `trend` and `check`: snapshots of one
 * process compared over time. They share the loading loop: snapshots are
 * read one at a time, oldest first, and only digests are kept, the newest
 * snapshot staying loaded for retainer paths.
 */
#include "builtin.h"

#include <getopt.h>

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
	size_t top;
	struct leak_thresholds th;
};

static const char series_usage[] =
	"usage: leakhound diff [--json] [--top N] BEFORE AFTER\n"
	"       leakhound trend [--json] [--top N] S1 S2 [S3 ...]\n"
	"       leakhound check [--json] [thresholds] S1 S2 S3 [...]\n"
	"\n"
	"Snapshots of one process, oldest first (ids must match: another process is an error).\n"
	"  diff    per class and node type: objects new and freed (matched by id), GC root\n"
	"          edge deltas, largest new objects by retained size\n"
	"  trend   growth series and rates of every class, GC root and total; leak candidates\n"
	"          (objects new in S2 and alive in every later snapshot) with retainer paths\n"
	"  check   findings in plain words; exit 1 when a leak is suspected, 0 when not\n"
	"\n"
	"check thresholds (a series must grow in every interval, and by at least):\n"
	"  --handle-edges N      (Handle scope) / (Global handles) edges (default 1000)\n"
	"  --class-objects N     live objects of one class (default 1000, and 10%% of its first count)\n"
	"  --detached-nodes N    detached native nodes (default 100)\n"
	"  --string-bytes N      bytes of strings (default 1048576)\n";

/* Parses the options shared by diff, trend and check; returns optind or -1 (status set). */
static int parse_series_options(int argc, char **argv, struct series_options *o, int *status)
{
	enum { OPT_JSON = 256, OPT_TOP, OPT_HANDLE, OPT_CLASS, OPT_DETACHED, OPT_STRING, OPT_HELP };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "handle-edges", required_argument, NULL, OPT_HANDLE },
		{ "class-objects", required_argument, NULL, OPT_CLASS },
		{ "detached-nodes", required_argument, NULL, OPT_DETACHED },
		{ "string-bytes", required_argument, NULL, OPT_STRING },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	size_t v;
	optind = 1;
	opterr = 0;
	*status = LH_EXIT_USAGE;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: o->json = true; break;
		case OPT_TOP:
			if (!cli_parse_count("--top", optarg, &o->top))
				return -1;
			break;
		case OPT_HANDLE:
		case OPT_CLASS:
		case OPT_DETACHED:
			if (!cli_parse_count(argv[optind - 2], optarg, &v))
				return -1;
			if (c == OPT_HANDLE)
				o->th.handle_edges = v;
			else if (c == OPT_CLASS)
				o->th.class_objects = v;
			else
				o->th.detached_nodes = v;
			break;
		case OPT_STRING: {
			char *end;
			unsigned long long bytes = strtoull(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-')
				return cli_usage_error("--string-bytes expects a byte count, not '%s'", optarg), -1;
			o->th.string_bytes = bytes;
			break;
		}
		case OPT_HELP:
			fputs(series_usage, stdout);
			*status = cli_finish_output(LH_EXIT_OK);
			return -1;
		default:
			cli_usage_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
			return -1;
		}
	}
	return optind;
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
	digest_build(d, s, path, classes);
	if (keep)
		return s;
	heap_snapshot_free(s);
	return NULL;
}

int cmd_diff(int argc, char **argv)
{
	struct series_options o = { .top = 20, .th = leak_default_thresholds };
	int status, first = parse_series_options(argc, argv, &o, &status);
	if (first < 0)
		return status;
	if (argc - first != 2)
		return cli_usage_error("diff takes two snapshots: BEFORE AFTER");
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
		size_t largest_count = compare_largest_new(after, ret, &a, o.top, largest);
		struct diff_report report = { &a, &b, &classes, &cmp, after, ret, largest, largest_count, o.top };
		if (o.json)
			diff_print_json(stdout, &report);
		else
			diff_print_text(stdout, &report);
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
	int status, first = parse_series_options(argc, argv, &o, &status);
	if (first < 0)
		return status;
	if (argc - first < 2)
		return cli_usage_error("trend takes two snapshots or more, oldest first");
	struct trend t = { 0 };
	struct heap_snapshot *last = load_series(argv + first, (size_t)(argc - first), &t, &status);
	if (last) {
		if (o.json)
			trend_print_json(stdout, &t, o.top);
		else
			trend_print_text(stdout, &t, last, o.top);
		status = cli_finish_output(LH_EXIT_OK);
	}
	heap_snapshot_free(last);
	trend_free(&t);
	return status;
}

int cmd_check(int argc, char **argv)
{
	struct series_options o = { .top = 15, .th = leak_default_thresholds };
	int status, first = parse_series_options(argc, argv, &o, &status);
	if (first < 0)
		return status;
	if (argc - first < 3)
		return cli_usage_error("check takes three snapshots or more, oldest first (growth must show in two intervals)");
	struct trend t = { 0 };
	struct heap_snapshot *last = load_series(argv + first, (size_t)(argc - first), &t, &status);
	if (last) {
		struct leak_findings findings;
		leak_rules_apply(&t, last, &o.th, &findings);
		if (o.json)
			check_print_json(stdout, &t, &findings);
		else
			check_print_text(stdout, &t, &findings);
		status = cli_finish_output(findings.count ? LH_EXIT_FINDING : LH_EXIT_OK);
		leak_findings_free(&findings);
	}
	heap_snapshot_free(last);
	trend_free(&t);
	return status;
}
