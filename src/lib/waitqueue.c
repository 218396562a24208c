/* waitqueue.c - see waitqueue.h.  In deterministic mode a sleep is the
 * scheduler's (on the simulated clock), not the host's. */
#include <time.h>
#include "waitqueue.h"
#include "sched.h"

void init_waitqueue_head(struct wait_queue_head *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	wq->seq = 0;
}

void destroy_waitqueue_head(struct wait_queue_head *wq)
{
	pthread_cond_destroy(&wq->cond);
	pthread_mutex_destroy(&wq->lock);
}

void wake_up(struct wait_queue_head *wq)
{
	if (dsched_on())
		return dsched_wake(wq);
	pthread_mutex_lock(&wq->lock);
	wq->seq++;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

void wait_event_timeout(struct wait_queue_head *wq, bool (*cond)(void *), void *arg,
			unsigned int ms)
{
	struct timespec ts;
	unsigned long seq;

	if (dsched_on()) {
		if (!(cond && cond(arg)))
			dsched_sleep(wq, ms);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wq->lock);
	seq = wq->seq;
	while (!(cond && cond(arg)) && wq->seq == seq) {
		if (pthread_cond_timedwait(&wq->cond, &wq->lock, &ts))
			break;
	}
	pthread_mutex_unlock(&wq->lock);
}

int kthread_run(kthread_t *t, const char *name, void *(*fn)(void *), void *arg)
{
	return lib_thread_create(t, name, fn, arg);
}

void kthread_join(kthread_t t)
{
	lib_thread_join(t);
}
