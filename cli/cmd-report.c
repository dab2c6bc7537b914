/*
 * cmd-report.c - `leakhound report [--json] [--top N] [--stacks N] [--min-growth SIZE] FILE.lhtrace`.
 */
#include "builtin.h"


#include "../src/report/leak_report.h"
#include "../src/report/trace_report.h"
#include "../src/trace/growth.h"
#include "../src/trace/symbolize.h"
#include "../src/trace/trace_reader.h"

static const char report_usage[] =
	"usage: leakhound report [--json] [--top N] [--stacks N] [--min-growth SIZE] [--show-kinds LIST] FILE.lhtrace\n"
	"\n"
	"Reads a native allocation trace made by 'leakhound run' and prints the\n"
	"peak and final live memory, then the allocation sites (the innermost\n"
	"frame outside the allocator and the C/C++ runtime) ranked by growth:\n"
	"the least-squares slope of their live bytes over the snapshots. A trace\n"
	"cut short (the program was killed) is reported up to its last snapshot.\n"
	"A trace made with 'run --leak-check' then lists its leak checks (at exit,\n"
	"and each SIGUSR2) and shows the last one as Memcheck would: loss records\n"
	"and LEAK SUMMARY.\n"
	"Run it on the machine that ran the program: frames are named from the\n"
	"binaries and shared objects at the paths the trace recorded.\n"
	"\n"
	"  --json       machine-readable output (same facts)\n"
	"  --top N      allocation sites shown (default 10)\n"
	"  --stacks N   call stacks shown under each site (default 3)\n"
	"  --min-growth SIZE  leave out sites whose live bytes grew less over the run\n"
	"               (a byte count, or with KB, MB, GB: binary units)\n"
	"  --show-kinds LIST  loss records shown of the last leak check: a comma list of\n"
	"               definite, indirect, possible, reachable; or all, none\n"
	"               (default definite,possible; --json has them all)\n";

int cmd_report(int argc, char **argv)
{
	bool json = false;
	size_t top = 10, stacks = 3;
	uint64_t min_growth = 0;
	const char *kinds_text = "definite,possible";
	unsigned kinds;
	const struct cli_option options[] = {
		{ "json", CLI_FLAG, &json, NULL },
		{ "top", CLI_COUNT, &top, NULL },
		{ "stacks", CLI_COUNT, &stacks, NULL },
		{ "min-growth", CLI_BYTES, &min_growth, NULL },
		{ "show-kinds", CLI_STRING, &kinds_text, NULL },
	};
	int first, status = cli_parse_options(argc, argv, options, LH_ARRAY_LEN(options), report_usage, 1, 1, &first);
	if (status >= 0)
		return status;
	const char *path = argv[first];
	if (!leak_parse_kinds(kinds_text, &kinds))
		return cli_usage_error("--show-kinds takes a comma list of definite, indirect, possible, reachable; or all, none; not '%s'",
				       kinds_text);

	struct lh_error err = { 0 };
	struct trace *t = trace_read(path, &err);
	if (!t)
		return cli_input_error(path, &err);
	struct symbolizer *sym = symbolizer_new(t);
	struct growth *g = growth_compute(t, sym);
	struct trace_report report = { path, t, g, sym, top, stacks, (int64_t)LH_MIN(min_growth, (uint64_t)INT64_MAX), kinds };
	if (json)
		trace_print_json(stdout, &report);
	else
		trace_print_text(stdout, &report);
	growth_free(g);
	symbolizer_free(sym);
	trace_free(t);
	return cli_finish_output(LH_EXIT_OK);
}
