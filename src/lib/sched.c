/*
 * sched.c - the deterministic scheduler (see sched.h for what it decides
 * and where).  dsched_mu guards everything here; the baton holder
 * (current) is the only thread running model code, and every other
 * registered thread is parked on its own futex word (go), which the
 * baton holder sets when it hands over: dsched_mu is free by then, so the
 * woken thread takes it uncontended.
 */
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sched.h"
#include "lock.h"

#define DS_MAX_THREADS	1024
#define DS_MAX_HELD	16
#define DS_MAX_DEPTH	16
/* Consecutive wait-loop steps (nobody progressing) before the clock jumps
 * to the next timeout, and before the run is called deadlocked. */
#define DS_WAIT_JUMP	4096
#define DS_WAIT_DEADLOCK 4000000
/* A thread that found it must wait looks again only after this many steps
 * of others, or a lock release (what it waits for is mostly a lock). */
#define DS_WAIT_RECHECK	64
/* PCT: a thread that runs this many steps in a row without waiting drops
 * below every other, as at a change point: PCT assumes every thread ends,
 * and a loop that spins until the others finish would starve them. */
#define DS_PCT_RUN_LIMIT 20000

enum { DS_FREE, DS_RUNNABLE, DS_SLEEPING, DS_EXITED };

struct ds_thread {
	int state;
	bool waiting;			/* its last point was a wait iteration */
	uint64_t waited_at;		/* the step of that point */
	bool host_set;
	pthread_t host;
	int go;				/* futex: the baton is this thread's */
	char name[32];
	int64_t prio;			/* PCT */
	const char *wait_what;
	const void *wait_obj;
	uint64_t wake_at;		/* sleeping: simulated ns */
	const void *wq;			/* sleeping on it */
	int rcu_nesting;
	uint64_t rcu_exits;		/* read sections left */
	int nheld;
	const void *held[DS_MAX_HELD];
	const char *held_kind[DS_MAX_HELD];
};

int dsched_active;

static pthread_mutex_t dsched_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ds_thread *th;
static int nr_slots;			/* high-water mark of th[] */
static __thread int self = -1;
static int current;
static struct dsched_config conf;
static uint64_t rng_state, steps, switches, hash, clock_ns, wait_streak;
static uint64_t change_at[DS_MAX_DEPTH];
static unsigned int nr_change;
static int64_t low_prio;		/* PCT: the next priority below all */
static uint64_t run_streak;		/* steps the current thread ran */
/* Every thread of a deterministic run sits on one host CPU: one runs at a
 * time anyway, and a handover between threads of one CPU costs a context
 * switch, not a cross-CPU wake-up (an IPI; a hypervisor exit in a guest).
 * MMLAB_SCHED_CPU picks it (explore gives each job its own); else the CPU
 * the run started on.  Decisions never depend on it. */
static int pin_cpu = -1;
static cpu_set_t saved_affinity;
static bool affinity_saved;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void slot_init(int id, const char *name)
{
	struct ds_thread *t = &th[id];

	memset(t, 0, sizeof(*t));
	t->state = DS_RUNNABLE;
	snprintf(t->name, sizeof(t->name), "%s/%d", name, id);
	/* PCT: initial priorities lie above every change point's */
	t->prio = DS_MAX_DEPTH + 1 + (int64_t)(rng() >> 24);
}

/* ---- reports ---- */

static void report_threads(void)
{
	for (int i = 0; i < nr_slots; i++) {
		struct ds_thread *t = &th[i];
		static const char *const states[] = { "free", "runnable", "sleeping", "exited" };

		if (t->state == DS_FREE || t->state == DS_EXITED)
			continue;
		fprintf(stderr, "  thread %s: %s", t->name, states[t->state]);
		if (t->state == DS_SLEEPING)
			fprintf(stderr, " until %.6f s", t->wake_at / 1e9);
		if (t->waiting && t->wait_what)
			fprintf(stderr, ", waiting for %s %p", t->wait_what, t->wait_obj);
		if (t->rcu_nesting)
			fprintf(stderr, ", in an RCU read section");
		fprintf(stderr, "\n");
		for (int j = 0; j < t->nheld; j++)
			fprintf(stderr, "    holds %s %p\n", t->held_kind[j], t->held[j]);
	}
}

