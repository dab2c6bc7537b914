/*
 * cmd-run.c - `leakhound run [-o FILE] [--interval T] [--leak-check] -- CMD [ARGS...]`.
 *
 * Starts CMD with libleakhound-preload.so in LD_PRELOAD and waits for it.
 * The library (src/native/) writes the trace; this command only sets its
 * environment, keeps the terminal's Ctrl-C for the program (as system(3)
 * does) and passes on the program's exit status. With --leak-check it then
 * reads the trace's final leak check and prints it on stderr the way
 * Memcheck does (src/report/leak_report.h).
 */
#include "builtin.h"

#include "../src/report/leak_report.h"
#include "../src/trace/symbolize.h"
#include "../src/trace/trace_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <elf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char run_usage[] =
	"usage: leakhound run [-o FILE [-f]] [--interval T] [--sample-rate SIZE] [--js-frames]\n"
	"                     [--children] [--quiet]\n"
	"                     [--leak-check [--show-kinds LIST] [--error-exitcode N] [--xml FILE]]\n"
	"                     [--] CMD [ARGS...]\n"
	"\n"
	"Runs CMD with leakhound's allocation tracker preloaded and records, for\n"
	"each call stack that allocates, its live bytes and blocks every interval,\n"
	"into FILE (read it with 'leakhound report FILE'). The trace is written as\n"
	"the program runs, so it is usable up to the last interval even if the\n"
	"program is killed. malloc, calloc, realloc, reallocarray, free,\n"
	"posix_memalign, aligned_alloc, memalign, valloc and pvalloc are tracked\n"
	"(C++ new and delete reach them through libstdc++). Only the process CMD\n"
	"starts is tracked, unless --children is given: its children (fork, or\n"
	"exec'd programs) run untracked, so a shell wrapper should 'exec' the\n"
	"program. The tracker adds one thread (named leakhound) to the process\n"
	"for writing. The first argument that is not an option is CMD: options\n"
	"after it are CMD's own.\n";

static const char run_epilog[] =
	"Exit status: CMD's own (or N, see --error-exitcode); 128+N if a signal N ended\n"
	"it; 126/127 if it could not be started (a program's own 126 or more is its\n"
	"own); 3 or 4 for leakhound's own errors before it started. A program that\n"
	"does not exit normally (killed, _exit) gets no leak check at exit. On stderr,\n"
	"run says what the trace could not hold: nothing tracked (a static binary),\n"
	"batches lost (disk full), children forked and not tracked, an exec.\n"
	"Environment: LEAKHOUND_PRELOAD overrides the preload library's path (by\n"
	"default libleakhound-preload.so next to the leakhound binary, or in\n"
	"../lib/leakhound/ from it when installed).\n";

static pid_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* Parses "250ms", "1s", "1.5s", "2m" or "3" (seconds) into milliseconds. */
static bool parse_interval(const char *s, unsigned long long *ms)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return false;
	double scale;
	if (!strcmp(end, "ms"))
		scale = 1;
	else if (!strcmp(end, "s") || !*end)
		scale = 1000;
	else if (!strcmp(end, "m"))
		scale = 60000;
	else
		return false;
	double r = v * scale;
	if (r < 10 || r > 86400000.0)
		return false;
	*ms = (unsigned long long)(r + 0.5);
	return true;
}

/* V8 flags that make node write /tmp/perf-PID.map, one line per JS function, interpreted ones included. */
static void ask_node_for_a_perf_map(void)
{
	static const char flags[] = "--perf-basic-prof-only-functions --interpreted-frames-native-stack";
	const char *old = getenv("NODE_OPTIONS");
	size_t n = (old ? strlen(old) : 0) + sizeof(flags) + 1;
	char *value = lh_malloc(n);
	snprintf(value, n, "%s%s%s", old ? old : "", old && *old ? " " : "", flags);
	setenv("NODE_OPTIONS", value, 1);
	free(value);
}

/* What the child's environment tells the preload library. */
struct tracking_settings {
	const char *preload, *trace;
	unsigned long long interval_ms;
	uint64_t sample_rate;
	bool js_frames, leak_check, children;
};

static void set_or_unset(const char *name, bool on)
{
	if (on)
		setenv(name, "1", 1);
	else
		unsetenv(name);
}

/* FILE.exec-N of an earlier run (N < 1000, as the tracker numbers them): this run's are numbered from 1 again. */
static void remove_earlier_images(const char *trace)
{
	char path[PATH_MAX + 16];
	for (int i = 1; i < 1000 && snprintf(path, sizeof(path), "%s.exec-%d", trace, i) < (int)sizeof(path); i++)
		unlink(path);
}

