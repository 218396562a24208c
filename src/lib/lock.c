/*
 * lock.c - slow paths of the model's spinlocks and rw_semaphores.  See
 * lock.h for why every wait calls lib_wait().
 */
#include <sched.h>
#include <time.h>
#include "lock.h"

void (*lib_wait_hook)(void);

void lib_wait(unsigned int *spins)
{
	void (*hook)(void) = lib_wait_hook;

	if (hook)
		hook();
	(*spins)++;
	if (*spins < 16) {
		__builtin_ia32_pause();
	} else if (*spins < 2000) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 50000 };
		nanosleep(&ts, NULL);
	}
}

void spin_lock_slow(spinlock_t *l)
{
	unsigned int spins = 0;

	while (!spin_trylock(l))
		lib_wait(&spins);
}

bool down_read_trylock(struct rw_semaphore *s)
{
	unsigned int old = READ_ONCE(s->state);

	while (!(old & (RWSEM_WRITER | RWSEM_WAITING))) {
		if (__atomic_compare_exchange_n(&s->state, &old, old + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

void down_read(struct rw_semaphore *s)
{
	unsigned int spins = 0;

	while (!down_read_trylock(s))
		lib_wait(&spins);
}

void up_read(struct rw_semaphore *s)
{
	__atomic_fetch_sub(&s->state, 1, __ATOMIC_RELEASE);
}

bool down_write_trylock(struct rw_semaphore *s)
{
	unsigned int old = READ_ONCE(s->state);

	while ((old & ~RWSEM_WAITING) == 0) {
		if (__atomic_compare_exchange_n(&s->state, &old, RWSEM_WRITER,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	}
	return false;
}

void down_write(struct rw_semaphore *s)
{
	unsigned int spins = 0;

	while (!down_write_trylock(s)) {
		unsigned int old = READ_ONCE(s->state);

		if (!(old & RWSEM_WAITING))
			__atomic_fetch_or(&s->state, RWSEM_WAITING, __ATOMIC_RELAXED);
		lib_wait(&spins);
	}
}

void up_write(struct rw_semaphore *s)
{
	/* keep a waiting writer's mark so readers keep yielding to it */
	__atomic_fetch_and(&s->state, ~RWSEM_WRITER, __ATOMIC_RELEASE);
}

void downgrade_write(struct rw_semaphore *s)
{
	/* writer -> one reader, atomically: nobody can slip in between */
	__atomic_fetch_add(&s->state, 1, __ATOMIC_RELAXED);
	__atomic_fetch_and(&s->state, ~RWSEM_WRITER, __ATOMIC_RELEASE);
}
