/*
 * lock.h - the model's locks: spinlock_t, rw_semaphore, and the wait hook.
 *
 * Every wait in model code goes through lib_wait(): it runs the hook that
 * hw/ registers (a simulated CPU services its pending IPIs there, as a real
 * CPU takes interrupts while it spins with interrupts enabled), then yields
 * the host CPU.  The machine has 2 host cores and more simulated CPUs, so no
 * wait may spin without yielding.  These wrappers are also the scheduling
 * points a deterministic runtime would use.
 *
 * spinlock_t is 4 bytes so that a split PTE lock fits in struct page.
 */
#ifndef MMLAB_LIB_LOCK_H
#define MMLAB_LIB_LOCK_H

#include "compiler.h"
#include "sched.h"

typedef struct { int locked; } spinlock_t;
#define __SPIN_LOCK_UNLOCKED { 0 }

extern void (*lib_wait_hook)(void);
/* One step of a wait loop: service interrupts, then yield after a while
 * (in deterministic mode: let the scheduler run someone else). */
void lib_wait(unsigned int *spins);
/* What the next lib_wait() waits for, for a deadlock's report. */
extern __thread const char *lib_wait_what;
extern __thread const void *lib_wait_obj;

static inline void spin_lock_init(spinlock_t *l) { atomic_set(&l->locked, 0); }

static inline bool raw_spin_trylock(spinlock_t *l)
{
	int old = 0;
	if (READ_ONCE(l->locked))
		return false;
	return __atomic_compare_exchange_n(&l->locked, &old, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* Every acquire and release is a scheduling point (sched.h). */
static inline bool spin_trylock(spinlock_t *l)
{
	bool ok;

	sched_point();
	ok = raw_spin_trylock(l);
	if (ok && unlikely(dsched_on()))
		dsched_lock_acquired(l, "spinlock");
	return ok;
}

void spin_lock_slow(spinlock_t *l);

static inline void spin_lock(spinlock_t *l)
{
	if (likely(spin_trylock(l)))
		return;
	spin_lock_slow(l);
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (unlikely(dsched_on())) {
		dsched_lock_released(l);
		dsched_point();
	}
}

static inline bool spin_is_locked(spinlock_t *l) { return READ_ONCE(l->locked) != 0; }

/* rw_semaphore: readers share, a writer excludes; waiting writers block new
 * readers so a writer is not starved. */
struct rw_semaphore {
	unsigned int state;
};
#define RWSEM_WRITER	(1u << 31)
#define RWSEM_WAITING	(1u << 30)

static inline void init_rwsem(struct rw_semaphore *s) { atomic_set(&s->state, 0); }
void down_read(struct rw_semaphore *s);
bool down_read_trylock(struct rw_semaphore *s);
void up_read(struct rw_semaphore *s);
void down_write(struct rw_semaphore *s);
bool down_write_trylock(struct rw_semaphore *s);
void up_write(struct rw_semaphore *s);
void downgrade_write(struct rw_semaphore *s);
static inline bool rwsem_is_locked(struct rw_semaphore *s) { return READ_ONCE(s->state) != 0; }
static inline bool rwsem_is_write_locked(struct rw_semaphore *s)
{
	return READ_ONCE(s->state) & RWSEM_WRITER;
}

#endif
