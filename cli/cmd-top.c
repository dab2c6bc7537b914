/*
 * cmd-top.c - `leakhound top [--by object|class] [--top N | --all] [--retention MODE] [--json] FILE`.
 */
#include "builtin.h"

#include "../src/report/retention_report.h"

static const char top_usage[] =
	"usage: leakhound top [--by object|class] [--top N | --all] [--retention devtools|memlab|all-edges] [--json] FILE\n"
	"\n"
	"The largest retained sizes: objects (default) or classes, with DevTools'\n"
	"numbers by default or memlab's with --retention memlab.\n"
	"\n"
	"  --top N      rows (default 20; synthetic roots are left out)\n"
	"  --all        every node, synthetic roots too (or every class), no limit\n";

int cmd_top(int argc, char **argv)
{
	bool json = false, all = false;
	size_t top = 20;
	const char *by = "object";
	enum retention_mode mode = RETENTION_DEVTOOLS;
	const struct cli_option options[] = {
		{ "json", CLI_FLAG, &json, NULL },
		{ "all", CLI_FLAG, &all, NULL },
		{ "top", CLI_COUNT, &top, NULL },
		{ "by", CLI_CHOICE, &by, "object class" },
		{ "retention", CLI_RETENTION, &mode, NULL },
	};
	int first, status = cli_parse_options(argc, argv, options, LH_ARRAY_LEN(options), top_usage, 1, 1, &first);
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
