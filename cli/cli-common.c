/*
 * cli-common.c - what every subcommand shares: error lines, option values,
 * the progress line while a snapshot loads, and checked output.
 */
#include "builtin.h"

#include <errno.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

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
