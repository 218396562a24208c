/*
 * lock.c - slow paths of the model's spinlocks and rw_semaphores.  See
 * lock.h for why every wait calls lib_wait().
 */
#include <sched.h>
#include <time.h>
#include "lock.h"

void (*lib_wait_hook)(void);
__thread const char *lib_wait_what;
__thread const void *lib_wait_obj;

void lib_wait(unsigned int *spins)
{
	void (*hook)(void) = lib_wait_hook;

	if (hook)
		hook();
	(*spins)++;
	if (dsched_on()) {
		dsched_wait_point(lib_wait_what ? lib_wait_what : "a condition",
				  lib_wait_obj);
		return;
	}
	if (*spins < 16) {
		__builtin_ia32_pause();
	} else if (*spins < 2000) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 50000 };
		nanosleep(&ts, NULL);
	}
}

/* A wait loop that names what it waits for, then forgets it. */
#define WAIT_FOR(what, obj, cond)				\
	do {							\
		unsigned int spins = 0;				\
								\
		while (!(cond)) {				\
			lib_wait_what = (what);			\
			lib_wait_obj = (obj);			\
			lib_wait(&spins);			\
		}						\
		lib_wait_what = NULL;				\
		lib_wait_obj = NULL;				\
	} while (0)

static void acquired(const void *lock, const char *kind)
{
	if (dsched_on())
		dsched_lock_acquired(lock, kind);
}

static void released(const void *lock)
{
	if (dsched_on()) {
		dsched_lock_released(lock);
		dsched_point();
	}
}

void spin_lock_slow(spinlock_t *l)
{
	WAIT_FOR("spinlock", l, spin_trylock(l));
}

bool down_read_trylock(struct rw_semaphore *s)
{
	unsigned int old;

	sched_point();
	old = READ_ONCE(s->state);
	while (!(old & (RWSEM_WRITER | RWSEM_WAITING))) {
		if (__atomic_compare_exchange_n(&s->state, &old, old + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			acquired(s, "rw_semaphore (read)");
			return true;
		}
	}
	return false;
}

void down_read(struct rw_semaphore *s)
{
	WAIT_FOR("rw_semaphore (read)", s, down_read_trylock(s));
}

void up_read(struct rw_semaphore *s)
{
	__atomic_fetch_sub(&s->state, 1, __ATOMIC_RELEASE);
	released(s);
}

bool down_write_trylock(struct rw_semaphore *s)
{
	unsigned int old;

	sched_point();
	old = READ_ONCE(s->state);
	while ((old & ~RWSEM_WAITING) == 0) {
		if (__atomic_compare_exchange_n(&s->state, &old, RWSEM_WRITER,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED)) {
			acquired(s, "rw_semaphore (write)");
			return true;
		}
	}
	return false;
}

static bool down_write_or_mark(struct rw_semaphore *s)
{
	unsigned int old;

	if (down_write_trylock(s))
		return true;
	old = READ_ONCE(s->state);
	if (!(old & RWSEM_WAITING))
		__atomic_fetch_or(&s->state, RWSEM_WAITING, __ATOMIC_RELAXED);
	return false;
}

void down_write(struct rw_semaphore *s)
{
	WAIT_FOR("rw_semaphore (write)", s, down_write_or_mark(s));
}

void up_write(struct rw_semaphore *s)
{
	/* keep a waiting writer's mark so readers keep yielding to it */
	__atomic_fetch_and(&s->state, ~RWSEM_WRITER, __ATOMIC_RELEASE);
	released(s);
}

void downgrade_write(struct rw_semaphore *s)
{
	/* writer -> one reader, atomically: nobody can slip in between */
	__atomic_fetch_add(&s->state, 1, __ATOMIC_RELAXED);
	__atomic_fetch_and(&s->state, ~RWSEM_WRITER, __ATOMIC_RELEASE);
	if (dsched_on()) {
		dsched_lock_released(s);
		dsched_lock_acquired(s, "rw_semaphore (read)");
		dsched_point();
	}
}
