/*
 * cmd-path.c - `leakhound path [--all] [--max N] [--weak] [--json] FILE @ID`.
 */
#include "builtin.h"

#include <getopt.h>

#include "../src/report/retention_report.h"

static const char path_usage[] =
	"usage: leakhound path [--all] [--max N] [--weak] [--json] FILE @ID\n"
	"\n"
	"The shortest retainer path (fewest edges) from the GC roots to a node.\n"
	"  --all      several paths, one per distinct last retainer, shortest first\n"
	"  --max N    at most N paths with --all (default 5)\n"
	"  --weak     follow weak edges too (hidden by default, as in DevTools)\n";

int cmd_path(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_ALL, OPT_MAX, OPT_WEAK, OPT_HELP };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "max", required_argument, NULL, OPT_MAX },
		{ "weak", no_argument, NULL, OPT_WEAK },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, all = false, weak = false;
	size_t max = 5;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_ALL: all = true; break;
		case OPT_WEAK: weak = true; break;
		case OPT_MAX:
			if (!cli_parse_count("--max", optarg, &max))
				return LH_EXIT_USAGE;
			break;
		case OPT_HELP:
			fputs(path_usage, stdout);
			return cli_finish_output(LH_EXIT_OK);
		default:
			return cli_usage_error("path: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("path takes a snapshot file and a node reference (@ID)");
	const char *path = argv[optind];
	struct lh_error err = { 0 };
	struct heap_snapshot *s = cli_read_snapshot(path, false, &err);
	if (!s)
		return cli_input_error(path, &err);
	uint32_t node;
	int status = cli_find_node(path, s, argv[optind + 1], &node);
	if (status == LH_EXIT_OK) {
		size_t want = all ? max : 1;
		struct path_tree *tree = path_tree_build(s, weak);
		struct retainer_path *paths = lh_calloc(want, sizeof(*paths));
		size_t count = paths_to(s, tree, node, want, paths);
		struct path_report report = { path, s, node, count, paths };
		if (json)
			path_print_json(stdout, &report);
		else
			path_print_text(stdout, &report);
		for (size_t i = 0; i < count; i++)
			free(paths[i].edges);
		free(paths);
		path_tree_free(tree);
		status = cli_finish_output(LH_EXIT_OK);
	}
	heap_snapshot_free(s);
	return status;
}
