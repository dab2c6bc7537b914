/*
 * test_trend.c - growth_fit() on small series with hand-computed answers.
 *
 * growth_fit() (src/analysis/trend.h) gives a series' first and last value,
 * its least-squares slope over the snapshot index (per_snapshot) and over
 * the file times (per_second; 0 when times are missing or all equal), and
 * how many of its intervals grew (strictly). Every expected number below is
 * worked out in the comment next to it:
 *   slope = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>

#include "../../src/analysis/trend.h"

#define EPS 1e-9

static void assert_close(double got, double want)
{
	double tol = EPS * (fabs(want) > 1 ? fabs(want) : 1);
	if (fabs(got - want) > tol)
		fail_msg("got %.12g, expected %.12g", got, want);
}

/* 10, 20, 30, 40: +10 in every interval, so the slope is exactly 10. */
static void test_linear(void **state)
{
	(void)state;
	const double v[] = { 10, 20, 30, 40 };
	struct growth g;
	growth_fit(v, NULL, 4, &g);
	assert_close(g.first, 10);
	assert_close(g.last, 40);
	assert_close(g.per_snapshot, 10);
	assert_close(g.per_second, 0); /* no times */
	assert_int_equal(g.increases, 3);
	assert_int_equal(g.intervals, 3);
}

/* The handle-scope example: 40,019 -> 80,019 -> 120,019 -> 160,019 edges, +40,000 per snapshot. */
static void test_linear_large(void **state)
{
	(void)state;
	const double v[] = { 40019, 80019, 120019, 160019 };
	struct growth g;
	growth_fit(v, NULL, 4, &g);
	assert_close(g.per_snapshot, 40000);
	assert_int_equal(g.increases, 3);
	assert_int_equal(g.intervals, 3);
}

/* 5, 5, 5, 5: nothing grows; the slope is 0. */
static void test_flat(void **state)
{
	(void)state;
	const double v[] = { 5, 5, 5, 5 };
	const double t[] = { 100, 110, 120, 130 };
	struct growth g;
	growth_fit(v, t, 4, &g);
	assert_close(g.first, 5);
	assert_close(g.last, 5);
	assert_close(g.per_snapshot, 0);
	assert_close(g.per_second, 0);
	assert_int_equal(g.increases, 0);
	assert_int_equal(g.intervals, 3);
}

/*
 * 100, 200, 100, 200, 100 (a steady state): x = 0..4, mean x 2, mean y 140;
 * sum (x - 2)(y - 140) = (-2)(-40) + (-1)(60) + 0 + (1)(60) + (2)(-40) = 0:
 * slope 0; it grew in 2 of 4 intervals.
 */
static void test_up_and_down_flat(void **state)
{
	(void)state;
	const double v[] = { 100, 200, 100, 200, 100 };
	struct growth g;
	growth_fit(v, NULL, 5, &g);
	assert_close(g.first, 100);
	assert_close(g.last, 100);
	assert_close(g.per_snapshot, 0);
	assert_int_equal(g.increases, 2);
	assert_int_equal(g.intervals, 4);
}

/*
 * 0, 10, 5, 15: mean x 1.5, mean y 7.5; dx = -1.5, -0.5, 0.5, 1.5;
 * dy = -7.5, 2.5, -2.5, 7.5; sum dx dy = 11.25 - 1.25 - 1.25 + 11.25 = 20;
 * sum dx^2 = 5: slope 4. Grew 0->10 and 5->15: 2 of 3 intervals.
 */
static void test_up_and_down_rising(void **state)
{
	(void)state;
	const double v[] = { 0, 10, 5, 15 };
	struct growth g;
	growth_fit(v, NULL, 4, &g);
	assert_close(g.first, 0);
	assert_close(g.last, 15);
	assert_close(g.per_snapshot, 4);
	assert_int_equal(g.increases, 2);
	assert_int_equal(g.intervals, 3);
}

/* 30, 20, 10: slope -10, no increase. */
static void test_falling(void **state)
{
	(void)state;
	const double v[] = { 30, 20, 10 };
	struct growth g;
	growth_fit(v, NULL, 3, &g);
	assert_close(g.per_snapshot, -10);
	assert_int_equal(g.increases, 0);
	assert_int_equal(g.intervals, 2);
}

/* 1, 1, 2: an equal value is not an increase. Slope: dx = -1, 0, 1; dy = -1/3, -1/3, 2/3: (1/3 + 2/3) / 2 = 0.5. */
static void test_equal_is_not_increase(void **state)
{
	(void)state;
	const double v[] = { 1, 1, 2 };
	struct growth g;
	growth_fit(v, NULL, 3, &g);
	assert_close(g.per_snapshot, 0.5);
	assert_int_equal(g.increases, 1);
	assert_int_equal(g.intervals, 2);
}

