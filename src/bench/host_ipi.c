/*
 * host_ipi.c - TLB shootdown IPIs of the host kernel, counted through
 * /proc/interrupts (see host_ipi.h for the experiment).
 *
 * Inside the measured window the calling thread makes only the system calls
 * under test and raw read()s of /proc/interrupts into a static buffer: no
 * malloc, no stdio, since a heap trim would be a munmap of its own and would
 * show up as an extra shootdown.  The peer thread only bumps a counter.
 *
 * Two kinds of noise: other processes' shootdowns add IPIs, and a peer
 * preempted from its CPU has no mm loaded there and misses IPIs.  Trials in
 * which the peer was switched out are detected through its context-switch
 * counts and retried; of the rest the most frequent count is reported (the
 * minimum is not robust: about one valid trial in a thousand still loses an
 * IPI on this 2-CPU VM).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* CPU affinity */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "host_ipi.h"

static const char *const case_names[HOST_IPI_NR_CASES] = {
	[HOST_IPI_MUNMAP_TOUCHED] = "munmap_touched",
	[HOST_IPI_MPROTECT_RO_RW] = "mprotect_ro_rw_touched",
	[HOST_IPI_MUNMAP_UNTOUCHED] = "munmap_untouched",
};

static const int case_expected[HOST_IPI_NR_CASES] = {
	[HOST_IPI_MUNMAP_TOUCHED] = 1,
	[HOST_IPI_MPROTECT_RO_RW] = 2,
	[HOST_IPI_MUNMAP_UNTOUCHED] = 0,
};

const char *host_ipi_case_name(enum host_ipi_case c)
{
	return (unsigned int)c < HOST_IPI_NR_CASES ? case_names[c] : "?";
}

int host_ipi_expected(enum host_ipi_case c)
{
	return (unsigned int)c < HOST_IPI_NR_CASES ? case_expected[c] : -1;
}

/* Big enough for /proc/interrupts of a few hundred CPUs. */
static char irq_buf[1 << 20];

/* Sum of the TLB line of /proc/interrupts, or -errno. */
static int64_t read_tlb_shootdowns(void)
{
	size_t len = 0;
	int64_t sum = 0;
	char *p, *end;
	int fd;

	fd = open("/proc/interrupts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, irq_buf + len, sizeof(irq_buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (n == 0 || len + n >= sizeof(irq_buf) - 1) {
			len += n;
			break;
		}
		len += n;
	}
	close(fd);
	irq_buf[len] = 0;

	for (p = irq_buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *q = p;

		while (*q == ' ')
			q++;
		if (strncmp(q, "TLB:", 4))
			continue;
		q += 4;
		end = strchr(q, '\n');
		/* Counts, one per CPU, then the description. */
		for (;;) {
			int64_t v = 0;

			while (*q == ' ')
				q++;
			if (*q < '0' || *q > '9' || (end && q >= end))
				break;
			while (*q >= '0' && *q <= '9')
				v = v * 10 + (*q++ - '0');
			sum += v;
		}
		return sum;
	}
	return -ENOENT;
}

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax()	__asm__ __volatile__("pause" ::: "memory")
#else
#define cpu_relax()	__asm__ __volatile__("" ::: "memory")
#endif

struct peer {
	atomic_int ready;
	atomic_int stop;
	atomic_ulong spins;	/* moves while the peer is on its CPU */
	pid_t tid;
	char status_path[64];	/* /proc/self/task/TID/status */
};

static void *peer_spin(void *arg)
{
	struct peer *pr = arg;

	pr->tid = gettid();
	atomic_store(&pr->ready, 1);
	while (!atomic_load_explicit(&pr->stop, memory_order_relaxed))
		atomic_fetch_add_explicit(&pr->spins, 1, memory_order_relaxed);
	return NULL;
}

static char status_buf[8192];

