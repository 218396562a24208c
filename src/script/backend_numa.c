/*
 * backend_numa.c - NUMA and time for both backends: the memory nodes, a
 * process's pages moved between them (move_pages(2)) or asked where they
 * are, the clock a scenario reads, and waiting for background reclaim to
 * be idle (mm.nodes, p:move_pages, p:page_node, mm.now_ns, mm.cpu_cycles,
 * mm.settle in lua_numa.c).
 *
 * The model answers from the C API (mmlab_nr_nodes, mmlab_move_pages,
 * mmlab_page_node, mmlab_now_ns); the linux backend from sysfs
 * (/sys/devices/system/node) and the move_pages system call made on the
 * puppet's pid (root: CAP_SYS_NICE).  Status values are move_pages(2)'s:
 * the page's node after the call, or -errno for that page.  No state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <mmlab/mmlab.h>
#include "script.h"

#define MPOL_MF_MOVE	(1 << 1)
#define MAX_NUMNODES	1024	/* the kernel's bound for a node number */

/* ---- model ---- */

int sc_model_nodes(struct sc_node *out, int max)
{
	int n = (int)mmlab_nr_nodes();

	for (int i = 0; i < n && i < max; i++) {
		out[i].id = i;
		mmlab_node_info(i, &out[i].total, &out[i].free);
	}
	return n < max ? n : max;
}

/* The mask words mbind may read: a page of bits, as get_nodes allows. */
#define MBIND_MASK_WORDS	(4096 * 8 / 64 + 1)

int sc_model_mbind(struct sc_task *t, uint64_t addr, uint64_t len, unsigned long mode,
		   const uint64_t *nodes, unsigned long maxnode, unsigned int flags)
{
	static unsigned long mask[MBIND_MASK_WORDS];	/* scenarios run one call at a time */

	memset(mask, 0, sizeof(mask));
	if (nodes)
		mask[0] = *nodes;
	return mmlab_mbind((struct mmlab_task *)t, addr, len, mode, nodes ? mask : NULL,
			   maxnode, flags);
}

int sc_model_set_mempolicy(struct sc_task *t, unsigned long mode, const uint64_t *nodes,
			   unsigned long maxnode)
{
	static unsigned long mask[MBIND_MASK_WORDS];	/* scenarios run one call at a time */

	memset(mask, 0, sizeof(mask));
	if (nodes)
		mask[0] = *nodes;
	return mmlab_set_mempolicy((struct mmlab_task *)t, mode, nodes ? mask : NULL, maxnode);
}

int sc_model_get_mempolicy(struct sc_task *t, int *policy, uint64_t *nodes, uint64_t addr,
			   unsigned long flags)
{
	unsigned long mask = 0;
	int ret = mmlab_get_mempolicy((struct mmlab_task *)t, policy, &mask, addr, flags);

	*nodes = mask;
	return ret;
}

/* Is @addr inside one of @p's VMAs? */
static bool model_mapped(struct sc_proc *p, uint64_t addr)
{
	int n = mmlab_vma_count((struct mmlab_proc *)p);
	uint64_t s, e;

	for (int i = 0; i < n; i++)
		if (!mmlab_vma_get((struct mmlab_proc *)p, i, &s, &e, NULL, NULL) &&
		    addr >= s && addr < e)
			return true;
	return false;
}

/*
 * Each run of consecutive pages is one move (one batch of migrations under
 * one TLB flush, as the kernel moves a request's pages together); then
 * every page is asked where it is.  @node -1 only asks.
 */
int sc_model_move_pages(struct sc_proc *p, const uint64_t *addrs, int n, int node,
			int *status)
{
	if (node >= 0 && node >= (int)mmlab_nr_nodes())
		return node < MAX_NUMNODES ? -ENODEV : -EINVAL;
	for (int i = 0; node >= 0 && i < n;) {
		int j = i + 1;
		long ret;

		while (j < n && addrs[j] == addrs[j - 1] + SC_PAGE_SIZE)
			j++;
		ret = mmlab_move_pages((struct mmlab_proc *)p, addrs[i], (uint64_t)(j - i), node);
		if (ret < 0 && ret != -ENOMEM)
			return (int)ret;
		i = j;
	}
	for (int i = 0; i < n; i++) {
		status[i] = mmlab_page_node((struct mmlab_proc *)p, addrs[i]);
		if (status[i] == -ENOENT && !model_mapped(p, addrs[i]))
			status[i] = -EFAULT;
	}
	return 0;
}

