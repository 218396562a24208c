/*
 * rcu.h - RCU for the model, with the kernel's names.
 *
 * Normal builds use liburcu (membarrier flavour): readers are nearly free
 * and a page-table frame is freed only after every reader that could have
 * reached it has left its read-side section.  ThreadSanitizer cannot follow
 * liburcu's grace periods, so a TSan build (MMLAB_TSAN) maps readers to the
 * read side of a host rwlock and a grace period to taking its write side
 * once: slow, but correct and visible to TSan.
 *
 * A thread is registered with RCU on its first read-side section and
 * unregistered when it exits.  call_rcu() must not be called inside a
 * read-side section (the TSan mapping would deadlock).
 */
#ifndef MMLAB_LIB_RCU_H
#define MMLAB_LIB_RCU_H

struct rcu_head {
	void *next;
	void (*func)(struct rcu_head *);
};

void lib_rcu_read_lock(void);
void lib_rcu_read_unlock(void);
void lib_synchronize_rcu(void);
void lib_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *));
void lib_rcu_barrier(void);

static inline void rcu_read_lock(void) { lib_rcu_read_lock(); }
static inline void rcu_read_unlock(void) { lib_rcu_read_unlock(); }
static inline void synchronize_rcu(void) { lib_synchronize_rcu(); }
static inline void call_rcu(struct rcu_head *h, void (*f)(struct rcu_head *))
{
	lib_call_rcu(h, f);
}
/* Wait until every call_rcu() callback queued so far has run. */
static inline void rcu_barrier(void) { lib_rcu_barrier(); }

#endif