/* The peer's context switches so far (voluntary + not), or -errno. */
static int64_t peer_switches(const struct peer *pr)
{
	static const char *const keys[] = {
		"\nvoluntary_ctxt_switches:", "\nnonvoluntary_ctxt_switches:"
	};
	ssize_t len = 0, n;
	int64_t sum = 0;
	int fd;

	fd = open(pr->status_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, status_buf + len, sizeof(status_buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	status_buf[len] = 0;
	for (int i = 0; i < 2; i++) {
		char *q = strstr(status_buf, keys[i]);

		if (!q)
			return -ENOENT;
		q += strlen(keys[i]);
		while (*q == ' ' || *q == '\t')
			q++;
		for (int64_t v = 0; ; q++) {
			if (*q < '0' || *q > '9') {
				sum += v;
				break;
			}
			v = v * 10 + (*q - '0');
		}
	}
	return sum;
}

/*
 * Wait until the peer's counter moves: it is on its CPU now.  false when
 * it does not move within ~1 ms of spinning (it is preempted).
 */
static bool peer_on_cpu(struct peer *pr)
{
	unsigned long c0 = atomic_load(&pr->spins);

	for (long i = 0; i < 1000000; i++) {
		if (atomic_load_explicit(&pr->spins, memory_order_relaxed) != c0)
			return true;
		cpu_relax();
	}
	return false;
}

#define TRIAL_INVALID	INT64_MIN	/* the peer left its CPU: retry */

/*
 * One trial of @c: the count across the operation, TRIAL_INVALID when the
 * peer was not on its CPU for all of it (a preempted peer has no mm loaded
 * and gets no IPI), or -errno.  The peer was on its CPU throughout when it
 * was seen running after the first switch-count read and that count did not
 * change by the end.
 */
static int64_t one_trial(struct peer *pr, enum host_ipi_case c)
{
	const size_t len = 4096;
	int64_t sw0, sw1, before, after;
	bool on_cpu;
	char *p;
	int ret = 0;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (c != HOST_IPI_MUNMAP_UNTOUCHED)
		*(volatile char *)p = 1;

	sw0 = peer_switches(pr);
	before = read_tlb_shootdowns();
	on_cpu = peer_on_cpu(pr);
	switch (c) {
	case HOST_IPI_MUNMAP_TOUCHED:
	case HOST_IPI_MUNMAP_UNTOUCHED:
		ret = munmap(p, len);
		break;
	case HOST_IPI_MPROTECT_RO_RW:
		ret = mprotect(p, len, PROT_READ);
		if (!ret)
			ret = mprotect(p, len, PROT_READ | PROT_WRITE);
		break;
	default:
		break;
	}
	if (ret)
		ret = -errno;
	after = read_tlb_shootdowns();
	sw1 = peer_switches(pr);
	if (c == HOST_IPI_MPROTECT_RO_RW || ret)
		munmap(p, len);
	if (ret)
		return ret;
	if (sw0 < 0)
		return sw0;
	if (before < 0)
		return before;
	if (after < 0)
		return after;
	if (!on_cpu || sw1 != sw0)
		return TRIAL_INVALID;
	return after - before;
}

/* The first two CPUs this thread may run on. */
static int pick_cpus(const cpu_set_t *allowed, int *a, int *b)
{
	int n = 0;

	for (int cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (!CPU_ISSET(cpu, allowed))
			continue;
		if (!n++)
			*a = cpu;
		else
			*b = cpu;
	}
	return n == 2 ? 0 : -EOPNOTSUPP;
}

/* Counts above this are reported as this: any real case is far below. */
#define MAX_COUNT	63

int host_ipi_delta(enum host_ipi_case c, unsigned int trials)
{
	cpu_set_t saved, set;
	pthread_attr_t attr;
	pthread_t th;
	struct peer pr;
	unsigned int hist[MAX_COUNT + 1] = { 0 }, valid = 0;
	int64_t err = 0;
	int cpu_self, cpu_peer, ret, mode = 0;

	if ((unsigned int)c >= HOST_IPI_NR_CASES)
		return -EINVAL;
	if (!trials)
		trials = 20;
	if (read_tlb_shootdowns() < 0)
		return (int)read_tlb_shootdowns();
	if (pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved))
		return -EPERM;
	ret = pick_cpus(&saved, &cpu_self, &cpu_peer);
	if (ret)
		return ret;

	CPU_ZERO(&set);
	CPU_SET(cpu_self, &set);
	ret = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (ret)
		return -ret;

	atomic_init(&pr.ready, 0);
	atomic_init(&pr.stop, 0);
	atomic_init(&pr.spins, 0);
	CPU_ZERO(&set);
	CPU_SET(cpu_peer, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	ret = pthread_create(&th, &attr, peer_spin, &pr);
	pthread_attr_destroy(&attr);
	if (ret) {
		pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
		return -ret;
	}
	while (!atomic_load(&pr.ready))
		sched_yield();
	snprintf(pr.status_path, sizeof(pr.status_path),
		 "/proc/self/task/%d/status", (int)pr.tid);
	/* Let the peer settle into its loop before the first trial. */
	nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);

	/* Up to 10x the trials to get @trials valid ones. */
	for (unsigned int i = 0; i < 10 * trials && valid < trials; i++) {
		int64_t d = one_trial(&pr, c);

		if (d == TRIAL_INVALID)
			continue;
		if (d < 0) {
			err = d;
			break;
		}
		hist[d < MAX_COUNT ? d : MAX_COUNT]++;
		valid++;
	}

	atomic_store(&pr.stop, 1);
	pthread_join(th, NULL);
	pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
	if (err)
		return (int)err;
	if (!valid)
		return -EAGAIN;		/* the peer never kept its CPU */
	/* The most frequent count; a tie goes to the smaller. */
	for (int v = 0; v <= MAX_COUNT; v++)
		if (hist[v] > hist[mode])
			mode = v;
	return mode;
}
