/*
 * waitqueue.h - sleeping until woken, for the model's kernel threads
 * (kswapd, khugepaged, ...): wait_event_timeout() sleeps until @cond holds,
 * wake_up() is called, or the timeout passes.  A host condition variable
 * underneath; the only place model threads sleep.
 */
#ifndef MMLAB_LIB_WAITQUEUE_H
#define MMLAB_LIB_WAITQUEUE_H

#include <pthread.h>
#include <stdbool.h>

struct wait_queue_head {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long seq;	/* wakeups so far */
};

void init_waitqueue_head(struct wait_queue_head *wq);
void destroy_waitqueue_head(struct wait_queue_head *wq);
void wake_up(struct wait_queue_head *wq);
/* Sleep until cond(arg) is true, a wake_up(), or @ms milliseconds. */
void wait_event_timeout(struct wait_queue_head *wq, bool (*cond)(void *), void *arg,
			unsigned int ms);

/* Host threads for kernel threads. */
typedef pthread_t kthread_t;
int kthread_run(kthread_t *t, const char *name, void *(*fn)(void *), void *arg);
void kthread_join(kthread_t t);

#endif
