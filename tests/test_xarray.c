/*
 * test_xarray.c - the page cache's radix tree (src/lib/xarray.c) on its
 * own: stores and erases against a plain reference array (xa_load and
 * xa_find agree with it; an emptied tree is empty again), and lookups from
 * another thread while nodes are emptied, unlinked and freed under RCU
 * (ASan and TSan builds catch a lookup into a freed node).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "harness.h"
#include "../src/lib/xarray.h"
#include "stress.h"

#define NIDX	(1UL << 14)	/* indexes 0..16383: three levels */

static void *val(unsigned long i) { return (void *)((i << 2) | 2); }

static void check_all(struct xarray *xa, void **ref)
{
	unsigned long i = 0, want = 0;

	for (unsigned long k = 0; k < NIDX; k++)
		assert_ptr_equal(xa_load(xa, k), ref[k]);
	/* xa_find walks the entries in order, skipping holes */
	for (;;) {
		void *e = xa_find(xa, &i, NIDX - 1);

		while (want < NIDX && !ref[want])
			want++;
		if (want == NIDX) {
			assert_null(e);
			break;
		}
		assert_int_equal(i, want);
		assert_ptr_equal(e, ref[want]);
		i++;
		want++;
	}
}

static void t_store_erase(void **state)
{
	struct xarray xa;
	void **ref = calloc(NIDX, sizeof(*ref));
	uint64_t s = 7;

	(void)state;
	assert_non_null(ref);
	xa_init(&xa);
	assert_null(xa_load(&xa, 5));
	for (int round = 0; round < 4; round++) {
		for (int k = 0; k < 20000; k++) {
			unsigned long i = stress_rnd(&s) % NIDX;
			bool erase = stress_rnd(&s) % 3 == 0;

			assert_int_equal(xa_store(&xa, i, erase ? NULL : val(i)), 0);
			ref[i] = erase ? NULL : val(i);
		}
		check_all(&xa, ref);
		/* erase everything: every node leaves the tree */
		for (unsigned long i = 0; i < NIDX; i++) {
			assert_int_equal(xa_store(&xa, i, NULL), 0);
			ref[i] = NULL;
		}
		assert_null(xa.head);
		check_all(&xa, ref);
	}
	/* a far index grows the tree; erasing it empties it again */
	assert_int_equal(xa_store(&xa, 1UL << 40, val(3)), 0);
	assert_ptr_equal(xa_load(&xa, 1UL << 40), val(3));
	assert_null(xa_load(&xa, 3));
	assert_int_equal(xa_store(&xa, 1UL << 40, NULL), 0);
	assert_null(xa.head);
	xa_destroy(&xa);
	free(ref);
}

static struct {
	struct xarray xa;
	atomic_bool stop;
	atomic_ulong lookups, wrong;
} R;

static void *reader(void *arg)
{
	uint64_t s = 99;

	(void)arg;
	while (!atomic_load(&R.stop)) {
		unsigned long i = stress_rnd(&s) % NIDX, j = i;
		void *e = xa_load(&R.xa, i);

		/* an entry, when there is one, is always this index's */
		if (e && e != val(i))
			atomic_fetch_add(&R.wrong, 1);
		e = xa_find(&R.xa, &j, NIDX - 1);
		if (e && (j < i || e != val(j)))
			atomic_fetch_add(&R.wrong, 1);
		atomic_fetch_add(&R.lookups, 1);
	}
	return NULL;
}

static void t_lookups_race_node_frees(void **state)
{
	pthread_t th[2];
	uint64_t s = 3;

	(void)state;
	xa_init(&R.xa);
	atomic_store(&R.stop, false);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, NULL), 0);
	/* the readers are looking before the nodes start to go */
	while (atomic_load(&R.lookups) < 100)
		sched_yield();
	/* fill blocks of 64 and empty them again: nodes come and go */
	for (int round = 0; round < 300 || atomic_load(&R.lookups) < 10000; round++) {
		unsigned long base = (stress_rnd(&s) % (NIDX / 64)) * 64;

		for (unsigned long i = base; i < base + 64; i++)
			assert_int_equal(xa_store(&R.xa, i, val(i)), 0);
		for (unsigned long i = base; i < base + 64; i++)
			assert_int_equal(xa_store(&R.xa, i, NULL), 0);
	}
	atomic_store(&R.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_null(R.xa.head);
	assert_int_equal(atomic_load(&R.wrong), 0);
	assert_true(atomic_load(&R.lookups) > 0);
	xa_destroy(&R.xa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_store_erase),
		cmocka_unit_test(t_lookups_race_node_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