static void __attribute__((noreturn)) ds_fail(int why)
{
	fflush(stdout);
	fprintf(stderr, "deterministic schedule: %s at step %llu (seed %llu, "
		"hash %016llx)\n", why == DSCHED_DEADLOCK ? "deadlock: no thread can "
		"make progress" : "step budget exceeded",
		(unsigned long long)steps, (unsigned long long)conf.seed,
		(unsigned long long)hash);
	report_threads();
	fflush(NULL);
	_exit(3);
}

/* ---- choosing ---- */

static void wake_due(void)
{
	for (int i = 0; i < nr_slots; i++)
		if (th[i].state == DS_SLEEPING && th[i].wake_at <= clock_ns)
			th[i].state = DS_RUNNABLE;
}

/* The clock jumps to the first timeout; false when nobody sleeps. */
static bool jump_clock(void)
{
	uint64_t first = UINT64_MAX;

	for (int i = 0; i < nr_slots; i++)
		if (th[i].state == DS_SLEEPING && th[i].wake_at < first)
			first = th[i].wake_at;
	if (first == UINT64_MAX)
		return false;
	if (first > clock_ns)
		clock_ns = first;
	wake_due();
	return true;
}

/* Candidates: runnable threads that are not waiting; else waiting ones
 * other than self; else self. */
static int pick(void)
{
	int cand[DS_MAX_THREADS], n = 0, best;

	wake_due();
	for (int pass = 0; pass < 3 && !n; pass++) {
		for (int i = 0; i < nr_slots; i++) {
			struct ds_thread *t = &th[i];

			if (t->state != DS_RUNNABLE)
				continue;
			if ((pass == 0 && !t->waiting) || (pass == 1 && i != self) ||
			    (pass == 2 && i == self))
				cand[n++] = i;
		}
		if (!n && pass == 2 && jump_clock())
			pass = -1;	/* someone woke: look again */
	}
	if (!n)
		ds_fail(DSCHED_DEADLOCK);
	if (conf.strategy == DSCHED_RANDOM)
		return cand[rng() % (uint64_t)n];
	best = cand[0];
	for (int i = 1; i < n; i++)
		if (th[cand[i]].prio > th[best].prio)
			best = cand[i];
	return best;
}

