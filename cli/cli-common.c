/*
 * cli-common.c - what every subcommand shares: error lines, option values,
 * the progress line while a snapshot loads, and checked output.
 */
#include "builtin.h"

#include "../src/trace/symbolize.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

static const char *command_name = "", *command_summary = ""; /* cli_set_command() */

void cli_warn_stale_modules(const struct symbolizer *sym)
{
	size_t n;
	const struct sym_stale *stale = symbolizer_stale(sym, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "leakhound: warning: %s is not the file that ran (%s): its frames are left unnamed\n",
			stale[i].path, stale[i].why);
}

int cli_input_error(const char *file, const struct lh_error *err)
{
	char line[512];
	lh_error_format(err, file, line, sizeof(line));
	fprintf(stderr, "leakhound: %s\n", line);
	return LH_EXIT_BAD_INPUT;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("leakhound: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (*command_name)
		fprintf(stderr, " (see 'leakhound %s --help')\n", command_name);
	else
		fputs(" (see 'leakhound --help')\n", stderr);
	va_end(ap);
	return LH_EXIT_USAGE;
}

bool cli_parse_count(const char *option, const char *value, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (errno || end == value || *end || v == 0 || v > 1000000 || value[0] == '-') {
		cli_usage_error("%s expects a count from 1 to 1000000, not '%s'", option, value);
		return false;
	}
	*out = (size_t)v;
	return true;
}

struct progress_line {
	const char *path;
	struct timespec last;
	bool shown;
};

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress_line *p = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double since = (double)(now.tv_sec - p->last.tv_sec) + (double)(now.tv_nsec - p->last.tv_nsec) / 1e9;
	if (since < 0.2)
		return;
	p->last = now;
	p->shown = true;
	if (total)
		fprintf(stderr, "\rleakhound: reading %s: %3.0f%% of %.0f MB ", p->path, 100.0 * (double)done / (double)total,
			(double)total / 1e6);
	else
		fprintf(stderr, "\rleakhound: reading %s: %.0f MB ", p->path, (double)done / 1e6);
}

struct heap_snapshot *cli_read_snapshot(const char *path, bool lenient, struct lh_error *err)
{
	struct progress_line line = { .path = path };
	clock_gettime(CLOCK_MONOTONIC, &line.last);
	struct heap_read_options opts = { .lenient_edges = lenient };
	if (isatty(STDERR_FILENO)) {
		opts.progress = show_progress;
		opts.progress_ctx = &line;
	}
	struct heap_snapshot *s = heap_snapshot_read(path, &opts, err);
	if (line.shown)
		fputs("\r\033[K", stderr);
	return s;
}

bool cli_find_lib_file(const char *name, const char *env, char *out, size_t size)
{
	const char *value = getenv(env);
	if (value && *value) {
		snprintf(out, size, "%s", value);
		return access(out, R_OK) == 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	static const char *const places[] = { "%s/%s", "%s/../lib/leakhound/%s" };
	for (size_t i = 0; i < LH_ARRAY_LEN(places); i++) {
		int len = snprintf(out, size, places[i], exe, name);
		if (len >= 0 && (size_t)len < size && access(out, R_OK) == 0)
			return true;
	}
	return false;
}

int cli_finish_output(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "leakhound: cannot write the output: %s\n", strerror(errno));
		return LH_EXIT_INTERNAL;
	}
	return status;
}

int cli_find_node(const char *file, const struct heap_snapshot *s, const char *ref, uint32_t *node)
{
	const char *digits = ref[0] == '@' ? ref + 1 : ref;
	char *end;
	errno = 0;
	unsigned long long id = strtoull(digits, &end, 10);
	if (errno || end == digits || *end || digits[0] == '-' || id > UINT32_MAX)
		return cli_usage_error("'%s' is not a node reference (expected @ID, the snapshot's node id)", ref);
	*node = heap_node_by_id(s, (uint32_t)id);
	if (*node == UINT32_MAX) {
		fprintf(stderr, "leakhound: %s: no node with id @%llu in this snapshot\n", file, id);
		return LH_EXIT_BAD_INPUT;
	}
	return LH_EXIT_OK;
}

bool cli_parse_retention(const char *value, enum retention_mode *mode)
{
	if (retention_mode_parse(value, mode))
		return true;
	cli_usage_error("--retention takes devtools, memlab or all-edges, not '%s'", value);
	return false;
}

