/*
 * cmd-report.c - `leakhound report [--json | --format F] [-o FILE] [--top N] [--stacks N] [--min-growth SIZE] FILE.lhtrace`.
 */
#include "builtin.h"

#include <errno.h>
#include <unistd.h>

#include "../src/report/leak_report.h"
#include "../src/report/profile_export.h"
#include "../src/report/trace_html.h"
#include "../src/report/trace_report.h"
#include "../src/trace/growth.h"
#include "../src/trace/symbolize.h"
#include "../src/trace/trace_reader.h"

#include <sys/stat.h>

static const char report_usage[] =
	"usage: leakhound report [--json | --format FORMAT [--sample TYPE]] [-o FILE] [--top N] [--stacks N]\n"
	"                        [--min-growth SIZE] [--show-kinds LIST] FILE.lhtrace\n"
	"       leakhound report [--json] [--min-growth SIZE] DIR\n"
	"\n"
	"DIR, a directory made by 'leakhound watch': its verdict again (see watch --help;\n"
	"exit 1 when a leak is suspected).\n"
	"\n"
	"Reads a native allocation trace made by 'leakhound run' and prints the\n"
	"peak and final live memory, then the allocation sites (the innermost\n"
	"frame outside the allocator and the C/C++ runtime) ranked by sustained\n"
	"growth: those still growing over the last third of the run first (by that\n"
	"slope of their live bytes), then the rest by the whole run's slope; a site\n"
	"whose growth stopped (a cache that filled) says so. A trace\n"
	"cut short (the program was killed) is reported up to its last snapshot;\n"
	"a damaged one (a batch whose checksum does not match) up to the damage,\n"
	"then exit status 2 with the damage's byte offset on stderr.\n"
	"A trace made with 'run --leak-check' then lists its leak checks (at exit,\n"
	"and each SIGUSR2) and shows the last one as Memcheck would: loss records\n"
	"and LEAK SUMMARY.\n"
	"Run it on the machine that ran the program: frames are named from the\n"
	"binaries and shared objects at the paths the trace recorded.\n"
	"--format pprof and folded export the stacks' live and allocated memory for\n"
	"go tool pprof, Pyroscope, Parca, speedscope and flamegraph.pl.\n";

/* Writes the trace in one of the formats profilers read; pprof's binary is never written to a terminal. */
static int export_profile(const char *format, FILE *out, const struct trace *t, struct symbolizer *sym,
			  enum profile_value sample)
{
	if (t->sample_rate) /* folded stacks have no room for it; pprof's comment and period say it too */
		fprintf(stderr, "leakhound: the trace was sampled (run --sample-rate %llu): the values are estimates\n",
			(unsigned long long)t->sample_rate);
	if (!strcmp(format, "folded")) {
		profile_write_folded(out, t, sym, sample);
		return LH_EXIT_OK;
	}
	return profile_write_pprof(out, t, sym, sample) ? LH_EXIT_OK : LH_EXIT_INTERNAL;
}

