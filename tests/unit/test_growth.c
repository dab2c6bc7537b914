/*
 * test_growth.c - growth_trend() (src/trace/growth.h), the rule report ranks
 * by and watch judges by, at its bounds. A site is "growing" when its slope
 * over the last third of the run is at least GROWTH_MIN_RATE (1 B/s) and a
 * quarter of the whole run's, "stopped" when only the whole run's slope
 * reaches 1 B/s, else "flat".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../src/trace/growth.h"

static enum growth_trend trend_of(double slope, double late)
{
	struct growth_counts c = { 0 };
	c.slope = slope;
	c.late_slope = late;
	return growth_trend(&c);
}

/* A steady leak: the same rate throughout. */
static void test_steady_leak(void **state)
{
	(void)state;
	assert_int_equal(trend_of(8192, 8192), GROWTH_SUSTAINED);
	/* still growing at the end faster than over the run (it sped up) */
	assert_int_equal(trend_of(100, 5000), GROWTH_SUSTAINED);
}

/* A cache that filled and stayed full: steep over the run, flat at the end. */
static void test_cache_plateau(void **state)
{
	(void)state;
	assert_int_equal(trend_of(40000, 0), GROWTH_STOPPED);
	assert_int_equal(trend_of(40000, -3), GROWTH_STOPPED);   /* a few entries evicted */
	assert_int_equal(trend_of(40000, 0.99), GROWTH_STOPPED); /* under 1 B/s */
}

/* A climb that slowed to a crawl: late slope under a quarter of the run's. */
static void test_slowed(void **state)
{
	(void)state;
	assert_int_equal(trend_of(4000, 999), GROWTH_STOPPED);
	assert_int_equal(trend_of(4000, 1000), GROWTH_SUSTAINED); /* exactly a quarter */
}

/* Nothing grew, or it shrank: flat. */
static void test_flat(void **state)
{
	(void)state;
	assert_int_equal(trend_of(0, 0), GROWTH_FLAT);
	assert_int_equal(trend_of(0.99, 0.5), GROWTH_FLAT);
	assert_int_equal(trend_of(-500, -500), GROWTH_FLAT);
	assert_int_equal(trend_of(1, 0), GROWTH_STOPPED); /* 1 B/s is growth */
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(growth_trend_name(GROWTH_SUSTAINED), "growing");
	assert_string_equal(growth_trend_name(GROWTH_STOPPED), "stopped");
	assert_string_equal(growth_trend_name(GROWTH_FLAT), "flat");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_leak),
		cmocka_unit_test(test_cache_plateau),
		cmocka_unit_test(test_slowed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_flat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
