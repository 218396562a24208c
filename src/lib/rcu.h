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
 * call_rcu() never waits: liburcu's thread, or under TSan and in
 * deterministic mode the model's rcu_cb thread (rcu_cb.c), runs the
 * callback after a grace period.  lib_rcu_start()/lib_rcu_stop() bracket a
 * machine's life (after the scheduler starts, before it stops).
 *
 * A thread is registered with RCU on its first read-side section and
 * unregistered when it exits.
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
int lib_rcu_start(void);
void lib_rcu_stop(void);

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
