/*
 * cmd-show.c - `leakhound show [--retention MODE] [--edges N] [--json] FILE @ID`.
 */
#include "builtin.h"

#include <getopt.h>

#include "../src/report/retention_report.h"

static const char show_usage[] =
	"usage: leakhound show [--retention devtools|memlab|all-edges] [--edges N] [--json] FILE @ID\n"
	"\n"
	"One node: type, class, name, id, self and retained size, distance,\n"
	"dominator, and its outgoing and incoming edges (first N each, default 20).\n";

int cmd_show(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_EDGES, OPT_RETENTION, OPT_HELP };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "edges", required_argument, NULL, OPT_EDGES },
		{ "retention", required_argument, NULL, OPT_RETENTION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	size_t max_edges = 20;
	enum retention_mode mode = RETENTION_DEVTOOLS;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_EDGES:
			if (!cli_parse_count("--edges", optarg, &max_edges))
				return LH_EXIT_USAGE;
			break;
		case OPT_RETENTION:
			if (!cli_parse_retention(optarg, &mode))
				return LH_EXIT_USAGE;
			break;
		case OPT_HELP:
			fputs(show_usage, stdout);
			return cli_finish_output(LH_EXIT_OK);
		default:
			return cli_usage_error("show: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("show takes a snapshot file and a node reference (@ID)");
	const char *path = argv[optind];
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, false, &err);
	if (!s)
		return cli_input_error(path, &err);
	uint32_t node;
	int status = cli_find_node(path, s, argv[optind + 1], &node);
	if (status == LH_EXIT_OK) {
		struct retention *ret = retention_compute(s, mode);
		struct heap_classes *classes = heap_classes_compute(s);
		struct show_report report = { path, s, ret, classes, node, max_edges };
		if (json)
			show_print_json(stdout, &report);
		else
			show_print_text(stdout, &report);
		heap_classes_free(classes);
		retention_free(ret);
		status = cli_finish_output(LH_EXIT_OK);
	}
	heap_snapshot_free(s);
	return status;
}
