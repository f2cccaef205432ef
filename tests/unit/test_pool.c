/* SPDX-License-Identifier: GPL-2.0-or-later */
/* src/core/pool.c: every wanted item runs once, never more at a time than asked. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "vmsnapcheck/pool.h"

struct item {
	int id;
	int runs;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int running, most;

static void work(void *arg)
{
	struct item *it = arg;
	struct timespec pause = { 0, 20000000 };

	pthread_mutex_lock(&lock);
	if (++running > most)
		most = running;
	pthread_mutex_unlock(&lock);
	nanosleep(&pause, NULL); /* long enough for the others to overlap */
	it->runs++;
	pthread_mutex_lock(&lock);
	running--;
	pthread_mutex_unlock(&lock);
}

static bool odd_only(const void *arg)
{
	return ((const struct item *)arg)->id % 2 == 1;
}

static void check(size_t n, size_t parallel, bool (*wanted)(const void *))
{
	struct item items[40];

	assert_true(n <= 40);
	for (size_t i = 0; i < n; i++)
		items[i] = (struct item){ .id = (int)i };
	most = 0;
	vmsc_pool_run(items, n, sizeof(items[0]), parallel, work, wanted);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(items[i].runs, !wanted || wanted(&items[i]) ? 1 : 0);
	assert_true(most <= (int)(parallel ? parallel : 1));
	assert_int_equal(running, 0);
}

static void test_pool_bounds(void **state)
{
	(void)state;
	check(0, 4, NULL);
	check(1, 4, NULL);
	check(40, 4, NULL);
	check(40, 1, NULL);
	check(7, 0, NULL);   /* 0 means one at a time */
	check(40, 3, odd_only);
	check(10, 16, NULL); /* more slots than items */
	/* with several items and slots, they do overlap */
	check(12, 4, NULL);
	assert_true(most > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