/* Applies a size suffix (K, KB, KiB, M, ... G: binary units) at *end, advancing past it; sets errno on overflow. */
static unsigned long long scale_by_unit(unsigned long long v, char **end)
{
	static const char units[] = "KMG";
	const char *u = strchr(units, (*end)[0] & ~0x20);
	if (!**end || !u)
		return v;
	unsigned shift = 10 * (unsigned)(u - units + 1);
	char *p = *end + 1;
	if ((*p & ~0x20) == 'I')
		p++;
	if ((*p & ~0x20) == 'B')
		p++;
	*end = p;
	if (v > (ULLONG_MAX >> shift)) {
		errno = ERANGE;
		return v;
	}
	return v << shift;
}

/* A byte count, with K, M, G (binary units) or none; a usage error naming option if it is not one. */
static bool parse_number(const char *option, const char *value, bool positive, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (!positive && !errno && end != value)
		v = scale_by_unit(v, &end);
	if (errno || end == value || *end || value[0] == '-' || (positive && v == 0)) {
		cli_usage_error("%s expects %s, not '%s'", option, positive ? "a positive number" : "a byte count", value);
		return false;
	}
	*out = v;
	return true;
}

bool cli_parse_bytes(const char *option, const char *value, uint64_t *out)
{
	return parse_number(option, value, false, out);
}

static bool set_option(const struct cli_option *o, const char *value)
{
	char flag[64];
	snprintf(flag, sizeof(flag), "--%s", o->name);
	switch (o->kind) {
	case CLI_FLAG:
		if (!o->target) /* --help and --version are answered before they get here */
			return false;
		*(bool *)o->target = true;
		return true;
	case CLI_COUNT:
		return cli_parse_count(flag, value, o->target);
	case CLI_NUMBER:
	case CLI_BYTES:
		return parse_number(flag, value, o->kind == CLI_NUMBER, o->target);
	case CLI_RETENTION:
		return cli_parse_retention(value, o->target);
	case CLI_STRING:
		*(const char **)o->target = value;
		return true;
	case CLI_CHOICE: {
		size_t len = strlen(value);
		for (const char *c = o->choices; *c;) {
			size_t n = strcspn(c, " ");
			if (n == len && !strncmp(c, value, n)) {
				*(const char **)o->target = value;
				return true;
			}
			c += n + (c[n] == ' ');
		}
		cli_usage_error("%s takes one of: %s; not '%s'", flag, o->choices, value);
		return false;
	}
	}
	return false;
}

/* The line of usage for this command ("leakhound trend ..."), when the text covers several. */
static const char *usage_line(const char *usage, const char *command)
{
	char needle[64];
	snprintf(needle, sizeof(needle), "leakhound %s ", command);
	const char *line = strstr(usage, needle);
	if (!line)
		line = strncmp(usage, "usage: ", 7) ? usage : usage + 7;
	return line;
}

/* ---- usage text, man page and completion, from the option table ---- */

void cli_set_command(const char *name, const char *summary)
{
	command_name = name;
	command_summary = summary;
}

static const struct cli_option help_option = CLI_OPT('h', "help", CLI_FLAG, NULL, NULL, "this help, then exit");
static const struct cli_option version_option = CLI_OPT(0, "version", CLI_FLAG, NULL, NULL,
							"leakhound's version, then exit");

static const char exit_statuses[] =
	"0 success, nothing suspected; 1 success, and a leak is suspected (commands that check); "
	"2 bad input: a file is unreadable, malformed or inconsistent; 3 bad command line; "
	"4 internal failure: out of memory, or the output could not be written.";

/* "-o, --output FILE" or "--top N". */
static void option_label(const struct cli_option *o, char *buf, size_t size)
{
	const char *space = o->arg ? " " : "", *arg = o->arg ? o->arg : "";
	if (o->short_name)
		snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->name, space, arg);
	else
		snprintf(buf, size, "--%s%s%s", o->name, space, arg);
}

/* Prints text filled to 79 columns, every line indented by indent (the first after `used` columns already). */
static void print_filled(FILE *out, const char *text, size_t indent, size_t used)
{
	size_t col = used;
	for (const char *w = text; *w;) {
		w += strspn(w, " \n");
		size_t n = strcspn(w, " \n");
		if (!n)
			break;
		if (col > indent && col + 1 + n > 79) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		} else if (col < indent) {
			fprintf(out, "%*s", (int)(indent - col), "");
			col = indent;
		}
		fwrite(w, 1, n, out);
		col += n;
		w += n;
	}
	fputc('\n', out);
}

static void print_option_help(FILE *out, const struct cli_option *o)
{
	char label[96];
	option_label(o, label, sizeof(label));
	fprintf(out, "  %s", label);
	size_t used = 2 + strlen(label);
	if (used + 2 > 24) {
		fputc('\n', out);
		used = 0;
	}
	print_filled(out, o->help, 24, used);
}

