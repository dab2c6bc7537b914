/*
 * cmd-watch.c - `leakhound watch [options] -o DIR -- CMD [ARGS...]`: the
 * whole hunt in one command (src/watch/watch.h), and the verdict printer
 * shared with `leakhound report DIR`.
 */
#include "builtin.h"

#include "../src/report/watch_report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

static const char watch_usage[] =
	"usage: leakhound watch [-o DIR] [--duration T] [--interval T] [--warmup T] [--snapshots N]\n"
	"                       [--snapshot-growth PCT] [--keep-snapshots] [--min-growth SIZE]\n"
	"                       [--no-js-frames] [--json] [--quiet] -- CMD [ARGS...]\n"
	"       leakhound watch [options] --pid PID\n"
	"\n"
	"Runs CMD (a node service, or any program) watched: native allocation\n"
	"tracking (as 'leakhound run'), a memory timeline (RSS and its parts from\n"
	"/proc, V8's heap numbers from an agent node loads with --require: the\n"
	"program is not edited and no network port is opened) and heap snapshots\n"
	"on a schedule, streamed into leakhound's digest. When CMD exits, --duration\n"
	"ends, or on Ctrl-C, it prints the verdict: RSS growth after warm-up split\n"
	"into parts that sum, what grew, where and why. DIR keeps everything\n"
	"('leakhound report DIR' prints the verdict again), even if either side\n"
	"is killed. The first argument that is not an option is CMD.\n";

static const char watch_epilog[] =
	"Exit status: 0 nothing suspected, 1 a leak is suspected, 2 CMD could not be\n"
	"watched (it could not start, or the directory cannot be written), 3 bad\n"
	"command line, 4 internal failure.\n"
	"Environment: LEAKHOUND_PRELOAD, LEAKHOUND_AGENT and LEAKHOUND_ATTACH override the\n"
	"preload library and the agents (by default next to the leakhound binary, or in\n"
	"../lib/leakhound/ from it when installed), LEAKHOUND_NODE the node that runs the\n"
	"attach helper (default: node on PATH).\n";

/* Parses "250ms", "1s", "1.5s", "2m", "1h" or "3" (seconds) into milliseconds. */
static bool parse_time(const char *s, uint64_t *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v >= 0))
		return false;
	double scale = !strcmp(end, "ms") ? 1 : !strcmp(end, "s") || !*end ? 1000 : !strcmp(end, "m") ? 60000
						: !strcmp(end, "h") ? 3600000 : 0;
	if (!scale || v * scale > 1e12)
		return false;
	*ms = (uint64_t)(v * scale + 0.5);
	return true;
}

int watch_print_verdict(const char *dir, bool json, uint64_t min_growth)
{
	struct lh_error err = { 0 };
	struct watch_thresholds th = { .min_growth = min_growth };
	struct watch_verdict *v = watch_verdict_load(dir, &th, &err);
	if (!v)
		return cli_input_error(dir, &err);
	if (json)
		watch_print_json(stdout, v);
	else
		watch_print_text(stdout, v);
	int status = v->leak_suspected ? LH_EXIT_FINDING : LH_EXIT_OK;
	watch_verdict_free(v);
	return cli_finish_output(status);
}