/* 100, 160, 220 at t = 1000, 1010, 1020 s: +60 per snapshot, 10 s apart: 6 per second. */
static void test_times_even(void **state)
{
	(void)state;
	const double v[] = { 100, 160, 220 };
	const double t[] = { 1000, 1010, 1020 };
	struct growth g;
	growth_fit(v, t, 3, &g);
	assert_close(g.per_snapshot, 60);
	assert_close(g.per_second, 6);
	assert_int_equal(g.increases, 2);
	assert_int_equal(g.intervals, 2);
}

/*
 * 0, 10, 40 at t = 100, 101, 104: exactly 10 * (t - 100), so 10 per second
 * (the uneven spacing must not matter). Over the index: dx = -1, 0, 1;
 * dy = -50/3, -20/3, 70/3: (50/3 + 70/3) / 2 = 20 per snapshot.
 */
static void test_times_uneven(void **state)
{
	(void)state;
	const double v[] = { 0, 10, 40 };
	const double t[] = { 100, 101, 104 };
	struct growth g;
	growth_fit(v, t, 3, &g);
	assert_close(g.per_snapshot, 20);
	assert_close(g.per_second, 10);
	assert_int_equal(g.increases, 2);
}

/*
 * Snapshot times as file modification times (seconds since 1970, with
 * nanoseconds): 1.7e9 + 0, + 0.5, + 2.0; values 1000, 1250, 2000 are
 * 1000 + 500 * (t - t0): 500 per second, however large t itself is.
 */
static void test_times_epoch(void **state)
{
	(void)state;
	const double t0 = 1700000000.25;
	const double v[] = { 1000, 1250, 2000 };
	const double t[] = { t0, t0 + 0.5, t0 + 2.0 };
	struct growth g;
	growth_fit(v, t, 3, &g);
	if (fabs(g.per_second - 500) > 1e-3)
		fail_msg("per_second %.9g, expected 500", g.per_second);
	/* Over the index: dy = -416.67, -166.67, 583.33; (416.67 + 583.33) / 2 = 500 as well. */
	assert_close(g.per_snapshot, 500);
}

/* Equal times (snapshots written within the same clock tick) give no rate per second. */
static void test_times_equal(void **state)
{
	(void)state;
	const double v[] = { 1, 2, 3 };
	const double t[] = { 50, 50, 50 };
	struct growth g;
	growth_fit(v, t, 3, &g);
	assert_close(g.per_snapshot, 1);
	assert_close(g.per_second, 0);
	assert_int_equal(g.increases, 2);
}

/*
 * A rising series with a dip: 10, 30, 20, 40 at t = 0, 1, 2, 3 s (the
 * times equal the index). Mean 25; dx = -1.5, -0.5, 0.5, 1.5; dy = -15, 5,
 * -5, 15; sum dx dy = 22.5 - 2.5 - 2.5 + 22.5 = 40; sum dx^2 = 5: 8 per
 * snapshot and 8 per second. Grew in 2 of 3 intervals.
 */
static void test_times_with_dip(void **state)
{
	(void)state;
	const double v[] = { 10, 30, 20, 40 };
	const double t[] = { 0, 1, 2, 3 };
	struct growth g;
	growth_fit(v, t, 4, &g);
	assert_close(g.per_snapshot, 8);
	assert_close(g.per_second, 8);
	assert_int_equal(g.increases, 2);
	assert_int_equal(g.intervals, 3);
}

/* One snapshot: no interval, no slope. */
static void test_single(void **state)
{
	(void)state;
	const double v[] = { 42 };
	const double t[] = { 7 };
	struct growth g;
	growth_fit(v, t, 1, &g);
	assert_close(g.first, 42);
	assert_close(g.last, 42);
	assert_close(g.per_snapshot, 0);
	assert_close(g.per_second, 0);
	assert_int_equal(g.increases, 0);
	assert_int_equal(g.intervals, 0);
}

/* No values at all: everything 0 (and the previous contents cleared). */
static void test_empty(void **state)
{
	(void)state;
	struct growth g = { .first = 1, .last = 2, .per_snapshot = 3, .per_second = 4, .increases = 5, .intervals = 6 };
	growth_fit(NULL, NULL, 0, &g);
	assert_close(g.first, 0);
	assert_close(g.last, 0);
	assert_close(g.per_snapshot, 0);
	assert_close(g.per_second, 0);
	assert_int_equal(g.increases, 0);
	assert_int_equal(g.intervals, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_linear_large),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_up_and_down_flat),
		cmocka_unit_test(test_up_and_down_rising),
		cmocka_unit_test(test_falling),
		cmocka_unit_test(test_equal_is_not_increase),
		cmocka_unit_test(test_times_even),
		cmocka_unit_test(test_times_uneven),
		cmocka_unit_test(test_times_epoch),
		cmocka_unit_test(test_times_equal),
		cmocka_unit_test(test_times_with_dip),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