static void print_usage(FILE *out, const struct cli_spec *spec)
{
	fputs(spec->usage, out);
	fputs("\nOptions:\n", out);
	for (size_t i = 0; i < spec->option_count; i++)
		print_option_help(out, &spec->options[i]);
	print_option_help(out, &help_option);
	print_option_help(out, &version_option);
	if (spec->epilog) {
		fputc('\n', out);
		fputs(spec->epilog, out);
	}
}

/* Writes text for roff: backslashes and dashes escaped, no line starting with a control character. */
static void roff_text(FILE *out, const char *text, size_t len)
{
	bool line_start = true;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (line_start && (c == '.' || c == '\''))
			fputs("\\&", out);
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else
			fputc(c, out);
		line_start = c == '\n';
	}
}

static void roff_line(FILE *out, const char *text)
{
	roff_text(out, text, strlen(text));
	fputc('\n', out);
}

static void man_header(FILE *out, const char *title)
{
	fprintf(out, ".TH %s 1 \"\" \"leakhound %s\" \"leakhound manual\"\n.SH NAME\n", title, LEAKHOUND_VERSION);
}

static void man_exit_status(FILE *out)
{
	fputs(".SH EXIT STATUS\n", out);
	roff_line(out, exit_statuses);
}

/* The command's page: synopsis and description from its usage text, options from its table. */
static void print_man(FILE *out, const struct cli_spec *spec)
{
	char title[64];
	snprintf(title, sizeof(title), "LEAKHOUND-%s", command_name);
	for (char *c = title; *c; c++)
		*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
	man_header(out, title);
	fprintf(out, "leakhound\\-%s \\- ", command_name);
	roff_line(out, command_summary);
	fputs(".SH SYNOPSIS\n.nf\n", out);
	const char *text = spec->usage, *blank = strstr(text, "\n\n");
	size_t synopsis = blank ? (size_t)(blank - text) + 1 : strlen(text);
	for (const char *line = text; line < text + synopsis;) {
		size_t n = strcspn(line, "\n");
		const char *body = !strncmp(line, "usage: ", 7) ? line + 7 : line + strspn(line, " ");
		roff_text(out, body, n - (size_t)(body - line));
		fputc('\n', out);
		line += n + 1;
	}
	fputs(".fi\n.SH DESCRIPTION\n", out);
	for (const char *p = text + synopsis; *p;) {
		size_t n = strcspn(p, "\n");
		if (n == 0)
			fputs(".PP\n", out);
		else if (p[0] == ' ') /* an indented line of a list: kept as a line */
			fputs(".br\n", out), roff_text(out, p, n), fputc('\n', out);
		else
			roff_text(out, p, n), fputc('\n', out);
		p += n + (p[n] == '\n');
	}
	fputs(".SH OPTIONS\n", out);
	for (size_t i = 0; i <= spec->option_count + 1; i++) {
		const struct cli_option *o = i < spec->option_count ? &spec->options[i]
					     : i == spec->option_count ? &help_option : &version_option;
		fputs(".TP\n", out);
		if (o->short_name)
			fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
		fputs("\\fB\\-\\-", out);
		roff_text(out, o->name, strlen(o->name));
		fputs("\\fR", out);
		if (o->arg) {
			fputs(" \\fI", out);
			roff_text(out, o->arg, strlen(o->arg));
			fputs("\\fR", out);
		}
		fputc('\n', out);
		roff_line(out, o->help);
	}
	if (spec->epilog) {
		fputs(".SH NOTES\n", out);
		roff_text(out, spec->epilog, strlen(spec->epilog));
	}
	man_exit_status(out);
	fputs(".SH SEE ALSO\n\\fBleakhound\\fR(1)\n", out);
}

void cli_print_main_man(FILE *out, const char *const *names, const char *const *summaries, size_t count)
{
	man_header(out, "LEAKHOUND");
	roff_line(out, "leakhound - find memory leaks in Node.js processes and the native code they load");
	fputs(".SH SYNOPSIS\n\\fBleakhound\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n"
	      ".br\n\\fBleakhound help\\fR \\fICOMMAND\\fR\n.SH COMMANDS\n", out);
	for (size_t i = 0; i < count; i++) {
		fprintf(out, ".TP\n\\fB%s\\fR\n", names[i]);
		roff_line(out, summaries[i]);
	}
	man_exit_status(out);
	fputs(".SH SEE ALSO\n", out);
	for (size_t i = 0; i < count; i++)
		fprintf(out, "\\fBleakhound\\-%s\\fR(1)%s\n", names[i], i + 1 < count ? "," : "");
}

/* For the bash completion: the options, one per line. */
static void print_option_names(FILE *out, const struct cli_spec *spec)
{
	for (size_t i = 0; i < spec->option_count; i++)
		fprintf(out, "--%s\n", spec->options[i].name);
	fputs("--help\n--version\n", out);
}

