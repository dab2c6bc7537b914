/*
 * cmd-top.c - `leakhound top [--by object|class] [--top N] [--retention MODE] [--json] FILE`.
 */
#include "builtin.h"

#include <getopt.h>

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
	enum { OPT_JSON = 256, OPT_TOP, OPT_ALL, OPT_BY, OPT_RETENTION, OPT_HELP };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "by", required_argument, NULL, OPT_BY },
		{ "retention", required_argument, NULL, OPT_RETENTION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, by_class = false, all = false;
	size_t top = 20;
	enum retention_mode mode = RETENTION_DEVTOOLS;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_ALL: all = true; break;
		case OPT_TOP:
			if (!cli_parse_count("--top", optarg, &top))
				return LH_EXIT_USAGE;
			break;
		case OPT_BY:
			if (strcmp(optarg, "object") && strcmp(optarg, "class"))
				return cli_usage_error("--by takes 'object' or 'class', not '%s'", optarg);
			by_class = !strcmp(optarg, "class");
			break;
		case OPT_RETENTION:
			if (!cli_parse_retention(optarg, &mode))
				return LH_EXIT_USAGE;
			break;
		case OPT_HELP:
			fputs(top_usage, stdout);
			return cli_finish_output(LH_EXIT_OK);
		default:
			return cli_usage_error("top: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("top takes exactly one snapshot file");
	const char *path = argv[optind];
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, false, &err);
	if (!s)
		return cli_input_error(path, &err);
	struct retention *ret = retention_compute(s, mode);
	struct heap_classes *classes = heap_classes_compute(s);
	struct class_stats *stats = by_class ? class_stats_compute(s, ret, classes) : NULL;
	struct top_report report = { path, s, ret, classes, stats, top, all };
	if (json)
		top_print_json(stdout, &report);
	else
		top_print_text(stdout, &report);
	class_stats_free(stats);
	heap_classes_free(classes);
	retention_free(ret);
	heap_snapshot_free(s);
	return cli_finish_output(LH_EXIT_OK);
}
