/*
 * cmd-top.c - `leakhound top [--by object|class] [--top N | --all] [--retention MODE] [--json] FILE`.
 */
#include "builtin.h"

#include "../src/report/retention_report.h"

static const char top_usage[] =
	"usage: leakhound top [--by object|class] [--top N | --all]\n"
	"                     [--retention devtools|memlab|all-edges] [--json] FILE\n"
	"\n"
	"The largest retained sizes: objects (default) or classes, with DevTools'\n"
	"numbers by default or memlab's with --retention memlab.\n";

int cmd_top(int argc, char **argv)
{
	bool json = false, all = false;
	size_t top = 20;
	const char *by = "object";
	enum retention_mode mode = RETENTION_DEVTOOLS;
	const struct cli_option options[] = {
		CLI_OPT(0, "json", CLI_FLAG, &json, NULL, "machine-readable output (same facts)"),
		CLI_OPT_CHOICE(0, "by", &by, "object class", "object|class", "rank objects (default) or classes"),
		CLI_OPT(0, "top", CLI_COUNT, &top, "N", "rows (default 20; synthetic roots are left out)"),
		CLI_OPT(0, "all", CLI_FLAG, &all, NULL, "every node, synthetic roots too (or every class), no limit"),
		CLI_OPT(0, "retention", CLI_RETENTION, &mode, "MODE",
			"whose retained sizes: devtools (default), memlab or all-edges"),
	};
	const struct cli_spec spec = { top_usage, options, LH_ARRAY_LEN(options), 1, 1, false, NULL };
	int first, status = cli_parse_options(argc, argv, &spec, &first);
	if (status >= 0)
		return status;
	const char *path = argv[first];
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, false, &err);
	if (!s)
		return cli_input_error(path, &err);
	struct retention *ret = retention_compute(s, mode);
	bool by_class = !strcmp(by, "class");
	/* Classes appear in JSON objects and class rows; the text object table names nodes without them. */
	struct heap_classes *classes = json || by_class ? heap_classes_compute(s) : NULL;
	struct class_stats *stats = by_class ? class_stats_compute(s, ret, classes) : NULL;
	struct top_report report = { path, s, ret, classes, stats, top, all };
	if (json)
		top_print_json(stdout, &report);
	else {
		FILE *text = text_stream_open(stdout);
		top_print_text(text, &report);
		fclose(text);
	}
	class_stats_free(stats);
	heap_classes_free(classes);
	retention_free(ret);
	heap_snapshot_free(s);
	return cli_finish_output(LH_EXIT_OK);
}
