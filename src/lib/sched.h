/*
 * sched.h - the deterministic scheduler: one seeded scheduler decides which
 * model thread runs at every scheduling point, so that a run (and a race it
 * finds) replays exactly from its seed, whatever the host does.
 *
 * Every thread of the model (the thread that created the machine, task
 * CPUs of mm.parallel and of C tests, kswapd, khugepaged) is a host thread,
 * created through lib_thread_create().  In deterministic mode only one of
 * them runs model code at a time: the one holding the baton.  At each
 * scheduling point the holder asks the strategy for the next thread and
 * hands the baton over (a host mutex and one condition variable per
 * thread: the handover orders memory, so there are no data races).
 *
 * Scheduling points (the granularity): every lock acquire and release in
 * lib/ (spinlocks, rw_semaphores), every wait-loop iteration (lib_wait:
 * lock contention, page locks, IPI acknowledgement, swap cache races),
 * RCU read-side entry and exit and grace periods, IPI send, every
 * page-table entry read, write and exchange, every simulated memory access
 * (one per page an access touches), sleeps and wake-ups, thread creation,
 * join and exit.
 *
 * Waiting: a thread in a wait loop is skipped while another can run (the
 * one it waits for).  Sleeping (wait_event_timeout) takes a thread off the
 * run queue until a wake_up() or its timeout on the simulated clock.  The
 * clock advances by DSCHED_QUANTUM_NS per step, and jumps to the next
 * timeout when every thread sleeps or has only waited for a long streak.
 * When nothing can run and nothing sleeps, or the waits never end, that is
 * a deadlock: each thread's locks and what it waits for are printed.
 *
 * Strategies: uniform random among runnable threads at every point, or PCT
 * (Burckhardt et al., ASPLOS 2010): random distinct priorities, the highest
 * runnable thread runs, and at depth-1 random steps the running thread
 * drops below every other.  The decisions are hashed; a run ends with its
 * length and that hash.
 *
 * Locks: dsched_mu guards all state below; the baton holder is the only
 * thread that runs model code.
 */
#ifndef MMLAB_LIB_SCHED_H
#define MMLAB_LIB_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"

#define DSCHED_QUANTUM_NS	100	/* simulated time per step */

enum dsched_strategy { DSCHED_RANDOM, DSCHED_PCT };

struct dsched_config {
	uint64_t seed;
	enum dsched_strategy strategy;
	unsigned int depth;		/* PCT: bug depth d (>= 1) */
	uint64_t pct_steps;		/* PCT: expected schedule length */
	uint64_t max_steps;		/* 0: no budget */
};

struct dsched_stats {
	uint64_t steps;			/* scheduling points */
	uint64_t switches;		/* points where another thread ran */
	uint64_t hash;			/* of every decision */
	uint64_t clock_ns;		/* simulated clock at the end */
	int failed;			/* 0, or DSCHED_DEADLOCK / DSCHED_BUDGET */
};
#define DSCHED_DEADLOCK	1
#define DSCHED_BUDGET	2

/* Set while deterministic mode is on (changed with one model thread; a
 * host thread outside the model, a test's watchdog, may read it). */
extern int dsched_active;

static inline int dsched_on(void)
{
	return __atomic_load_n(&dsched_active, __ATOMIC_RELAXED);
}

/* The calling thread becomes the first thread and holds the baton. */
int dsched_start(const struct dsched_config *cfg);
/* Every other thread has been joined: stop, and report the schedule. */
void dsched_stop(struct dsched_stats *out);
void dsched_get_stats(struct dsched_stats *out);
/* " at schedule step N" in deterministic mode, for a report that a replay
 * must find at the same step; "" otherwise.  A per-thread buffer. */
const char *dsched_where(void);

void dsched_point(void);
void dsched_wait_point(const char *what, const void *obj);
/* Give way on purpose (a test's pause): a wait point that, under PCT, also
 * drops the thread below every other. */
void dsched_yield(void);

static inline void sched_point(void)
{
	if (unlikely(dsched_on()))
		dsched_point();
}

/* Threads of the model: under the scheduler in deterministic mode, plain
 * pthreads otherwise.  name is for reports (copied). */
int lib_thread_create(pthread_t *t, const char *name, void *(*fn)(void *), void *arg);
void lib_thread_join(pthread_t t);

/* The clock decisions take time from: the simulated clock in
 * deterministic mode, CLOCK_MONOTONIC otherwise. */
uint64_t lib_now_ns(void);

/* For lib/waitqueue.c: sleep until woken or ms pass, wake sleepers. */
struct wait_queue_head;
void dsched_sleep(const struct wait_queue_head *wq, unsigned int ms);
void dsched_wake(const struct wait_queue_head *wq);

/* For lib/rcu.c: deterministic RCU (read sections counted per thread, a
 * grace period waits until each thread in one at its start has left it). */
void dsched_rcu_read_lock(void);
void dsched_rcu_read_unlock(void);
void dsched_synchronize_rcu(void);

/* For lib/lock.c: locks held, for a deadlock's report. */
void dsched_lock_acquired(const void *lock, const char *kind);
void dsched_lock_released(const void *lock);

#endif
