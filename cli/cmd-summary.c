/*
 * cmd-summary.c - `leakhound summary [--json] [--top N] [--lenient] FILE`.
 */
#include "builtin.h"

#include "../src/analysis/findings.h"
#include "../src/analysis/summary.h"
#include "../src/report/summary_report.h"

static const char summary_usage[] =
	"usage: leakhound summary [--json] [--top N] [--lenient] FILE\n"
	"\n"
	"Reads a V8 heap snapshot (.heapsnapshot, gzip'd or not, '-' for stdin) and\n"
	"prints what a leak hunter needs first: findings, totals, node types, top\n"
	"classes, every GC root with its edge count, and the nodes with the largest\n"
	"fan-out with where their edges point.\n";

int cmd_summary(int argc, char **argv)
{
	bool json = false, lenient = false;
	struct summary_options sopts = { .top = 10 };
	struct findings_thresholds th = findings_default_thresholds;
	const struct cli_option options[] = {
		CLI_OPT(0, "json", CLI_FLAG, &json, NULL, "machine-readable output (same facts)"),
		CLI_OPT(0, "top", CLI_COUNT, &sopts.top, "N", "rows per ranked table (default 10)"),
		CLI_OPT(0, "lenient", CLI_FLAG, &lenient, NULL,
			"keep going past edges whose to_node is not a node offset (counted and flagged; by "
			"default such a file is rejected)"),
		CLI_OPT(0, "handle-scope-edges", CLI_NUMBER, &th.handle_scope_edges, "N",
			"(Handle scope) edges that make a finding (default 10000)"),
		CLI_OPT(0, "global-handles-edges", CLI_NUMBER, &th.global_handles_edges, "N",
			"(Global handles) edges that make a finding (default 100000)"),
		CLI_OPT(0, "detached-nodes", CLI_NUMBER, &th.detached_nodes, "N",
			"detached DOM (embedder) nodes that make a finding (default 100)"),
	};
	const struct cli_spec spec = { summary_usage, options, LH_ARRAY_LEN(options), 1, 1, false, NULL };
	int first, status = cli_parse_options(argc, argv, &spec, &first);
	if (status >= 0)
		return status;
	const char *path = argv[first];
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, lenient, &err);
	if (!s)
		return cli_input_error(path, &err);
	struct heap_summary *sum = heap_summary_compute(s, &sopts);
	struct findings findings;
	findings_compute(s, sum, &th, &findings);
	struct summary_report report = { path, s, sum, &findings, sopts.top };
	if (json)
		summary_print_json(stdout, &report);
	else {
		FILE *text = text_stream_open(stdout);
		summary_print_text(text, &report);
		fclose(text);
	}
	heap_summary_free(sum);
	heap_snapshot_free(s);
	return cli_finish_output(LH_EXIT_OK);
}
