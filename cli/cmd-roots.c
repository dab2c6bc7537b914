/*
 * cmd-roots.c - `leakhound roots [--top N] [--json] FILE`.
 */
#include "builtin.h"

#include <getopt.h>

#include "../src/report/retention_report.h"

static const char roots_usage[] =
	"usage: leakhound roots [--json] FILE\n"
	"\n"
	"Every GC sub-root under \"(GC roots)\", by position: its edges, distinct\n"
	"targets, largest target groups, the bytes only it keeps alive with every\n"
	"strong edge counted (next to DevTools' retained size, which ignores edges\n"
	"from GC roots into what the global object reaches), and for handle roots\n"
	"the native memory of the handles themselves.\n";

int cmd_roots(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_HELP };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_HELP:
			fputs(roots_usage, stdout);
			return cli_finish_output(LH_EXIT_OK);
		default:
			return cli_usage_error("roots: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("roots takes exactly one snapshot file");
	const char *path = argv[optind];
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, false, &err);
	if (!s)
		return cli_input_error(path, &err);
	struct summary_options sopts = { .top = 0 };
	struct heap_summary *sum = heap_summary_compute(s, &sopts);
	struct retention *all_edges = retention_compute(s, RETENTION_ALL_EDGES);
	struct retention *devtools = retention_compute(s, RETENTION_DEVTOOLS);
	struct roots_report report = { path, s, sum, all_edges, devtools };
	if (json)
		roots_print_json(stdout, &report);
	else
		roots_print_text(stdout, &report);
	retention_free(devtools);
	retention_free(all_edges);
	heap_summary_free(sum);
	heap_snapshot_free(s);
	return cli_finish_output(LH_EXIT_OK);
}