uint64_t sc_model_now_ns(void)
{
	return mmlab_now_ns();
}

int sc_model_cpu_cycles(unsigned int cpu, uint64_t *out)
{
	if (cpu >= mmlab_nr_cpus())
		return -EINVAL;
	*out = mmlab_cpu_cycles(cpu);
	return 0;
}

int sc_model_settle(unsigned int timeout_ms)
{
	return mmlab_settle(timeout_ms);
}

/* ---- linux ---- */

/* "Node 0 MemTotal:  123 kB" of a node's meminfo, in bytes */
static uint64_t node_meminfo(int nid, const char *key)
{
	char path[80], line[160], k[40];
	unsigned long long kb = 0;
	uint64_t v = 0;
	int id;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", nid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %d %39[^:]: %llu", &id, k, &kb) == 3 && !strcmp(k, key)) {
			v = (uint64_t)kb << 10;
			break;
		}
	if (f)
		fclose(f);
	return v;
}

int sc_lx_nodes(struct sc_node *out, int max)
{
	int n = 0;

	for (int nid = 0; nid < MAX_NUMNODES && n < max; nid++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", nid);
		if (access(path, F_OK))
			continue;
		out[n].id = nid;
		out[n].total = node_meminfo(nid, "MemTotal");
		out[n].free = node_meminfo(nid, "MemFree");
		n++;
	}
	if (!n && max) {	/* no sysfs nodes: one node, the whole memory */
		long pages = sysconf(_SC_PHYS_PAGES), avail = sysconf(_SC_AVPHYS_PAGES);

		out[0].id = 0;
		out[0].total = (uint64_t)pages * SC_PAGE_SIZE;
		out[0].free = (uint64_t)avail * SC_PAGE_SIZE;
		n = 1;
	}
	return n;
}

int sc_lx_move_pages(struct sc_proc *p, const uint64_t *addrs, int n, int node,
		     int *status)
{
	void **pages = calloc(n ? (size_t)n : 1, sizeof(*pages));
	int *nodes = node >= 0 ? calloc(n ? (size_t)n : 1, sizeof(*nodes)) : NULL;
	long ret;

	if (!pages || (node >= 0 && !nodes)) {
		free(pages);
		free(nodes);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		pages[i] = (void *)(uintptr_t)addrs[i];
		if (nodes)
			nodes[i] = node;
	}
	ret = syscall(SYS_move_pages, sc_be->pid(p), (unsigned long)n, pages, nodes,
		      status, MPOL_MF_MOVE);
	free(pages);
	free(nodes);
	return ret < 0 ? -errno : 0;
}

uint64_t sc_lx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int sc_lx_cpu_cycles(unsigned int cpu, uint64_t *out)
{
	(void)cpu;
	(void)out;
	return -ENOSYS;
}

/* kswapd's work so far: pgscan_kswapd + pgsteal_kswapd of /proc/vmstat */
static uint64_t kswapd_work(void)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char name[64];
	unsigned long long v;
	uint64_t sum = 0;

	while (f && fscanf(f, "%63s %llu", name, &v) == 2)
		if (!strcmp(name, "pgscan_kswapd") || !strcmp(name, "pgsteal_kswapd"))
			sum += v;
	if (f)
		fclose(f);
	return sum;
}

/* The kernel says nothing of kswapd's state: idle is its counters still
 * for 100 ms. */
int sc_lx_settle(unsigned int timeout_ms)
{
	uint64_t end = sc_lx_now_ns() + (uint64_t)timeout_ms * 1000000;
	uint64_t last = kswapd_work();
	int still = 0;

	while (still < 10) {
		struct timespec ts = { 0, 10 * 1000000 };
		uint64_t now;

		if (sc_lx_now_ns() > end)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
		now = kswapd_work();
		still = now == last ? still + 1 : 0;
		last = now;
	}
	return 0;
}
