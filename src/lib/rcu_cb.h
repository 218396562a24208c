/*
 * rcu_cb.h - RCU callbacks run by a kernel thread after a grace period,
 * for the RCU mappings that have no callback machinery of their own (TSan
 * builds, deterministic mode).  See rcu_cb.c.
 */
#ifndef MMLAB_LIB_RCU_CB_H
#define MMLAB_LIB_RCU_CB_H

#include <stdbool.h>

struct rcu_head;

int rcu_cb_start(void);
void rcu_cb_stop(void);
/* Queue @func(@head) for after a grace period; false if no thread runs. */
bool rcu_cb_queue(struct rcu_head *head, void (*func)(struct rcu_head *));
void rcu_cb_barrier(void);

#endif