/*
 * Runs CMD in the child. If it cannot be started, errno goes to exec_errors
 * (close-on-exec, so the parent reads nothing when the exec succeeded):
 * the program's own exit status 126 or 127 is then the program's.
 */
LH_NORETURN static void exec_child(char **cmd, const struct tracking_settings *t, int exec_errors)
{
	char buf[PATH_MAX * 2 + 2];
	const char *preload = t->preload;
	if (t->js_frames)
		ask_node_for_a_perf_map();
	const char *old = getenv("LD_PRELOAD");
	if (old && *old)
		snprintf(buf, sizeof(buf), "%s:%s", preload, old);
	else
		snprintf(buf, sizeof(buf), "%s", preload);
	setenv("LD_PRELOAD", buf, 1);
	setenv("LEAKHOUND_TRACE_FILE", t->trace, 1);
	snprintf(buf, sizeof(buf), "%llu", t->interval_ms);
	setenv("LEAKHOUND_TRACE_INTERVAL_MS", buf, 1);
	snprintf(buf, sizeof(buf), "%ld", (long)getpid());
	setenv("LEAKHOUND_TRACE_PID", buf, 1);
	set_or_unset("LEAKHOUND_LEAK_CHECK", t->leak_check);
	if (t->sample_rate) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)t->sample_rate);
		setenv("LEAKHOUND_SAMPLE_RATE", buf, 1);
	} else {
		unsetenv("LEAKHOUND_SAMPLE_RATE");
	}
	set_or_unset("LEAKHOUND_TRACE_CHILDREN", t->children);
	set_or_unset("LEAKHOUND_JS_FRAMES", t->js_frames);
	execvp(cmd[0], cmd);
	int e = errno;
	if (write(exec_errors, &e, sizeof(e)) < 0)
		e = errno;
	fprintf(stderr, "leakhound: cannot run '%s': %s\n", cmd[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/*
 * Prints the trace's leak check at exit on stderr. Returns the exit status
 * to use: `status`, or error_exitcode when it is set and blocks were lost,
 * or when there is no check at exit to go by (a check that did not happen
 * must not pass for a clean one).
 */
static int report_leaks(const struct trace *t, const char *output, const char *cmd, unsigned kinds,
			int error_exitcode, int status)
{
	const struct trace_leak_check *c = t ? leak_final_check(t) : NULL;
	if (!c) {
		fprintf(stderr, "leakhound: no leak check at exit: '%s' did not exit normally (killed, or _exit), or its trace could not be written%s%s\n",
			cmd, t && t->leak_check_count ? "; 'leakhound report' shows the last mid-run check in " : "",
			t && t->leak_check_count ? output : "");
		return error_exitcode ? error_exitcode : status;
	}
	struct symbolizer *sym = symbolizer_new(t);
	cli_warn_stale_modules(sym);
	fflush(stdout);
	fprintf(stderr, "\nleakhound: leak check at exit of '%s' (pid %llu):\n\n", cmd, (unsigned long long)t->pid);
	FILE *text = text_stream_open(stderr);
	leak_print_check(text, t, c, sym, kinds);
	fclose(text);
	if (error_exitcode && leak_check_failed(c))
		status = error_exitcode;
	symbolizer_free(sym);
	return status;
}

/* Writes the check at exit in Memcheck's XML to path (no <error> when there was no check). */
static int write_xml(const struct trace *t, const char *path, unsigned kinds, char **cmd)
{
	FILE *out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "leakhound: cannot write '%s': %s\n", path, strerror(errno));
		return LH_EXIT_INTERNAL;
	}
	struct symbolizer *sym = symbolizer_new(t);
	leak_write_xml(out, t, leak_final_check(t), sym, kinds, cmd);
	symbolizer_free(sym);
	if (ferror(out) | (fclose(out) != 0)) {
		fprintf(stderr, "leakhound: cannot write '%s': %s\n", path, strerror(errno));
		return LH_EXIT_INTERNAL;
	}
	return LH_EXIT_OK;
}

