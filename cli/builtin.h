/*
 * builtin.h - the subcommands of leakhound.
 *
 * Adding a subcommand:
 *   1. write cli/cmd-<name>.c with `int cmd_<name>(int argc, char **argv)`:
 *      parse options, validate, call the library in src/, print;
 *   2. declare it here and add it to commands[] in cli/leakhound.c;
 *   3. document it in the README (usage, --json keys, exit statuses);
 *   4. add tests in tests/e2e/ (numbered by family) and tests/unit/.
 * Subcommands return an exit status from enum lh_exit; only cli/ prints
 * and exits.
 */
#ifndef LH_CLI_BUILTIN_H
#define LH_CLI_BUILTIN_H

#include "../src/common/error.h"
#include "../src/analysis/retention.h"
#include "../src/heap/snapshot.h"
#include "../src/report/text.h"

int cmd_summary(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_roots(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_redact(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* Prints the verdict of watch directory dir (cmd-watch.c); returns the exit status. */
int watch_print_verdict(const char *dir, bool json, uint64_t min_growth);

/* A warning on stderr for each module whose file is not the one that ran (its frames stay unnamed). */
struct symbolizer;
void cli_warn_stale_modules(const struct symbolizer *sym);

/* Prints "leakhound: FILE: byte N: message" on stderr and returns LH_EXIT_BAD_INPUT. */
int cli_input_error(const char *file, const struct lh_error *err);
/* Prints "leakhound: message" on stderr and returns LH_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) LH_PRINTF(1, 2);
/* Reads a snapshot, with a progress line on stderr when it is a terminal. */
struct heap_snapshot *cli_read_snapshot(const char *path, bool lenient, struct lh_error *err);
/* Parses a positive count option value; false (with a message printed) if it is not one. */
bool cli_parse_count(const char *option, const char *value, size_t *out);
/* A byte count with an optional K, M or G (binary units); false after a usage error naming option. */
bool cli_parse_bytes(const char *option, const char *value, uint64_t *out);

#define LEAKHOUND_VERSION "0.1.0"

/*
 * Options are data (as in perf's parse-options): each subcommand lists its
 * options with where their values go and their help text, and
 * cli_parse_options() does the rest: exact long names (no abbreviations:
 * a script written today keeps its meaning when an option is added), short
 * forms, --help and --version, and the usage text, the man page and the
 * shell completion generated from the same table.
 */
enum cli_option_kind {
	CLI_FLAG,       /* bool *: set to true */
	CLI_COUNT,      /* size_t *: a count from 1 to 1000000 */
	CLI_NUMBER,     /* uint64_t *: a positive whole number */
	CLI_BYTES,      /* uint64_t *: a byte count, with an optional K, M or G (binary) suffix */
	CLI_RETENTION,  /* enum retention_mode * */
	CLI_CHOICE,     /* const char **: one of the words in `choices`, space-separated */
	CLI_STRING,     /* const char **: any value (the subcommand validates it) */
};

struct cli_option {
	char short_name;          /* as in -o; 0 for none */
	const char *name;         /* without the leading "--" */
	enum cli_option_kind kind;
	void *target;
	const char *arg;          /* the value's name in the help ("N", "FILE"); NULL for flags */
	const char *help;         /* one sentence or two; the usage wraps it */
	const char *choices;      /* CLI_CHOICE only */
};

#define CLI_OPT(short_, name_, kind_, target_, arg_, help_) \
	{ .short_name = (short_), .name = (name_), .kind = (kind_), .target = (target_), .arg = (arg_), .help = (help_) }
#define CLI_OPT_CHOICE(short_, name_, target_, choices_, arg_, help_)                                     \
	{ .short_name = (short_), .name = (name_), .kind = CLI_CHOICE, .target = (target_), .arg = (arg_), \
	  .help = (help_), .choices = (choices_) }

/* A subcommand's command line. */
struct cli_spec {
	const char *usage;        /* "usage: leakhound NAME ..." line(s), a blank line, what it does */
	const struct cli_option *options;
	size_t option_count;
	size_t min_args, max_args;/* positional arguments (SIZE_MAX: no limit) */
	bool args_end_options;    /* the first positional argument ends the options (run: the command's own) */
	const char *epilog;       /* printed after the options (exit status, environment); may be NULL */
};

/*
 * Parses argv[1..] (argv[0] is the subcommand's name) against spec.
 * Options may follow positional arguments (unless args_end_options), "--"
 * ends them; argv is reordered so that the positional arguments come last.
 * Returns -1 with *first set to the first positional argument, or an exit
 * status to return at once (after printing the help, the version, or an
 * error).
 */
int cli_parse_options(int argc, char **argv, const struct cli_spec *spec, int *first);
/* The dispatcher names the subcommand about to run, for its man page (its one-line summary). */
void cli_set_command(const char *name, const char *summary);
/* Prints leakhound(1) in roff: the commands, the exit statuses. */
void cli_print_main_man(FILE *out, const char *const *names, const char *const *summaries, size_t count);

/*
 * Parses a node reference ("@123" or "123", a snapshot id) and finds it.
 * Returns LH_EXIT_OK with *node set, or prints why not and returns the
 * exit status (usage for a malformed reference, bad input for an id that is
 * not in the file).
 */
int cli_find_node(const char *file, const struct heap_snapshot *s, const char *ref, uint32_t *node);
/* Parses --retention's value; false (message printed) for an unknown mode. */
bool cli_parse_retention(const char *value, enum retention_mode *mode);

/*
 * Finds a file that ships with leakhound (the preload library, agents): the
 * path in environment variable env if set, else name next to the running
 * binary (the build folder), else in ../lib/leakhound/ from it (where make
 * install puts it). False, with out holding the last path tried, if none
 * is readable.
 */
bool cli_find_lib_file(const char *name, const char *env, char *out, size_t size);

/*
 * Flushes stdout and reports a failed write (a full disk, a closed pipe).
 * Text reports print through text_stream_open(stdout) (report/text.h),
 * closed before this, so that a failed write shows here.
 */
int cli_finish_output(int status);


#endif
