/*
 * cpu.c - CPU ownership and IPIs; see cpu.h for the rules.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cpu.h"
#include "lib/lock.h"
#include "lib/sched.h"
#include "lib/bug.h"

struct cpu *cpus;
unsigned int nr_cpu_ids;
bool cpu_has_pcid;
__thread struct cpu *cur_cpu;

static void raw_lock(int *l)
{
	int old;
	unsigned int spins = 0;

	for (;;) {
		old = 0;
		if (!READ_ONCE(*l) &&
		    __atomic_compare_exchange_n(l, &old, 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		if (dsched_on())
			dsched_wait_point("a CPU's mailbox lock", l);
		else if (++spins > 64)
			sched_yield();
	}
}

static void raw_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

static void cpu_wait_hook(void) { cpu_poll(); }

int cpus_init(const struct cpu_config *cfg)
{
	if (!cfg->nr_cpus || cfg->nr_cpus > NR_CPUS)
		return -EINVAL;
	cpus = aligned_alloc(64, cfg->nr_cpus * sizeof(*cpus));
	if (!cpus)
		return -ENOMEM;
	memset(cpus, 0, cfg->nr_cpus * sizeof(*cpus));
	nr_cpu_ids = cfg->nr_cpus;
	cpu_has_pcid = cfg->pcid;
	for (unsigned int i = 0; i < nr_cpu_ids; i++) {
		int ret = tlb_init(&cpus[i].tlb, cfg->l1_4k, cfg->l1_4k_ways,
				   cfg->l1_2m, cfg->l1_2m_ways, cfg->l2, cfg->l2_ways);
		if (ret) {
			cpus_exit();
			return ret;
		}
		cpus[i].id = i;
	}
	lib_wait_hook = cpu_wait_hook;
	return 0;
}

void cpus_exit(void)
{
	lib_wait_hook = NULL;
	for (unsigned int i = 0; cpus && i < nr_cpu_ids; i++)
		tlb_free(&cpus[i].tlb);
	free(cpus);
	cpus = NULL;
	nr_cpu_ids = 0;
}

static bool cpu_try_own(struct cpu *c)
{
	int old = 0;

	return !READ_ONCE(c->owner) &&
		__atomic_compare_exchange_n(&c->owner, &old, 1, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void cpu_release(struct cpu *c)
{
	__atomic_store_n(&c->owner, 0, __ATOMIC_RELEASE);
}

void cpu_enter(unsigned int id)
{
	struct cpu *c = &cpus[id];
	unsigned int spins = 0;

	if (cur_cpu) {
		/* a thread is one CPU at a time */
		abort();
	}
	while (!cpu_try_own(c)) {
		if (dsched_on()) {
			dsched_wait_point("a CPU", c);
			continue;
		}
		if (++spins > 32) {
			struct timespec ts = { 0, 20000 };

			if (spins > 2000)
				nanosleep(&ts, NULL);
			else
				sched_yield();
		}
	}
	cur_cpu = c;
	cpu_poll();
}

void cpu_exit(void)
{
	struct cpu *c = cur_cpu;

	BUG_ON(c->irqs_off);
	cpu_poll();
	cur_cpu = NULL;
	cpu_release(c);
}

void cpu_service_ipis(struct cpu *c)
{
	struct ipi_call *calls[CPU_MBOX_SIZE];
	unsigned int n;

	raw_lock(&c->mbox_lock);
	n = c->nr_mbox;
	memcpy(calls, c->mbox, n * sizeof(calls[0]));
	c->nr_mbox = 0;
	WRITE_ONCE(c->ipi_pending, 0);
	raw_unlock(&c->mbox_lock);

	for (unsigned int i = 0; i < n; i++) {
		cpu_charge(c, COST_IPI_RECV);
		calls[i]->func(c, calls[i]->info);
		/* the sender's frame may be gone after this */
		__atomic_fetch_sub(&calls[i]->pending, 1, __ATOMIC_RELEASE);
	}
}

unsigned int smp_call_function_many(cpumask_t mask,
				    void (*func)(struct cpu *, void *), void *info)
{
	struct ipi_call call = { .func = func, .info = info };
	struct cpu *self = cur_cpu;
	unsigned int n = 0, spins = 0;

	if (self)
		mask &= ~(1ULL << self->id);
	if (!mask)
		return 0;
	call.pending = __builtin_popcountll(mask);
	for (unsigned int i = 0; i < nr_cpu_ids; i++) {
		struct cpu *t = &cpus[i];

		if (!(mask & (1ULL << i)))
			continue;
		raw_lock(&t->mbox_lock);
		t->mbox[t->nr_mbox++] = &call;
		WRITE_ONCE(t->ipi_pending, 1);
		raw_unlock(&t->mbox_lock);
		n++;
	}
	if (self)
		cpu_charge(self, COST_IPI_SEND);
	sched_point();

	while (__atomic_load_n(&call.pending, __ATOMIC_ACQUIRE) > 0) {
		/* an idle target takes the interrupt at once: run it for it */
		for (unsigned int i = 0; i < nr_cpu_ids; i++) {
			struct cpu *t = &cpus[i];

			if (!(mask & (1ULL << i)) || !READ_ONCE(t->ipi_pending))
				continue;
			if (cpu_try_own(t)) {
				cpu_service_ipis(t);
				cpu_release(t);
			}
		}
		if (__atomic_load_n(&call.pending, __ATOMIC_ACQUIRE) == 0)
			break;
		cpu_poll();
		if (dsched_on())
			dsched_wait_point("IPI acknowledgement", &call);
		else if (++spins > 16)
			sched_yield();
	}
	return n;
}
