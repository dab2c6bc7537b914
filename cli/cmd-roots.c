/*
 * cmd-roots.c - `leakhound roots [--json] FILE`.
 */
#include "builtin.h"

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
	bool json = false;
	const struct cli_option options[] = {
		CLI_OPT(0, "json", CLI_FLAG, &json, NULL, "machine-readable output (same facts)"),
	};
	const struct cli_spec spec = { roots_usage, options, LH_ARRAY_LEN(options), 1, 1, false, NULL };
	int first, status = cli_parse_options(argc, argv, &spec, &first);
	if (status >= 0)
		return status;
	const char *path = argv[first];
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
	else {
		FILE *text = text_stream_open(stdout);
		roots_print_text(text, &report);
		fclose(text);
	}
	retention_free(devtools);
	retention_free(all_edges);
	heap_summary_free(sum);
	heap_snapshot_free(s);
	return cli_finish_output(LH_EXIT_OK);
}
