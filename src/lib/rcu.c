/* rcu.c - see rcu.h.  liburcu in normal builds, a host rwlock under TSan;
 * in deterministic mode (lib/sched.h) the scheduler's own RCU.  Under TSan
 * and in deterministic mode callbacks go to the rcu_cb thread (rcu_cb.c). */
#include <pthread.h>
#include <stdbool.h>
#include "sched.h"
#include "rcu_cb.h"

#ifdef MMLAB_TSAN
#include "rcu.h"
#include "lock.h"

static pthread_rwlock_t rcu_rwlock = PTHREAD_RWLOCK_INITIALIZER;

void lib_rcu_read_lock(void)
{
	if (dsched_on())
		return dsched_rcu_read_lock();
	pthread_rwlock_rdlock(&rcu_rwlock);
}

void lib_rcu_read_unlock(void)
{
	if (dsched_on())
		return dsched_rcu_read_unlock();
	pthread_rwlock_unlock(&rcu_rwlock);
}

/* A reader may be waiting for an IPI this CPU must answer: poll while
 * waiting for the readers to leave. */
void lib_synchronize_rcu(void)
{
	unsigned int spins = 0;

	if (dsched_on())
		return dsched_synchronize_rcu();
	while (pthread_rwlock_trywrlock(&rcu_rwlock))
		lib_wait(&spins);
	pthread_rwlock_unlock(&rcu_rwlock);
}

void lib_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *))
{
	if (rcu_cb_queue(head, func))
		return;
	lib_synchronize_rcu();
	func(head);
}

void lib_rcu_barrier(void)
{
	rcu_cb_barrier();
}

int lib_rcu_start(void)
{
	return rcu_cb_start();
}

void lib_rcu_stop(void)
{
	rcu_cb_stop();
}

#else

/*
 * liburcu has its own struct rcu_head of the same two-word layout as ours;
 * this file sees only liburcu's, so it takes ours as void *.
 */
#include <urcu/urcu-memb.h>
#include <urcu/call-rcu.h>

_Static_assert(sizeof(struct rcu_head) == 2 * sizeof(void *), "rcu_head layout");

static __thread bool rcu_registered;
static pthread_key_t rcu_key;
static pthread_once_t rcu_once = PTHREAD_ONCE_INIT;

static void rcu_thread_gone(void *arg)
{
	(void)arg;
	if (rcu_registered) {
		urcu_memb_unregister_thread();
		rcu_registered = false;
	}
}

static void rcu_key_init(void)
{
	pthread_key_create(&rcu_key, rcu_thread_gone);
}

static void rcu_register(void)
{
	pthread_once(&rcu_once, rcu_key_init);
	urcu_memb_register_thread();
	rcu_registered = true;
	pthread_setspecific(rcu_key, (void *)1);
}

void lib_rcu_read_lock(void)
{
	if (dsched_on())
		return dsched_rcu_read_lock();
	if (__builtin_expect(!rcu_registered, 0))
		rcu_register();
	urcu_memb_read_lock();
}

void lib_rcu_read_lock(void);
void lib_rcu_read_unlock(void);
void lib_synchronize_rcu(void);
void lib_call_rcu(void *head, void (*func)(struct rcu_head *));
void lib_rcu_barrier(void);
int lib_rcu_start(void);
void lib_rcu_stop(void);

void lib_rcu_read_unlock(void)
{
	if (dsched_on())
		return dsched_rcu_read_unlock();
	urcu_memb_read_unlock();
}

void lib_synchronize_rcu(void)
{
	if (dsched_on())
		return dsched_synchronize_rcu();
	urcu_memb_synchronize_rcu();
}

void lib_call_rcu(void *head, void (*func)(struct rcu_head *))
{
	if (dsched_on()) {
		if (rcu_cb_queue(head, func))
			return;
		dsched_synchronize_rcu();
		func(head);
		return;
	}
	if (!rcu_registered)
		rcu_register();
	urcu_memb_call_rcu(head, func);
}

void lib_rcu_barrier(void)
{
	if (dsched_on())
		return rcu_cb_barrier();
	if (!rcu_registered)
		rcu_register();
	urcu_memb_barrier();
}

/* liburcu has its own callback thread; deterministic mode needs ours */
int lib_rcu_start(void)
{
	return dsched_on() ? rcu_cb_start() : 0;
}

void lib_rcu_stop(void)
{
	rcu_cb_stop();
}
#endif
