/*
 * cmd-summary.c - `leakhound summary [--json] [--top N] [--lenient] FILE`.
 */
#include "builtin.h"

#include <getopt.h>

#include "../src/analysis/findings.h"
#include "../src/analysis/summary.h"
#include "../src/report/summary_report.h"

static const char summary_usage[] =
	"usage: leakhound summary [--json] [--top N] [--lenient] FILE\n"
	"\n"
	"Reads a V8 heap snapshot (.heapsnapshot, gzip'd or not, '-' for stdin) and\n"
	"prints what a leak hunter needs first: findings, totals, node types, top\n"
	"classes, every GC root with its edge count, and the nodes with the largest\n"
	"fan-out with where their edges point.\n"
	"\n"
	"  --json       machine-readable output (same facts)\n"
	"  --top N      rows per ranked table (default 10)\n"
	"  --lenient    keep going past edges whose to_node is not a node offset\n"
	"               (counted and flagged; by default such a file is rejected)\n"
	"  --handle-scope-edges N   (Handle scope) edges that make a finding (default 10000)\n"
	"  --global-handles-edges N (Global handles) edges that make a finding (default 100000)\n";

int cmd_summary(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_TOP, OPT_LENIENT, OPT_HANDLE_SCOPE, OPT_GLOBAL_HANDLES, OPT_HELP };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "lenient", no_argument, NULL, OPT_LENIENT },
		{ "handle-scope-edges", required_argument, NULL, OPT_HANDLE_SCOPE },
		{ "global-handles-edges", required_argument, NULL, OPT_GLOBAL_HANDLES },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, lenient = false;
	struct summary_options sopts = { .top = 10 };
	struct findings_thresholds th = findings_default_thresholds;
	size_t value;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_LENIENT: lenient = true; break;
		case OPT_TOP:
			if (!cli_parse_count("--top", optarg, &sopts.top))
				return LH_EXIT_USAGE;
			break;
		case OPT_HANDLE_SCOPE:
			if (!cli_parse_count("--handle-scope-edges", optarg, &value))
				return LH_EXIT_USAGE;
			th.handle_scope_edges = value;
			break;
		case OPT_GLOBAL_HANDLES:
			if (!cli_parse_count("--global-handles-edges", optarg, &value))
				return LH_EXIT_USAGE;
			th.global_handles_edges = value;
			break;
		case OPT_HELP:
			fputs(summary_usage, stdout);
			return cli_finish_output(LH_EXIT_OK);
		default:
			return cli_usage_error("summary: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("summary takes exactly one snapshot file");
	const char *path = argv[optind];

	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, lenient, &err);
	if (!s)
		return cli_input_error(path, &err);
	struct heap_summary *sum = heap_summary_compute(s, &sopts);
	struct findings findings;
	findings_compute(s, sum, &th, &findings);
	struct summary_report report = { path, s, sum, &findings };
	if (json)
		summary_print_json(stdout, &report);
	else
		summary_print_text(stdout, &report);
	heap_summary_free(sum);
	heap_snapshot_free(s);
	return cli_finish_output(LH_EXIT_OK);
}