int cmd_report(int argc, char **argv)
{
	bool json = false;
	size_t top = 10, stacks = 3;
	uint64_t min_growth = 0;
	const char *kinds_text = "definite,possible";
	const char *format = "text", *sample_name = "inuse_space", *output = NULL, *html = NULL;
	unsigned kinds;
	enum profile_value sample;
	const struct cli_option options[] = {
		CLI_OPT(0, "json", CLI_FLAG, &json, NULL, "machine-readable output (same facts; as --format json)"),
		CLI_OPT(0, "top", CLI_COUNT, &top, "N", "allocation sites shown (default 10)"),
		CLI_OPT(0, "stacks", CLI_COUNT, &stacks, "N", "call stacks shown under each site (default 3)"),
		CLI_OPT(0, "min-growth", CLI_BYTES, &min_growth, "SIZE",
			"leave out sites whose live bytes grew less over the run (a byte count, or with KB, MB, "
			"GB: binary units)"),
		CLI_OPT(0, "show-kinds", CLI_STRING, &kinds_text, "LIST",
			"loss records shown of the last leak check: a comma list of definite, indirect, possible, "
			"reachable; or all, none (default definite,possible; --json has them all)"),
		CLI_OPT_CHOICE(0, "format", &format, "text json html pprof folded", "FORMAT",
			       "text (default), json, html (one self-contained page: memory over time, growth of "
			       "the top sites, an icicle graph of live memory, sortable tables), pprof (gzip'd "
			       "profile.proto for go tool pprof, Pyroscope, Parca, speedscope) or folded (folded "
			       "stacks for flamegraph.pl and speedscope)"),
		CLI_OPT(0, "html", CLI_STRING, &html, "FILE", "the page, written to FILE (as --format html -o FILE)"),
		CLI_OPT_CHOICE(0, "sample", &sample_name, profile_value_names, "TYPE",
			       "folded's value, and the type pprof shows first: inuse_space (default: bytes live "
			       "at the end), inuse_objects, alloc_space or alloc_objects (all allocated over the run)"),
		CLI_OPT('o', "output", CLI_STRING, &output, "FILE", "write to FILE instead of standard output"),
	};
	const struct cli_spec spec = { report_usage, options, LH_ARRAY_LEN(options), 1, 1, false, NULL };
	int first, parsed = cli_parse_options(argc, argv, &spec, &first);
	if (parsed >= 0)
		return parsed;
	const char *path = argv[first];
	if (!leak_parse_kinds(kinds_text, &kinds))
		return cli_usage_error("--show-kinds takes a comma list of definite, indirect, possible, reachable; or all, none; not '%s'",
				       kinds_text);
	if (json && strcmp(format, "text") && strcmp(format, "json"))
		return cli_usage_error("--json and --format %s do not go together", format);
	if (json)
		format = "json";
	if (html && (json || output || strcmp(format, "text")))
		return cli_usage_error("--html FILE goes alone: it is --format html -o FILE");
	if (html) {
		format = "html";
		output = html;
	}
	profile_value_parse(sample_name, &sample);
	bool binary = !strcmp(format, "pprof");
	if (binary && !output && isatty(STDOUT_FILENO))
		return cli_usage_error("--format pprof writes binary data: give -o FILE, or redirect standard output");

	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return watch_print_verdict(path, json, min_growth);
	struct lh_error err = { 0 };
	struct trace *t = trace_read(path, &err);
	if (!t)
		return cli_input_error(path, &err);
	FILE *out = output ? fopen(output, binary ? "wb" : "w") : stdout;
	if (!out) {
		fprintf(stderr, "leakhound: cannot write '%s': %s\n", output, strerror(errno));
		trace_free(t);
		return LH_EXIT_INTERNAL;
	}
	struct symbolizer *sym = symbolizer_new(t);
	cli_warn_stale_modules(sym);
	int status = LH_EXIT_OK;
	if (!strcmp(format, "pprof") || !strcmp(format, "folded")) {
		status = export_profile(format, out, t, sym, sample);
	} else {
		struct growth *g = growth_compute(t, sym);
		struct trace_report report = { path, t, g, sym, top, stacks,
					       (int64_t)LH_MIN(min_growth, (uint64_t)INT64_MAX), kinds };
		if (!strcmp(format, "json"))
			trace_print_json(out, &report);
		else if (!strcmp(format, "html"))
			trace_print_html(out, &report);
		else {
			FILE *text = text_stream_open(out);
			trace_print_text(text, &report);
			fclose(text);
		}
		growth_free(g);
	}
	symbolizer_free(sym);
	if (status == LH_EXIT_OK && t->damaged_at) { /* what was printed reads the trace up to the damage */
		struct lh_error damage = { 0 };
		lh_error_at(&damage, t->damaged_at, "damaged: %s; the report reads the trace up to there", t->damage);
		status = LH_EXIT_BAD_INPUT;
		fflush(out);
		cli_input_error(path, &damage);
	}
	trace_free(t);
	if (out == stdout)
		return cli_finish_output(status);
	if (ferror(out) | (fclose(out) != 0)) {
		fprintf(stderr, "leakhound: cannot write '%s': %s\n", output, strerror(errno));
		return LH_EXIT_INTERNAL;
	}
	return status;
}
