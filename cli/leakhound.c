/*
 * leakhound.c - the command dispatcher: global options and commands[].
 *
 * Each subcommand lives in cli/cmd-<name>.c (see builtin.h for how to add
 * one); this file only finds it by name.
 */
#include "builtin.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "summary", cmd_summary, "what a heap snapshot holds, including what DevTools hides, and findings" },
	{ "top", cmd_top, "the largest retained sizes, by object or class (DevTools' or memlab's numbers)" },
	{ "show", cmd_show, "one node: sizes, distance, dominator, edges in and out" },
	{ "path", cmd_path, "shortest retainer paths from the GC roots to a node" },
	{ "roots", cmd_roots, "what each GC root holds, including what DevTools' rules hide" },
	{ "diff", cmd_diff, "objects new and freed between two snapshots, per class, type and GC root" },
	{ "trend", cmd_trend, "what grows over a series of snapshots, ranked, with leak candidates" },
	{ "check", cmd_check, "leak findings over a series of snapshots; exit 1 when a leak is suspected" },
	{ "run", cmd_run, "run a program with the native allocation tracker, writing a .lhtrace" },
	{ "redact", cmd_redact, "a heap snapshot with its strings replaced by keyed hashes, safe to share" },
	{ "report", cmd_report, "what grew in a .lhtrace (allocation sites ranked by growth), or a watch's verdict" },
	{ "watch", cmd_watch, "the whole hunt: run a node service watched, JS heap and native, with a verdict" },
};

static void print_help(FILE *out)
{
	fprintf(out, "usage: leakhound <command> [options] [args]\n\n"
		     "leakhound finds memory leaks in Node.js processes and the native code they load.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < LH_ARRAY_LEN(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nRun 'leakhound help <command>' (or 'leakhound <command> --help') for a command's options;\n"
		     "'leakhound --version' for the version.\n\n"
		     "Exit status:\n"
		     "  0  success, nothing suspected\n"
		     "  1  success, and a leak is suspected (commands that check)\n"
		     "  2  bad input: a file is unreadable, malformed or inconsistent\n"
		     "  3  bad command line\n"
		     "  4  internal failure: out of memory, or the output could not be written\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < LH_ARRAY_LEN(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int run_command(const struct command *c, int argc, char **argv)
{
	cli_set_command(c->name, c->help);
	return c->run(argc, argv);
}

/* `leakhound help CMD`: the command's --help. */
static int help_command(const char *name)
{
	const struct command *c = find_command(name);
	if (!c)
		return cli_usage_error("no command '%s'", name);
	char *argv[] = { (char *)c->name, (char *)"--help", NULL };
	return run_command(c, 2, argv);
}

/* Hidden, for make man and the bash completion: leakhound(1) in roff, and the command names. */
static int print_main_man(void)
{
	const char *names[LH_ARRAY_LEN(commands)], *summaries[LH_ARRAY_LEN(commands)];
	for (size_t i = 0; i < LH_ARRAY_LEN(commands); i++) {
		names[i] = commands[i].name;
		summaries[i] = commands[i].help;
	}
	cli_print_main_man(stdout, names, summaries, LH_ARRAY_LEN(commands));
	return cli_finish_output(LH_EXIT_OK);
}

static int list_commands(void)
{
	for (size_t i = 0; i < LH_ARRAY_LEN(commands); i++)
		printf("%s\n", commands[i].name);
	printf("help\n");
	return cli_finish_output(LH_EXIT_OK);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return print_help(stderr), LH_EXIT_USAGE;
	const char *name = argv[1];
	if (!strcmp(name, "help") && argc == 3)
		return help_command(argv[2]);
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || (!strcmp(name, "help") && argc == 2)) {
		print_help(stdout);
		return cli_finish_output(LH_EXIT_OK);
	}
	if (!strcmp(name, "--version")) {
		printf("leakhound %s\n", LEAKHOUND_VERSION);
		return cli_finish_output(LH_EXIT_OK);
	}
	if (!strcmp(name, "--man-page"))
		return print_main_man();
	if (!strcmp(name, "--list-commands"))
		return list_commands();
	const struct command *c = find_command(name);
	if (c)
		return run_command(c, argc - 1, argv + 1);
	return cli_usage_error("unknown command '%s'", name);
}
