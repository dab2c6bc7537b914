/*
 * cmd-show.c - `leakhound show [--retention MODE] [--edges N] [--json] FILE @ID`.
 */
#include "builtin.h"

#include "../src/report/retention_report.h"

static const char show_usage[] =
	"usage: leakhound show [--retention devtools|memlab|all-edges] [--edges N] [--json] FILE @ID\n"
	"\n"
	"One node: type, class, name, id, self and retained size, distance,\n"
	"dominator, and its outgoing and incoming edges (first N each, default 20).\n";

int cmd_show(int argc, char **argv)
{
	bool json = false;
	size_t max_edges = 20;
	enum retention_mode mode = RETENTION_DEVTOOLS;
	const struct cli_option options[] = {
		CLI_OPT(0, "json", CLI_FLAG, &json, NULL, "machine-readable output (same facts)"),
		CLI_OPT(0, "edges", CLI_COUNT, &max_edges, "N", "edges shown each way (default 20)"),
		CLI_OPT(0, "retention", CLI_RETENTION, &mode, "MODE",
			"whose retained sizes: devtools (default), memlab or all-edges"),
	};
	const struct cli_spec spec = { show_usage, options, LH_ARRAY_LEN(options), 2, 2, false, NULL };
	int first, status = cli_parse_options(argc, argv, &spec, &first);
	if (status >= 0)
		return status;
	const char *path = argv[first];
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, false, &err);
	if (!s)
		return cli_input_error(path, &err);
	uint32_t node;
	status = cli_find_node(path, s, argv[first + 1], &node);
	if (status == LH_EXIT_OK) {
		struct retention *ret = retention_compute(s, mode);
		struct heap_classes *classes = heap_classes_compute(s);
		struct show_report report = { path, s, ret, classes, node, max_edges };
		if (json)
			show_print_json(stdout, &report);
		else {
			FILE *text = text_stream_open(stdout);
			show_print_text(text, &report);
			fclose(text);
		}
		heap_classes_free(classes);
		retention_free(ret);
		status = cli_finish_output(LH_EXIT_OK);
	}
	heap_snapshot_free(s);
	return status;
}
