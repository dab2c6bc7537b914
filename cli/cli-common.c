/*
 * cli-common.c - what every subcommand shares: error lines, option values,
 * the progress line while a snapshot loads, and checked output.
 */
#include "builtin.h"

#include "../src/trace/symbolize.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

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
	fputs(" (see leakhound --help)\n", stderr);
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

int cli_parse_options(int argc, char **argv, const struct cli_option *options, size_t count, const char *usage,
		      size_t min_args, size_t max_args, int *first)
{
	struct option *table = lh_calloc(count + 2, sizeof(*table));
	for (size_t i = 0; i < count; i++)
		table[i] = (struct option){ options[i].name, options[i].kind == CLI_FLAG ? no_argument : required_argument,
					    NULL, (int)(256 + i) };
	table[count] = (struct option){ "help", no_argument, NULL, 'h' };
	int status = -1, c;
	optind = 1;
	opterr = 0;
	while (status < 0 && (c = getopt_long(argc, argv, "h", table, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			status = cli_finish_output(LH_EXIT_OK);
		} else if (c >= 256 && (size_t)(c - 256) < count) {
			if (!set_option(&options[c - 256], optarg))
				status = LH_EXIT_USAGE;
		} else {
			status = cli_usage_error("%s: unknown option or missing value: '%s'", argv[0], argv[optind - 1]);
		}
	}
	free(table);
	if (status >= 0)
		return status;
	size_t args = (size_t)(argc - optind);
	if (args < min_args || args > max_args) {
		const char *line = usage_line(usage, argv[0]);
		return cli_usage_error("wrong number of arguments; usage: %.*s", (int)strcspn(line, "\n"), line);
	}
	*first = optind;
	return -1;
}
