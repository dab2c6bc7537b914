/*
 * test_watch.c - the verdict of a hand-written watch directory
 * (src/watch/watch.h), with every expected number worked out here.
 *
 * The directory has no native trace, so parts come from the timeline alone:
 *   js-heap = heap_used, js-heap-free = heap_physical - heap_used,
 *   array-buffers = external, code/files/stacks/other as written;
 *   native-malloc and allocator-retained are not seen.
 * Times are 1 s apart from t = 0; warm-up is 2 s, so the window runs from
 * the sample at t = 2 to the last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/watch/watch.h"

#define MiB (1024 * 1024LL)

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * One row: t, rss, code, files, stacks, other, then V8's numbers (heap_used,
 * heap_physical, heap_total, external, array_buffers, code).
 */
static void add_row(char *buf, size_t size, int t, long long rss, long long heap_used, long long heap_physical,
		    long long external)
{
	size_t n = strlen(buf);
	snprintf(buf + n, size - n, "%d.000\t%d.000\t%lld\t%lld\t%lld\t%lld\t%lld\t1\t%lld\t%lld\t%lld\t%lld\t%lld\t0\n", t,
		 1000 + t, rss, 20 * MiB, 10 * MiB, MiB, 0LL, heap_used, heap_physical, heap_physical, external,
		 external);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lh-test-watch.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file("watch.info", "mode=start\npid=42\ncommand=node app.js\nstart_unix=1000\ninterval_ms=1000\n"
				 "warmup_ms=2000\nmin_growth=0\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	static const char *const names[] = { "watch.info", "timeline.tsv", "end.info", "snapshots.tsv", "js.tsv" };
	char path[256];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

/*
 * The JS heap grows by 2 MiB a second from t = 2 to t = 10 (16 MiB), RSS by
 * the same plus 1 MiB of unexplained memory at the end. Parts: js-heap
 * +16 MiB, everything else flat; unexplained = (RSS growth 17 MiB) - 16 MiB
 * = 1 MiB. The floor test: first third of the 9 window samples (t = 2..4)
 * has its least heap at t = 2 (10 MiB), the last third (t = 8..10) at t = 8
 * (22 MiB): +12 MiB >= 4 MiB (the default: 5% of 40 MiB is less), a leak.
 * Per hour: 16 MiB in 8 s = 7,200 MiB.
 */
static void test_js_growth(void **state)
{
	(void)state;
	char rows[4096] = "";
	for (int t = 0; t <= 10; t++) {
		long long heap = t < 2 ? 10 * MiB : 10 * MiB + (t - 2) * 2 * MiB;
		long long rss = 40 * MiB + (heap - 10 * MiB) + (t == 10 ? MiB : 0);
		add_row(rows, sizeof(rows), t, rss, heap, heap + MiB, 3 * MiB);
	}
	write_file("timeline.tsv", rows);
	write_file("end.info", "ended=the program exited with status 0\nend_unix=1010.5\n");
	struct lh_error err = { 0 };
	struct watch_thresholds th = { 0 };
	struct watch_verdict *v = watch_verdict_load(dir, &th, &err);
	assert_non_null(v);
	assert_int_equal(v->sample_count, 11);
	assert_int_equal(v->from, 2);
	assert_int_equal(v->to, 10);
	assert_int_equal(v->rss_start, 40 * MiB);
	assert_int_equal(v->rss_end, 57 * MiB);
	assert_int_equal(v->parts[PART_JS_HEAP].growth, 16 * MiB);
	assert_int_equal(v->parts[PART_JS_HEAP].floor_growth, 12 * MiB);
	assert_true(v->parts[PART_JS_HEAP].per_hour > 7199.0 * MiB && v->parts[PART_JS_HEAP].per_hour < 7201.0 * MiB);
	assert_int_equal(v->parts[PART_JS_HEAP_FREE].growth, 0);
	assert_int_equal(v->parts[PART_ARRAY_BUFFERS].growth, 0);
	assert_int_equal(v->parts[PART_CODE].start, 20 * MiB);
	assert_false(v->parts[PART_NATIVE_MALLOC].known);
	assert_false(v->parts[PART_ALLOCATOR].known);
	assert_int_equal(v->unexplained, MiB);
	assert_true(v->complete);
	assert_true(v->leak_suspected);
	assert_string_equal(v->findings[0].id, "js-heap-growth");
	watch_verdict_free(v);
}

/*
 * A saw-tooth heap: 10, 18, 10, 18, ... MiB (a GC every other second) ends
 * on a peak, so end - start is +8 MiB, but both thirds have 10 MiB as their
 * least value: floor growth 0, no leak. js-heap-free mirrors it (physical
 * stays 20 MiB), so RSS does not move and unexplained is 0.
 */
static void test_sawtooth(void **state)
{
	(void)state;
	char rows[4096] = "";
	for (int t = 0; t <= 10; t++) {
		long long heap = t % 2 ? 10 * MiB : 18 * MiB;
		add_row(rows, sizeof(rows), t, 60 * MiB, heap, 20 * MiB, 3 * MiB);
	}
	write_file("timeline.tsv", rows);
	struct lh_error err = { 0 };
	struct watch_thresholds th = { 0 };
	struct watch_verdict *v = watch_verdict_load(dir, &th, &err);
	assert_non_null(v);
	assert_int_equal(v->parts[PART_JS_HEAP].growth, 0);   /* t = 2 and t = 10 are both peaks */
	assert_int_equal(v->parts[PART_JS_HEAP].floor_growth, 0);
	assert_int_equal(v->unexplained, 0);
	assert_false(v->leak_suspected);
	watch_verdict_free(v);
}

/* A timeline row with a field that is not a number: an error naming its byte offset (the second row's). */
static void test_malformed_row(void **state)
{
	(void)state;
	char rows[4096] = "";
	add_row(rows, sizeof(rows), 0, 60 * MiB, 10 * MiB, 20 * MiB, 0);
	size_t second = strlen(rows);
	add_row(rows, sizeof(rows), 1, 60 * MiB, 10 * MiB, 20 * MiB, 0);
	rows[second + 16] = 'x'; /* inside the RSS field ("1.000\t1001.000\t" is 15 bytes) */
	write_file("timeline.tsv", rows);
	struct lh_error err = { 0 };
	struct watch_thresholds th = { 0 };
	assert_null(watch_verdict_load(dir, &th, &err));
	assert_true(err.set);
	assert_int_equal(err.offset, second);
	assert_non_null(strstr(err.message, "timeline.tsv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_js_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sawtooth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_row, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