/* The file execvp ran for cmd: cmd itself if it has a slash, else the first executable on PATH. */
static bool find_program(const char *cmd, char *out, size_t size)
{
	if (strchr(cmd, '/'))
		return (size_t)snprintf(out, size, "%s", cmd) < size;
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		if ((size_t)snprintf(out, size, "%.*s%s%s", (int)n, p, n ? "/" : "", cmd) < size && access(out, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* Why a program may not have loaded the preload library: what its ELF headers say. */
static const char *why_not_preloaded(const char *cmd)
{
	char path[PATH_MAX];
	if (!find_program(cmd, path, sizeof(path)))
		return "it could not be found on PATH afterwards";
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return "it could not be read";
	struct stat st;
	Elf64_Ehdr eh;
	const char *why = "it does not go through the dynamic loader, or it ignores LD_PRELOAD";
	if (fstat(fd, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)))
		why = "it is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it";
	else if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
		 eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr)) {
		why = "it is statically linked (no PT_INTERP: no dynamic loader, so no LD_PRELOAD)";
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) != (ssize_t)sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP)
				why = "it never ran the library's start-up (it may allocate outside malloc, as Go does, or exec'd something that ignores LD_PRELOAD)";
		}
	} else if (pread(fd, &eh, 2, 0) == 2 && !memcmp(&eh, "#!", 2)) {
		why = "it is a script whose interpreter did not load the library";
	}
	close(fd);
	return why;
}

/*
 * What the trace says about the run, on stderr. Returns false when nothing
 * was tracked at all.
 */
static bool tell_about_trace(const struct trace *t, uint64_t trace_bytes, const char *output, const char *cmd,
			     bool children, bool exited)
{
	if (trace_bytes == 0) {
		fprintf(stderr, "leakhound: nothing was tracked: '%s' did not load leakhound's library: %s; %s is empty\n",
			cmd, why_not_preloaded(cmd), output);
		return false;
	}
	if (!t)
		return true; /* the reader's own error was printed */
	if (t->damaged_at)
		fprintf(stderr, "leakhound: %s: byte %llu: damaged (%s); 'leakhound report' reads it up to there\n", output,
			(unsigned long long)t->damaged_at, t->damage);
	if (t->batches_lost)
		fprintf(stderr, "leakhound: %llu of the tracker's batches could not be written to %s (disk full, or no file descriptor left); their snapshots are missing\n",
			(unsigned long long)t->batches_lost, output);
	if (exited && !t->complete)
		fprintf(stderr, "leakhound: %s is INCOMPLETE although '%s' exited: it ended with _exit, or the last batch could not be written (disk full?)\n",
			output, cmd);
	char earlier[PATH_MAX + 16];
	int images = 0;
	while (snprintf(earlier, sizeof(earlier), "%s.exec-%d", output, images + 1) < (int)sizeof(earlier) &&
	       access(earlier, F_OK) == 0)
		images++;
	if (images == 1)
		fprintf(stderr, "leakhound: '%s' exec'd another program: the trace before the exec is kept apart, in %s.exec-1; %s holds the new program's\n",
			cmd, output, output);
	else if (images)
		fprintf(stderr, "leakhound: '%s' exec'd %d times: the trace of each image before an exec is kept apart, in %s.exec-1 to %s.exec-%d; %s holds the last\n",
			cmd, images, output, output, images, output);
	if (t->forks_untracked && !children)
		fprintf(stderr, "leakhound: '%s' forked %llu child process%s, not tracked (a daemon that forks and leaves ran on in them); use --children to track them\n",
			cmd, (unsigned long long)t->forks_untracked, t->forks_untracked == 1 ? "" : "es");
	return true;
}

/* path made absolute, so a program that changes directory at start-up still writes there. */
static bool absolute_path(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];
	int len;
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)))
		len = snprintf(out, size, "%s/%s", cwd, path);
	else
		len = snprintf(out, size, "%s", path);
	return len >= 0 && (size_t)len < size;
}

/* Creates the trace file: a new one, or (force) emptied if it exists. */
static bool create_trace(const char *path, bool force)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The default trace, leakhound.PID.lhtrace in the current directory, created new (never overwritten). */
static bool default_trace(char *out, size_t size, pid_t pid)
{
	char name[64];
	snprintf(name, sizeof(name), "leakhound.%ld.lhtrace", (long)pid);
	if (!absolute_path(name, out, size))
		return false;
	return create_trace(out, false);
}

static bool parse_exit_code(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 255)
		return false;
	*out = (int)v;
	return true;
}

