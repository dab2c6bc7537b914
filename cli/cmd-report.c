/*
 * cmd-report.c - `leakhound report [--json] [--top N] [--stacks N] FILE.lhtrace`.
 */
#include "builtin.h"

#include <getopt.h>

#include "../src/report/trace_report.h"
#include "../src/trace/growth.h"
#include "../src/trace/symbolize.h"
#include "../src/trace/trace_reader.h"

static const char report_usage[] =
	"usage: leakhound report [--json] [--top N] [--stacks N] FILE.lhtrace\n"
	"\n"
	"Reads a native allocation trace made by 'leakhound run' and prints the\n"
	"peak and final live memory, then the allocation sites (the innermost\n"
	"frame outside the allocator and the C/C++ runtime) ranked by growth:\n"
	"the least-squares slope of their live bytes over the snapshots. A trace\n"
	"cut short (the program was killed) is reported up to its last snapshot.\n"
	"Run it on the machine that ran the program: frames are named from the\n"
	"binaries and shared objects at the paths the trace recorded.\n"
	"\n"
	"  --json       machine-readable output (same facts)\n"
	"  --top N      allocation sites shown (default 10)\n"
	"  --stacks N   call stacks shown under each site (default 3)\n";

int cmd_report(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_TOP, OPT_STACKS, OPT_HELP };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "stacks", required_argument, NULL, OPT_STACKS },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	size_t top = 10, stacks = 3;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_TOP:
			if (!cli_parse_count("--top", optarg, &top))
				return LH_EXIT_USAGE;
			break;
		case OPT_STACKS:
			if (!cli_parse_count("--stacks", optarg, &stacks))
				return LH_EXIT_USAGE;
			break;
		case OPT_HELP:
			fputs(report_usage, stdout);
			return cli_finish_output(LH_EXIT_OK);
		default:
			return cli_usage_error("report: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("report takes exactly one trace file (made by 'leakhound run -o FILE')");
	const char *path = argv[optind];

	struct lh_error err = { 0 };
	struct trace *t = trace_read(path, &err);
	if (!t)
		return cli_input_error(path, &err);
	struct symbolizer *sym = symbolizer_new(t);
	struct growth *g = growth_compute(t, sym);
	struct trace_report report = { path, t, g, sym, top, stacks };
	if (json)
		trace_print_json(stdout, &report);
	else
		trace_print_text(stdout, &report);
	growth_free(g);
	symbolizer_free(sym);
	trace_free(t);
	return cli_finish_output(LH_EXIT_OK);
}