int cmd_watch(int argc, char **argv)
{
	const char *dir = "leakhound-watch", *duration = NULL, *interval = "1s", *warmup = "5s", *snapshots = "6",
		   *pid = NULL;
	uint64_t min_growth = 0, growth_pct = 10;
	bool json = false, quiet = false, keep = false, no_js_frames = false;
	const struct cli_option options[] = {
		CLI_OPT('o', "output", CLI_STRING, &dir, "DIR", "the watch directory (default leakhound-watch)"),
		CLI_OPT(0, "pid", CLI_STRING, &pid, "PID",
			"attach to a node already running: SIGUSR1 opens its inspector on 127.0.0.1 (port 9229) "
			"while it is watched; timeline and snapshots only, no native tracking. Anyone on this "
			"machine can connect to that port meanwhile."),
		CLI_OPT(0, "duration", CLI_STRING, &duration, "T", "stop after T (then CMD gets SIGTERM): 30s, 10m, 2h"),
		CLI_OPT(0, "interval", CLI_STRING, &interval, "T", "time between samples (default 1s)"),
		CLI_OPT(0, "warmup", CLI_STRING, &warmup, "T", "growth is counted from the end of warm-up (default 5s)"),
		CLI_OPT(0, "snapshots", CLI_STRING, &snapshots, "N", "heap snapshots in the series, 0 for none (default 6)"),
		CLI_OPT(0, "snapshot-growth", CLI_NUMBER, &growth_pct, "PCT",
			"RSS or JS heap growth since the last snapshot that calls for the next one (default 10)"),
		CLI_OPT(0, "keep-snapshots", CLI_FLAG, &keep, NULL, "also keep each snapshot, gzip'd, in DIR"),
		CLI_OPT(0, "min-growth", CLI_BYTES, &min_growth, "SIZE",
			"growth of a part that makes a leak suspected (default 4 MiB, or 5% of RSS at the start "
			"less allocator-retained)"),
		CLI_OPT(0, "no-js-frames", CLI_FLAG, &no_js_frames, NULL,
			"do not ask node for its perf map (JS names in native stacks)"),
		CLI_OPT(0, "json", CLI_FLAG, &json, NULL, "the verdict as JSON (see the README)"),
		CLI_OPT('q', "quiet", CLI_FLAG, &quiet, NULL, "no status line on stderr"),
	};
	const struct cli_spec spec = { watch_usage, options, LH_ARRAY_LEN(options), 0, SIZE_MAX, true, watch_epilog };
	int cmd, status = cli_parse_options(argc, argv, &spec, &cmd);
	if (status >= 0)
		return status;
	long attach = 0;
	if (pid) {
		char *end;
		errno = 0;
		attach = strtol(pid, &end, 10);
		if (errno || end == pid || *end || attach <= 0 || attach > INT32_MAX)
			return cli_usage_error("--pid takes a process id, not '%s'", pid);
		if (cmd < argc)
			return cli_usage_error("watch takes a command to run or --pid, not both");
	} else if (cmd >= argc)
		return cli_usage_error("watch needs a command to run: leakhound watch -o DIR -- CMD [ARGS...], or --pid PID");
	char *end;
	errno = 0;
	unsigned long long n = strtoull(snapshots, &end, 10);
	if (errno || end == snapshots || *end || n > 1000 || snapshots[0] == '-')
		return cli_usage_error("--snapshots takes a count from 0 to 1000, not '%s'", snapshots);
	if (growth_pct > 1000)
		return cli_usage_error("--snapshot-growth takes a percentage from 1 to 1000, not %llu", (unsigned long long)growth_pct);
	struct watch_options o = {
		.dir = dir,
		.command = attach ? NULL : argv + cmd,
		.attach_pid = (int)attach,
		.max_snapshots = (size_t)n,
		.snapshot_growth = (double)growth_pct / 100,
		.keep_snapshots = keep,
		.js_frames = !no_js_frames,
		.progress = !quiet && isatty(STDERR_FILENO),
		.min_growth = min_growth,
	};
	if (!parse_time(interval, &o.interval_ms) || o.interval_ms < 50)
		return cli_usage_error("--interval takes a time of at least 50ms such as 500ms, 1s or 2m, not '%s'", interval);
	if (!parse_time(warmup, &o.warmup_ms))
		return cli_usage_error("--warmup takes a time such as 0, 5s or 2m, not '%s'", warmup);
	if (duration && (!parse_time(duration, &o.duration_ms) || !o.duration_ms))
		return cli_usage_error("--duration takes a time such as 30s, 10m or 2h, not '%s'", duration);
	char preload[PATH_MAX], agent[PATH_MAX], helper[PATH_MAX];
	if (!cli_find_lib_file("libleakhound-preload.so", "LEAKHOUND_PRELOAD", preload, sizeof(preload)) ||
	    !cli_find_lib_file("leakhound-agent.js", "LEAKHOUND_AGENT", agent, sizeof(agent)) ||
	    !cli_find_lib_file("leakhound-attach.js", "LEAKHOUND_ATTACH", helper, sizeof(helper))) {
		fprintf(stderr, "leakhound: cannot find the preload library or the agents next to leakhound (build them with 'make')\n");
		return LH_EXIT_INTERNAL;
	}
	o.preload = preload;
	o.agent = agent;
	o.attach_helper = helper;
	const char *node = getenv("LEAKHOUND_NODE");
	o.node = node && *node ? node : "node";
	struct lh_error err = { 0 };
	if (!watch_run(&o, &err))
		return cli_input_error(dir, &err);
	return watch_print_verdict(dir, json, 0);
}