/* ---- parsing ---- */

/* The table entry for a long option's name (up to '=' or the end, exactly), or NULL. */
static const struct cli_option *find_long(const struct cli_spec *spec, const char *name, size_t len)
{
	for (size_t i = 0; i < spec->option_count; i++)
		if (strlen(spec->options[i].name) == len && !strncmp(spec->options[i].name, name, len))
			return &spec->options[i];
	return NULL;
}

static const struct cli_option *find_short(const struct cli_spec *spec, char c)
{
	for (size_t i = 0; i < spec->option_count; i++)
		if (spec->options[i].short_name == c)
			return &spec->options[i];
	return NULL;
}

/* What a built-in option asks for: print and return an exit status, or -1 if arg is none of them. */
static int builtin_option(const char *arg, const struct cli_spec *spec)
{
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
		print_usage(stdout, spec);
	else if (!strcmp(arg, "--version"))
		printf("leakhound %s\n", LEAKHOUND_VERSION);
	else if (!strcmp(arg, "--man-page")) /* hidden: make man */
		print_man(stdout, spec);
	else if (!strcmp(arg, "--list-options")) /* hidden: the bash completion */
		print_option_names(stdout, spec);
	else
		return -1;
	return cli_finish_output(LH_EXIT_OK);
}

/*
 * Parses one option token at argv[*i] (its value may be the next token,
 * which *i then moves past). Returns -1 when parsed, or an exit status.
 */
static int parse_option(int argc, char **argv, int *i, const struct cli_spec *spec)
{
	const char *arg = argv[*i];
	int status = builtin_option(arg, spec);
	if (status >= 0)
		return status;
	if (arg[1] == '-') { /* --name or --name=value */
		const char *name = arg + 2, *eq = strchr(name, '=');
		const struct cli_option *o = find_long(spec, name, eq ? (size_t)(eq - name) : strlen(name));
		if (!o)
			return cli_usage_error("%s: unknown option '%.*s'", argv[0], (int)(eq ? eq - arg : (long)strlen(arg)), arg);
		if (o->kind == CLI_FLAG) {
			if (eq)
				return cli_usage_error("%s: --%s takes no value", argv[0], o->name);
			return set_option(o, NULL) ? -1 : LH_EXIT_USAGE;
		}
		const char *value = eq ? eq + 1 : *i + 1 < argc ? argv[++*i] : NULL;
		if (!value)
			return cli_usage_error("%s: --%s needs a value (%s)", argv[0], o->name, o->arg ? o->arg : "");
		return set_option(o, value) ? -1 : LH_EXIT_USAGE;
	}
	for (const char *c = arg + 1; *c; c++) { /* -q, -qo FILE, -oFILE */
		const struct cli_option *o = find_short(spec, *c);
		if (!o)
			return cli_usage_error("%s: unknown option '-%c'", argv[0], *c);
		if (o->kind == CLI_FLAG) {
			if (!set_option(o, NULL))
				return LH_EXIT_USAGE;
			continue;
		}
		const char *value = c[1] ? c + 1 : *i + 1 < argc ? argv[++*i] : NULL;
		if (!value)
			return cli_usage_error("%s: -%c needs a value (%s)", argv[0], *c, o->arg ? o->arg : "");
		return set_option(o, value) ? -1 : LH_EXIT_USAGE;
	}
	return -1;
}

/*
 * Hand-written rather than getopt_long: getopt_long takes any unambiguous
 * prefix of a long option (--to for --top), so adding an option could
 * change what an existing command line means; here names are exact.
 */
int cli_parse_options(int argc, char **argv, const struct cli_spec *spec, int *first)
{
	char **args = lh_malloc((size_t)argc * sizeof(*args));
	size_t nargs = 0;
	int i = 1, status = -1;
	for (; i < argc && status < 0; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') { /* an argument ("-" is standard input) */
			if (spec->args_end_options)
				break;
			args[nargs++] = argv[i];
			continue;
		}
		status = parse_option(argc, argv, &i, spec);
	}
	if (status < 0) {
		/* Options first, then the arguments in their order: argv[*first..] are the arguments. */
		size_t rest = (size_t)(argc - i);
		int options_end = argc - (int)(nargs + rest);
		memmove(argv + options_end + nargs, argv + i, rest * sizeof(*argv));
		memcpy(argv + options_end, args, nargs * sizeof(*argv));
		nargs += rest;
		*first = options_end;
	}
	free(args);
	if (status >= 0)
		return status;
	if (nargs < spec->min_args || nargs > spec->max_args) {
		const char *line = usage_line(spec->usage, argv[0]);
		return cli_usage_error("wrong number of arguments; usage: %.*s", (int)strcspn(line, "\n"), line);
	}
	return -1;
}
