/*
 * test_leak_trace.c - LEAK_CHECK records through trace_read() and the
 * leak report's helpers, on traces built here byte by byte.
 *
 * A trace is a header, one STACK record (id 1, two frames), a SNAPSHOT
 * (needed for a trace to load) and LEAK_CHECK records. The reader must
 * keep every check in file order with its records, and refuse (with the
 * record's byte offset) a check whose records do not fit, have an unknown
 * kind, or name a stack not defined before. leak_parse_kinds() reads
 * Memcheck's --show-leak-kinds lists; leak_final_check() picks the check
 * written at exit; leak_check_failed() is --error-exitcode's rule
 * (definitely or indirectly lost blocks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../src/report/leak_report.h"
#include "../../src/trace/trace_reader.h"

struct bytes {
	char data[4096];
	size_t len;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	assert_true(b->len + n <= sizeof(b->data));
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void record(struct bytes *b, uint32_t type, const void *payload, uint32_t size)
{
	struct lh_record_header h = { type, size };
	put(b, &h, sizeof(h));
	put(b, payload, size);
}

/* Header, stack 1, an empty snapshot; version 2 (records without batches), which readers still take. */
static void start_trace(struct bytes *b)
{
	struct lh_trace_header h = { .magic = LH_TRACE_MAGIC, .version = LH_TRACE_VERSION_OLDEST, .header_size = sizeof(h),
				     .pid = 42, .interval_ns = 1000000000, .max_frames = LH_TRACE_MAX_FRAMES };
	b->len = 0;
	put(b, &h, sizeof(h));
	struct {
		struct lh_rec_stack s;
		uint64_t frames[2];
	} st = { { 1, 2 }, { 0x1000, 0x2000 } };
	record(b, LH_REC_STACK, &st, sizeof(st));
	struct lh_rec_snapshot snap = { .time_ns = 5 };
	record(b, LH_REC_SNAPSHOT, &snap, sizeof(snap));
}

/* A check with `n` loss records (at most 4), flags as given. */
static void add_check(struct bytes *b, uint32_t flags, const struct lh_rec_loss *loss, uint32_t n, uint32_t claimed)
{
	struct {
		struct lh_rec_leak_check c;
		struct lh_rec_loss r[4];
	} rec;
	memset(&rec, 0, sizeof(rec));
	rec.c.time_ns = 7;
	rec.c.flags = flags;
	rec.c.record_count = claimed;
	for (uint32_t i = 0; i < n; i++) {
		rec.r[i] = loss[i];
		if (loss[i].kind >= LH_LEAK_KINDS)
			continue; /* the bad record of test_unknown_kind */
		rec.c.bytes[loss[i].kind] += loss[i].bytes;
		rec.c.blocks[loss[i].kind] += loss[i].blocks;
	}
	record(b, LH_REC_LEAK_CHECK, &rec, (uint32_t)(sizeof(rec.c) + n * sizeof(rec.r[0])));
}

static struct trace *load(const struct bytes *b, struct lh_error *err)
{
	char path[] = "/tmp/test_leak_trace.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->data, b->len), (ssize_t)b->len);
	close(fd);
	memset(err, 0, sizeof(*err));
	struct trace *t = trace_read(path, err);
	unlink(path);
	return t;
}

static const struct lh_rec_loss definite = { 1, LH_LEAK_DEFINITE, 64, 1, 32 };
static const struct lh_rec_loss indirect = { 1, LH_LEAK_INDIRECT, 32, 1, 0 };
static const struct lh_rec_loss reachable = { 0, LH_LEAK_REACHABLE, 100, 2, 0 };

static void test_checks_in_order(void **state)
{
	(void)state;
	struct bytes b;
	start_trace(&b);
	add_check(&b, 0, &reachable, 1, 1);
	const struct lh_rec_loss both[] = { definite, indirect };
	add_check(&b, LH_LEAK_CHECK_FINAL, both, 2, 2);
	struct lh_error err;
	struct trace *t = load(&b, &err);
	assert_non_null(t);
	assert_int_equal(t->leak_check_count, 2);
	assert_int_equal(t->leak_checks[0].record_count, 1);
	assert_int_equal(t->leak_checks[0].records[0].stack, 0); /* stack 0 needs no definition */
	assert_int_equal(t->leak_checks[1].record_count, 2);
	assert_int_equal(t->leak_checks[1].records[0].indirect_bytes, 32);
	assert_int_equal(t->leak_checks[1].summary.bytes[LH_LEAK_DEFINITE], 64);
	assert_ptr_equal(leak_final_check(t), &t->leak_checks[1]);
	assert_false(leak_check_failed(&t->leak_checks[0])); /* only reachable blocks */
	assert_true(leak_check_failed(&t->leak_checks[1]));
	trace_free(t);
}

static void test_no_final_check(void **state)
{
	(void)state;
	struct bytes b;
	start_trace(&b);
	add_check(&b, 0, &definite, 1, 1);
	struct lh_error err;
	struct trace *t = load(&b, &err);
	assert_non_null(t);
	assert_null(leak_final_check(t));
	trace_free(t);
}

static void expect_refused(struct bytes *b, size_t check_offset, const char *words)
{
	struct lh_error err;
	struct trace *t = load(b, &err);
	assert_null(t);
	assert_true(err.set);
	assert_int_equal(err.offset, check_offset);
	if (!strstr(err.message, words))
		fail_msg("message '%s' does not say '%s'", err.message, words);
}

static void test_records_that_do_not_fit(void **state)
{
	(void)state;
	struct bytes b;
	start_trace(&b);
	size_t at = b.len;
	add_check(&b, 0, &definite, 1, 2); /* claims 2, holds 1 */
	expect_refused(&b, at, "does not fit");
}

static void test_unknown_kind(void **state)
{
	(void)state;
	struct bytes b;
	start_trace(&b);
	size_t at = b.len;
	struct lh_rec_loss bad = definite;
	bad.kind = LH_LEAK_KINDS;
	add_check(&b, 0, &bad, 1, 1);
	expect_refused(&b, at, "unknown kind");
}

static void test_undefined_stack(void **state)
{
	(void)state;
	struct bytes b;
	start_trace(&b);
	size_t at = b.len;
	struct lh_rec_loss bad = definite;
	bad.stack = 2;
	add_check(&b, 0, &bad, 1, 1);
	expect_refused(&b, at, "not defined");
}

static void test_parse_kinds(void **state)
{
	(void)state;
	unsigned m = 0;
	assert_true(leak_parse_kinds("all", &m));
	assert_int_equal(m, 0xf);
	assert_true(leak_parse_kinds("none", &m));
	assert_int_equal(m, 0);
	assert_true(leak_parse_kinds("definite,possible", &m));
	assert_int_equal(m, (1u << LH_LEAK_DEFINITE) | (1u << LH_LEAK_POSSIBLE));
	assert_true(leak_parse_kinds("reachable", &m));
	assert_int_equal(m, 1u << LH_LEAK_REACHABLE);
	assert_false(leak_parse_kinds("definite,", &m));
	assert_false(leak_parse_kinds("lost", &m));
	assert_false(leak_parse_kinds("", &m));
	assert_false(leak_parse_kinds("definite,,possible", &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks_in_order),
		cmocka_unit_test(test_no_final_check),
		cmocka_unit_test(test_records_that_do_not_fit),
		cmocka_unit_test(test_unknown_kind),
		cmocka_unit_test(test_undefined_stack),
		cmocka_unit_test(test_parse_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
