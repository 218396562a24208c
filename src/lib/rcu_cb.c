/*
 * rcu_cb.c - the callback side of RCU where the model maps grace periods
 * itself (TSan builds, and the deterministic scheduler in any build):
 * call_rcu() queues the callback and returns at once, as the kernel's does;
 * one kernel thread, "rcu_cb", takes the queued batch, waits for a grace
 * period (lib_synchronize_rcu) and runs the batch in queueing order.
 *
 * call_rcu() may be called with spinlocks held (a page-table free under
 * the PMD lock): waiting for a grace period there would wait for a reader
 * that itself waits for that lock.  rcu_barrier() waits until every
 * callback queued before it has run.
 *
 * Outside a machine's lifetime (no thread), call_rcu() waits for a grace
 * period and runs the callback in the caller.
 *
 * Locks: cb_lock (a host mutex, held for list updates only, never across
 * a scheduling point) guards the queue; cb_queued and cb_done count
 * callbacks queued and run (atomics, read by waiters).
 */
#include <stdbool.h>
#include <stdint.h>
#include "rcu.h"
#include "rcu_cb.h"
#include "waitqueue.h"

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_head *cb_head, **cb_tail = &cb_head;
static uint64_t cb_queued, cb_done;
static bool cb_running, cb_stop;
static struct wait_queue_head cb_wq, cb_done_wq;
static kthread_t cb_thread;

static bool cb_pending(void *arg)
{
	(void)arg;
	return __atomic_load_n(&cb_done, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&cb_queued, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&cb_stop, __ATOMIC_ACQUIRE);
}

static struct rcu_head *cb_take_all(void)
{
	struct rcu_head *batch;

	pthread_mutex_lock(&cb_lock);
	batch = cb_head;
	cb_head = NULL;
	cb_tail = &cb_head;
	pthread_mutex_unlock(&cb_lock);
	return batch;
}

/* One batch: a grace period, then its callbacks.  False if there was none. */
static bool cb_run_batch(void)
{
	struct rcu_head *h = cb_take_all(), *next;
	uint64_t n = 0;

	if (!h)
		return false;
	lib_synchronize_rcu();
	for (; h; h = next, n++) {
		next = h->next;
		h->func(h);
	}
	__atomic_fetch_add(&cb_done, n, __ATOMIC_RELEASE);
	wake_up(&cb_done_wq);
	return true;
}

static void *rcu_cb_kthread(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&cb_stop, __ATOMIC_ACQUIRE)) {
		if (!cb_run_batch())
			wait_event_timeout(&cb_wq, cb_pending, NULL, 100);
	}
	while (cb_run_batch())
		;
	return NULL;
}

int rcu_cb_start(void)
{
	init_waitqueue_head(&cb_wq);
	init_waitqueue_head(&cb_done_wq);
	__atomic_store_n(&cb_stop, false, __ATOMIC_RELEASE);
	if (kthread_run(&cb_thread, "rcu_cb", rcu_cb_kthread, NULL)) {
		destroy_waitqueue_head(&cb_wq);
		destroy_waitqueue_head(&cb_done_wq);
		return -1;
	}
	__atomic_store_n(&cb_running, true, __ATOMIC_RELEASE);
	return 0;
}

void rcu_cb_stop(void)
{
	if (!__atomic_load_n(&cb_running, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&cb_stop, true, __ATOMIC_RELEASE);
	wake_up(&cb_wq);
	kthread_join(cb_thread);
	__atomic_store_n(&cb_running, false, __ATOMIC_RELEASE);
	destroy_waitqueue_head(&cb_wq);
	destroy_waitqueue_head(&cb_done_wq);
}

bool rcu_cb_queue(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	if (!__atomic_load_n(&cb_running, __ATOMIC_ACQUIRE))
		return false;
	head->func = func;
	head->next = NULL;
	pthread_mutex_lock(&cb_lock);
	*cb_tail = head;
	cb_tail = (struct rcu_head **)&head->next;
	__atomic_fetch_add(&cb_queued, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&cb_lock);
	wake_up(&cb_wq);
	return true;
}

static bool cb_reached(void *arg)
{
	return __atomic_load_n(&cb_done, __ATOMIC_ACQUIRE) >= *(uint64_t *)arg;
}

void rcu_cb_barrier(void)
{
	uint64_t target = __atomic_load_n(&cb_queued, __ATOMIC_ACQUIRE);

	if (!__atomic_load_n(&cb_running, __ATOMIC_ACQUIRE))
		return;
	while (!cb_reached(&target)) {
		wake_up(&cb_wq);
		wait_event_timeout(&cb_done_wq, cb_reached, &target, 10);
	}
}
