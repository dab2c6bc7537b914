/*
 * cmd-path.c - `leakhound path [--all] [--max N] [--weak] [--json] FILE @ID`.
 */
#include "builtin.h"

#include "../src/report/retention_report.h"

static const char path_usage[] =
	"usage: leakhound path [--all] [--max N] [--weak] [--json] FILE @ID\n"
	"\n"
	"The shortest retainer path (fewest edges) from the GC roots to a node.\n";

int cmd_path(int argc, char **argv)
{
	bool json = false, all = false, weak = false;
	size_t max = 5;
	const struct cli_option options[] = {
		CLI_OPT(0, "json", CLI_FLAG, &json, NULL, "machine-readable output (same facts)"),
		CLI_OPT(0, "all", CLI_FLAG, &all, NULL, "several paths, one per distinct last retainer, shortest first"),
		CLI_OPT(0, "max", CLI_COUNT, &max, "N", "at most N paths with --all (default 5)"),
		CLI_OPT(0, "weak", CLI_FLAG, &weak, NULL, "follow weak edges too (hidden by default, as in DevTools)"),
	};
	const struct cli_spec spec = { path_usage, options, LH_ARRAY_LEN(options), 2, 2, false, NULL };
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
		size_t want = all ? max : 1;
		struct path_tree *tree = path_tree_build(s, weak);
		struct retainer_path *paths = lh_calloc(want, sizeof(*paths));
		size_t count = paths_to(s, tree, node, want, paths);
		struct path_report report = { path, s, node, count, paths };
		if (json)
			path_print_json(stdout, &report);
		else {
			FILE *text = text_stream_open(stdout);
			path_print_text(text, &report);
			fclose(text);
		}
		for (size_t i = 0; i < count; i++)
			free(paths[i].edges);
		free(paths);
		path_tree_free(tree);
		status = cli_finish_output(LH_EXIT_OK);
	}
	heap_snapshot_free(s);
	return status;
}