static void ds_wake(int i)
{
	__atomic_store_n(&th[i].go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &th[i].go, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleep until the baton is handed to @me. */
static void ds_park(int me)
{
	while (!__atomic_load_n(&th[me].go, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &th[me].go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	__atomic_store_n(&th[me].go, 0, __ATOMIC_RELAXED);
}

/* Hand the baton to @next and wait until it comes back.  dsched_mu held,
 * and held again on return, unless self is exiting: then it is released
 * and self never runs model code again. */
static void switch_to(int next, bool exiting)
{
	int me = self;

	hash = (hash ^ (uint64_t)(next + 1)) * 0x100000001b3ULL;
	if (next == me) {
		if (exiting)
			pthread_mutex_unlock(&dsched_mu);
		return;
	}
	switches++;
	run_streak = 0;
	current = next;
	pthread_mutex_unlock(&dsched_mu);
	ds_wake(next);
	if (exiting)
		return;
	ds_park(me);
	pthread_mutex_lock(&dsched_mu);
}

/* One step: the clock, the budget, PCT's change points. */
static void step(void)
{
	steps++;
	clock_ns += DSCHED_QUANTUM_NS;
	if (conf.max_steps && steps > conf.max_steps)
		ds_fail(DSCHED_BUDGET);
	for (unsigned int i = 0; i < nr_change; i++)
		if (change_at[i] == steps)
			th[self].prio = nr_change - i;	/* below every other */
	if (conf.strategy == DSCHED_PCT && ++run_streak > DS_PCT_RUN_LIMIT) {
		th[self].prio = --low_prio;
		run_streak = 0;
	}
}

static void check_self(void)
{
	if (self < 0) {
		fprintf(stderr, "deterministic schedule: a host thread not created "
			"through lib_thread_create()/mmlab_thread_create() ran "
			"model code\n");
		abort();
	}
}

/* Take dsched_mu for a point of the running thread: false (unlocked) when
 * deterministic mode is off. */
static bool enter(void)
{
	pthread_mutex_lock(&dsched_mu);
	if (!dsched_on()) {
		pthread_mutex_unlock(&dsched_mu);
		return false;
	}
	check_self();
	return true;
}

/* A thread that gives way on purpose (a test's pause): under PCT it drops
 * below every other; the others run first. */
void dsched_yield(void)
{
	if (!enter())
		return;
	if (conf.strategy == DSCHED_PCT)
		th[self].prio = --low_prio;
	pthread_mutex_unlock(&dsched_mu);
	dsched_wait_point("its own pause", NULL);
}

void dsched_point(void)
{
	if (!enter())
		return;
	step();
	wait_streak = 0;
	th[self].waiting = false;
	for (int i = 0; i < nr_slots; i++)
		if (th[i].waiting && th[i].waited_at + DS_WAIT_RECHECK <= steps)
			th[i].waiting = false;
	switch_to(pick(), false);
	pthread_mutex_unlock(&dsched_mu);
}

void dsched_wait_point(const char *what, const void *obj)
{
	if (!enter())
		return;
	step();
	th[self].waiting = true;
	th[self].waited_at = steps;
	th[self].wait_what = what;
	th[self].wait_obj = obj;
	if (++wait_streak % DS_WAIT_JUMP == 0)
		jump_clock();
	if (wait_streak > DS_WAIT_DEADLOCK)
		ds_fail(DSCHED_DEADLOCK);
	switch_to(pick(), false);
	pthread_mutex_unlock(&dsched_mu);
}

/* ---- start, stop ---- */

static void pin_self(void)
{
	cpu_set_t one;

	if (pin_cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(pin_cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);	/* a hint: failure is harmless */
}

static void pin_choose(void)
{
	const char *e = getenv("MMLAB_SCHED_CPU");
	int n = 0, want;

	pin_cpu = -1;
	affinity_saved = !sched_getaffinity(0, sizeof(saved_affinity), &saved_affinity);
	if (!affinity_saved)
		return;
	if (!e || !*e) {
		want = sched_getcpu();
		if (want >= 0 && want < CPU_SETSIZE && CPU_ISSET(want, &saved_affinity))
			pin_cpu = want;
		pin_self();
		return;
	}
	{
		char *end;
		long v = strtol(e, &end, 10);

		if (*end || v < 0 || v > CPU_SETSIZE) {
			fprintf(stderr, "MMLAB_SCHED_CPU='%s': expected a CPU index "
				"(0 or more); threads not pinned\n", e);
			return;
		}
		want = (int)v;
	}
	/* the want-th allowed CPU, modulo their number */
	n = CPU_COUNT(&saved_affinity);
	if (!n)
		return;
	want %= n;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &saved_affinity) && want-- == 0) {
			pin_cpu = c;
			break;
		}
	pin_self();
}

int dsched_start(const struct dsched_config *cfg)
{
	if (dsched_on())
		return -EBUSY;
	if (cfg->strategy == DSCHED_PCT && (!cfg->depth || cfg->depth > DS_MAX_DEPTH))
		return -EINVAL;
	if (!th) {
		th = calloc(DS_MAX_THREADS, sizeof(*th));
		if (!th)
			return -ENOMEM;
	}
	/* one malloc arena: addresses, and so address-ordered decisions, do
	 * not depend on which host thread allocated first */
	mallopt(M_ARENA_MAX, 1);
	conf = *cfg;
	if (!conf.pct_steps)
		conf.pct_steps = 100000;
	rng_state = cfg->seed ^ 0x6d6d6c6162ULL;
	steps = switches = hash = clock_ns = wait_streak = 0;
	hash = 0xcbf29ce484222325ULL;
	nr_change = 0;
	low_prio = 0;
	run_streak = 0;
	if (conf.strategy == DSCHED_PCT)
		for (unsigned int i = 0; i + 1 < conf.depth; i++)
			change_at[nr_change++] = 1 + rng() % conf.pct_steps;
	nr_slots = 1;
	self = 0;
	current = 0;
	slot_init(0, "main");
	pin_choose();
	__atomic_store_n(&dsched_active, 1, __ATOMIC_RELAXED);
	return 0;
}

static void fill_stats(struct dsched_stats *out)
{
	*out = (struct dsched_stats){ .steps = steps, .switches = switches,
				      .hash = hash, .clock_ns = clock_ns };
}

void dsched_get_stats(struct dsched_stats *out)
{
	pthread_mutex_lock(&dsched_mu);
	fill_stats(out);
	pthread_mutex_unlock(&dsched_mu);
}

const char *dsched_where(void)
{
	static __thread char buf[48];
	uint64_t now;

	if (!dsched_on())
		return "";
	pthread_mutex_lock(&dsched_mu);
	now = steps;
	pthread_mutex_unlock(&dsched_mu);
	snprintf(buf, sizeof(buf), " at schedule step %llu", (unsigned long long)now);
	return buf;
}

void dsched_stop(struct dsched_stats *out)
{
	pthread_mutex_lock(&dsched_mu);
	for (int i = 1; i < nr_slots; i++)
		if (th[i].state == DS_RUNNABLE || th[i].state == DS_SLEEPING) {
			fprintf(stderr, "deterministic schedule: stopped with thread "
				"%s still alive\n", th[i].name);
			abort();
		}
	if (out)
		fill_stats(out);
	nr_slots = 0;
	self = -1;
	__atomic_store_n(&dsched_active, 0, __ATOMIC_RELAXED);
	if (affinity_saved)
		sched_setaffinity(0, sizeof(saved_affinity), &saved_affinity);
	pin_cpu = -1;
	pthread_mutex_unlock(&dsched_mu);
}

/* One iteration of a wait loop, as lib_wait() makes it: the CPU this
 * thread is takes its interrupts, then the scheduler runs someone else. */
static void wait_once(const char *what, const void *obj)
{
	unsigned int spins = 0;

	lib_wait_what = what;
	lib_wait_obj = obj;
	lib_wait(&spins);
	lib_wait_what = NULL;
	lib_wait_obj = NULL;
}

/* ---- threads ---- */

struct ds_start {
	void *(*fn)(void *);
	void *arg;
	int id;
};

static void *trampoline(void *p)
{
	struct ds_start s = *(struct ds_start *)p;
	void *ret;

	free(p);
	self = s.id;
	pin_self();
	ds_park(self);
	ret = s.fn(s.arg);
	pthread_mutex_lock(&dsched_mu);
	step();
	th[self].state = DS_EXITED;
	th[self].nheld = 0;
	switch_to(pick(), true);	/* releases dsched_mu */
	self = -1;
	return ret;
}

int lib_thread_create(pthread_t *t, const char *name, void *(*fn)(void *), void *arg)
{
	struct ds_start *s;
	int id, ret;

	if (!dsched_on())
		return -pthread_create(t, NULL, fn, arg);
	check_self();
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_lock(&dsched_mu);
	for (id = 1; id < nr_slots && th[id].state != DS_FREE; id++)
		;
	if (id == DS_MAX_THREADS) {
		pthread_mutex_unlock(&dsched_mu);
		free(s);
		return -EAGAIN;
	}
	if (id == nr_slots)
		nr_slots++;
	slot_init(id, name);
	*s = (struct ds_start){ .fn = fn, .arg = arg, .id = id };
	ret = pthread_create(t, NULL, trampoline, s);
	if (ret) {
		th[id].state = DS_FREE;
		pthread_mutex_unlock(&dsched_mu);
		free(s);
		return -ret;
	}
	th[id].host = *t;
	th[id].host_set = true;
	pthread_mutex_unlock(&dsched_mu);
	dsched_point();
	return 0;
}

void lib_thread_join(pthread_t t)
{
	int id = -1;

	if (dsched_on()) {
		pthread_mutex_lock(&dsched_mu);
		for (int i = 1; i < nr_slots; i++)
			if (th[i].host_set && pthread_equal(th[i].host, t) &&
			    th[i].state != DS_FREE)
				id = i;
		pthread_mutex_unlock(&dsched_mu);
	}
	while (id > 0) {
		pthread_mutex_lock(&dsched_mu);
		if (th[id].state == DS_EXITED) {
			th[id].state = DS_FREE;
			th[id].host_set = false;
			pthread_mutex_unlock(&dsched_mu);
			break;
		}
		pthread_mutex_unlock(&dsched_mu);
		wait_once("the exit of a thread", (void *)(uintptr_t)id);
	}
	pthread_join(t, NULL);
}

/* ---- time and sleep ---- */

uint64_t lib_now_ns(void)
{
	struct timespec ts;

	if (dsched_on()) {
		uint64_t now;

		pthread_mutex_lock(&dsched_mu);
		now = clock_ns;
		pthread_mutex_unlock(&dsched_mu);
		return now;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void dsched_sleep(const struct wait_queue_head *wq, unsigned int ms)
{
	pthread_mutex_lock(&dsched_mu);
	check_self();
	step();
	th[self].state = DS_SLEEPING;
	th[self].wake_at = clock_ns + (uint64_t)ms * 1000000ULL;
	th[self].wq = wq;
	switch_to(pick(), false);
	th[self].wq = NULL;
	pthread_mutex_unlock(&dsched_mu);
}

void dsched_wake(const struct wait_queue_head *wq)
{
	pthread_mutex_lock(&dsched_mu);
	for (int i = 0; i < nr_slots; i++)
		if (th[i].state == DS_SLEEPING && th[i].wq == wq)
			th[i].state = DS_RUNNABLE;
	pthread_mutex_unlock(&dsched_mu);
	dsched_point();
}

/* ---- RCU ---- */

void dsched_rcu_read_lock(void)
{
	dsched_point();
	pthread_mutex_lock(&dsched_mu);
	th[self].rcu_nesting++;
	pthread_mutex_unlock(&dsched_mu);
}

void dsched_rcu_read_unlock(void)
{
	pthread_mutex_lock(&dsched_mu);
	if (!--th[self].rcu_nesting)
		th[self].rcu_exits++;
	pthread_mutex_unlock(&dsched_mu);
	dsched_point();
}

void dsched_synchronize_rcu(void)
{
	uint64_t seen[DS_MAX_THREADS];
	bool readers;

	pthread_mutex_lock(&dsched_mu);
	check_self();
	if (th[self].rcu_nesting) {
		fprintf(stderr, "synchronize_rcu() inside an RCU read section\n");
		abort();
	}
	for (int i = 0; i < nr_slots; i++)
		seen[i] = th[i].rcu_nesting ? th[i].rcu_exits : UINT64_MAX;
	pthread_mutex_unlock(&dsched_mu);
	for (;;) {
		readers = false;
		pthread_mutex_lock(&dsched_mu);
		for (int i = 0; i < nr_slots; i++)
			if (seen[i] != UINT64_MAX && th[i].state != DS_FREE &&
			    th[i].state != DS_EXITED && th[i].rcu_exits == seen[i])
				readers = true;
		pthread_mutex_unlock(&dsched_mu);
		if (!readers)
			break;
		/* a reader may be waiting for an IPI this CPU must answer */
		wait_once("an RCU grace period", NULL);
	}
	dsched_point();
}

/* ---- locks held ---- */

void dsched_lock_acquired(const void *lock, const char *kind)
{
	struct ds_thread *t;

	pthread_mutex_lock(&dsched_mu);
	if (self >= 0) {
		t = &th[self];
		if (t->nheld < DS_MAX_HELD) {
			t->held[t->nheld] = lock;
			t->held_kind[t->nheld++] = kind;
		}
	}
	pthread_mutex_unlock(&dsched_mu);
}

void dsched_lock_released(const void *lock)
{
	struct ds_thread *t;

	pthread_mutex_lock(&dsched_mu);
	for (int i = 0; i < nr_slots; i++)	/* a waiter may go on now */
		th[i].waiting = false;
	if (self >= 0) {
		t = &th[self];
		for (int i = t->nheld - 1; i >= 0; i--)
			if (t->held[i] == lock) {
				memmove(&t->held[i], &t->held[i + 1],
					(t->nheld - i - 1) * sizeof(t->held[0]));
				memmove(&t->held_kind[i], &t->held_kind[i + 1],
					(t->nheld - i - 1) * sizeof(t->held_kind[0]));
				t->nheld--;
				break;
			}
	}
	pthread_mutex_unlock(&dsched_mu);
}