int cmd_run(int argc, char **argv)
{
	const char *output = NULL, *interval_text = "1s", *kinds_text = NULL, *exitcode_text = NULL, *rate_text = NULL,
		   *xml = NULL;
	bool quiet = false, js_frames = false, leak_check = false, children = false, force = false;
	const struct cli_option options[] = {
		CLI_OPT('o', "output", CLI_STRING, &output, "FILE",
			"the trace file (default leakhound.PID.lhtrace, PID the program's); an existing file is "
			"not overwritten unless --force is given"),
		CLI_OPT('f', "force", CLI_FLAG, &force, NULL, "overwrite the trace file if it exists"),
		CLI_OPT(0, "interval", CLI_STRING, &interval_text, "T",
			"time between snapshots: 500ms, 1s, 2m (default 1s)"),
		CLI_OPT(0, "sample-rate", CLI_STRING, &rate_text, "SIZE",
			"sample allocations instead of tracking each: one per SIZE bytes allocated on average "
			"(e.g. 512K; Poisson sampling by bytes, per thread), each sampled one weighted to stand for "
			"those not sampled. report then shows estimates. Not with --leak-check"),
		CLI_OPT(0, "children", CLI_FLAG, &children, NULL,
			"also track CMD's descendants, each into FILE.PID: a forked child from its fork (with what "
			"it inherited; with --leak-check only once it execs), a program from its exec"),
		CLI_OPT('q', "quiet", CLI_FLAG, &quiet, NULL, "no closing line on stderr"),
		CLI_OPT(0, "js-frames", CLI_FLAG, &js_frames, NULL,
			"for node: have V8 write its perf map (/tmp/perf-PID.map) so that report names JavaScript "
			"frames by function and script"),
		CLI_OPT(0, "leak-check", CLI_FLAG, &leak_check, NULL,
			"a Memcheck-style leak check when CMD exits: every unfreed block is definitely lost, "
			"indirectly lost, possibly lost or still reachable, found by scanning the roots (data and "
			"bss, stacks, registers, TLS, other memory) for pointers. Loss records and LEAK SUMMARY go "
			"to stderr, and into FILE. 'kill -USR2 PID' runs a check mid-run (into FILE; see 'leakhound "
			"report'). The program's malloc family is then served by leakhound's own allocator (see the "
			"README), and SIGUSR2 and real-time signal SIGRTMAX-3 are leakhound's."),
		CLI_OPT(0, "show-kinds", CLI_STRING, &kinds_text, "LIST",
			"loss records printed: a comma list of definite, indirect, possible, reachable; or all, "
			"none (default definite,possible)"),
		CLI_OPT(0, "xml", CLI_STRING, &xml, "FILE",
			"also write the check at exit to FILE as Memcheck's --xml=yes does (protocol 4: the "
			"loss records of --show-kinds as <error>s), for the tools that read Memcheck's XML"),
		CLI_OPT(0, "error-exitcode", CLI_STRING, &exitcode_text, "N",
			"exit with N (1-255) if the check at exit found definitely or indirectly lost blocks, or did not happen (killed, _exit, nothing tracked, disk full)"),
	};
	const struct cli_spec spec = { run_usage, options, LH_ARRAY_LEN(options), 1, SIZE_MAX, true, run_epilog };
	int first, parsed = cli_parse_options(argc, argv, &spec, &first);
	if (parsed >= 0)
		return parsed;
	unsigned long long interval_ms;
	if (!parse_interval(interval_text, &interval_ms))
		return cli_usage_error("--interval takes a time from 10ms to 24h such as 500ms, 1s or 2m, not '%s'",
				       interval_text);
	uint64_t sample_rate = 0;
	if (rate_text && !cli_parse_bytes("--sample-rate", rate_text, &sample_rate))
		return LH_EXIT_USAGE;
	if (rate_text && (sample_rate == 0 || sample_rate > ((uint64_t)1 << 40)))
		return cli_usage_error("--sample-rate takes a size from 1 byte to 1T such as 512K, not '%s'", rate_text);
	unsigned kinds = LEAK_KINDS_DEFAULT;
	if (kinds_text && !leak_parse_kinds(kinds_text, &kinds))
		return cli_usage_error("--show-kinds takes a comma list of definite, indirect, possible, reachable; or all, none; not '%s'",
				       kinds_text);
	int error_exitcode = 0;
	if (exitcode_text && !parse_exit_code(exitcode_text, &error_exitcode))
		return cli_usage_error("--error-exitcode takes an exit status from 1 to 255, not '%s'", exitcode_text);
	char **cmd = argv + first;
	if (!leak_check && (kinds_text || exitcode_text || xml))
		return cli_usage_error("--show-kinds, --error-exitcode and --xml go with --leak-check");
	if (leak_check && sample_rate)
		return cli_usage_error("--sample-rate and --leak-check do not go together: a leak check needs every block");

	char preload[PATH_MAX];
	if (!cli_find_lib_file("libleakhound-preload.so", "LEAKHOUND_PRELOAD", preload, sizeof(preload))) {
		fprintf(stderr, "leakhound: cannot find the preload library '%s' (build it with 'make', or set LEAKHOUND_PRELOAD)\n",
			preload);
		return LH_EXIT_INTERNAL;
	}
	char trace[PATH_MAX], shown[64];
	if (output) {
		if (!absolute_path(output, trace, sizeof(trace)))
			return cli_usage_error("the trace path '%s' is too long", output);
		if (!force && access(trace, F_OK) == 0)
			return cli_usage_error("'%s' exists, and run does not overwrite a trace: remove it, choose another -o, or give --force",
					       output);
		if (!create_trace(trace, force)) {
			fprintf(stderr, "leakhound: cannot write the trace '%s': %s\n", output, strerror(errno));
			return LH_EXIT_INTERNAL;
		}
		remove_earlier_images(trace);
	}

	int exec_errors[2];
	if (pipe2(exec_errors, O_CLOEXEC) != 0) {
		fprintf(stderr, "leakhound: cannot start '%s': %s\n", cmd[0], strerror(errno));
		return LH_EXIT_INTERNAL;
	}
	fflush(NULL);
	struct sigaction ignore = { .sa_handler = SIG_IGN }, forward = { .sa_handler = forward_signal }, old_int, old_quit;
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	child_pid = fork();
	if (child_pid < 0) {
		fprintf(stderr, "leakhound: cannot start '%s': %s\n", cmd[0], strerror(errno));
		return LH_EXIT_INTERNAL;
	}
	if (child_pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		close(exec_errors[0]);
		if (!output && !default_trace(trace, sizeof(trace), getpid())) {
			int e = errno;
			if (write(exec_errors[1], &e, sizeof(e)) < 0)
				e = errno;
			fprintf(stderr, "leakhound: cannot write the trace '%s': %s\n", trace, strerror(e));
			_exit(126);
		}
		if (!output)
			remove_earlier_images(trace);
		struct tracking_settings settings = { preload, trace, interval_ms, sample_rate, js_frames, leak_check, children };
		exec_child(cmd, &settings, exec_errors[1]);
	}
	close(exec_errors[1]);
	if (!output) { /* the name the child made (exec keeps its pid) */
		snprintf(shown, sizeof(shown), "leakhound.%ld.lhtrace", (long)child_pid);
		absolute_path(shown, trace, sizeof(trace));
		output = shown;
	}
	int exec_error = 0;
	while (read(exec_errors[0], &exec_error, sizeof(exec_error)) < 0 && errno == EINTR)
		;
	close(exec_errors[0]);
	sigaction(SIGTERM, &forward, NULL);
	sigaction(SIGHUP, &forward, NULL);
	int status;
	while (waitpid(child_pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "leakhound: waiting for '%s': %s\n", cmd[0], strerror(errno));
			return LH_EXIT_INTERNAL;
		}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (exec_error)
		return rc; /* exec_child said why */
	struct stat st;
	uint64_t trace_bytes = stat(trace, &st) == 0 ? (uint64_t)st.st_size : 0;
	struct lh_error err = { 0 };
	struct trace *t = trace_bytes ? trace_read(trace, &err) : NULL;
	if (trace_bytes && !t)
		cli_input_error(output, &err);
	bool tracked = tell_about_trace(t, trace_bytes, output, cmd[0], children, WIFEXITED(status));
	if (leak_check && tracked)
		rc = report_leaks(t, output, cmd[0], kinds, error_exitcode, rc);
	else if (leak_check && error_exitcode)
		rc = error_exitcode;
	if (leak_check && tracked && xml && write_xml(t, xml, kinds, cmd) != LH_EXIT_OK && rc == 0)
		rc = LH_EXIT_INTERNAL;
	trace_free(t);
	if (!quiet && tracked) {
		if (WIFSIGNALED(status))
			fprintf(stderr, "leakhound: '%s' was killed by signal %d; %s holds its allocations up to the last interval\n",
				cmd[0], WTERMSIG(status), output);
		else
			fprintf(stderr, "leakhound: trace written to %s%s; read it with 'leakhound report %s'\n", output,
				children ? " (and the children's to FILE.PID beside it)" : "", output);
	}
	return rc;
}
