/*
 * api_machine.c - the public C API's machine (include/mmlab/mmlab.h):
 * configuration and knob defaults, building and tearing down the machine,
 * the scheduler of the simulated CPUs, quiescing and settling, swapon, and
 * the NUMA nodes (node sizes, page placement, move_pages).  The system
 * calls and accesses are api.c's.
 *
 * machine_up is set and cleared by mmlab_machine_create/destroy, which run
 * alone (no task exists then).  move_pages and page_node look the page up
 * with mmap_lock held for reading and the PMD or PTE lock taken
 * (mm_follow_page; with split_for_move, mbind's too, under mmap_lock
 * held for writing).  move_pages returns the pages moved: a THP moved
 * whole counts 512.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swap.h"

static bool machine_up;

void mmlab_config_default(struct mmlab_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = 4;
	cfg->nr_nodes = 1;
	cfg->node_bytes[0] = 4ULL << 30;
	for (int i = 0; i < MMLAB_MAX_NODES; i++)
		cfg->node_latency_ns[i] = 80;
	cfg->stale_check = -1;
	cfg->pcid = 1;
	cfg->l1_4k = (struct mmlab_tlb_geometry){ 64, 4 };
	cfg->l1_2m = (struct mmlab_tlb_geometry){ 32, 4 };
	cfg->l2 = (struct mmlab_tlb_geometry){ 1536, 12 };
}

int mmlab_knob_default(const char *path, char *buf, size_t len)
{
	if (machine_up)
		return -EBUSY;
	knobs_init();	/* the defaults, and the table to read them from */
	if (knob_is_read_only(path))
		return -EACCES;
	return mmlab_knob_get(path, buf, len);
}

static struct mmlab_sched_stats last_sched;
static bool last_sched_valid;

/* MMLAB_SCHED="seed[,random|pct[,depth]]": deterministic mode for a
 * machine whose config leaves it off (tests, scripts). */
static int sched_config_env(struct mmlab_config *cfg)
{
	const char *env = getenv("MMLAB_SCHED");
	char strategy[16] = "random";
	unsigned long long seed;
	unsigned int depth = 3;
	int n;

	if (cfg->deterministic || !env || !*env)
		return 0;
	n = sscanf(env, "%llu,%15[a-z],%u", &seed, strategy, &depth);
	if (n < 1 || (strcmp(strategy, "random") && strcmp(strategy, "pct"))) {
		fprintf(stderr, "MMLAB_SCHED='%s': expected seed[,random|pct[,depth]]\n", env);
		return -EINVAL;
	}
	cfg->deterministic = 1;
	cfg->sched_seed = seed;
	cfg->sched_strategy = strcmp(strategy, "pct") ? MMLAB_SCHED_RANDOM : MMLAB_SCHED_PCT;
	cfg->sched_depth = depth;
	return 0;
}

static int sched_start(const struct mmlab_config *cfg)
{
	struct dsched_config dc = {
		.seed = cfg->sched_seed,
		.strategy = cfg->sched_strategy == MMLAB_SCHED_PCT ? DSCHED_PCT : DSCHED_RANDOM,
		.depth = cfg->sched_depth ? cfg->sched_depth : 3,
		.pct_steps = cfg->sched_pct_steps,
		.max_steps = cfg->sched_max_steps,
	};

	if (!cfg->deterministic)
		return 0;
	last_sched_valid = false;
	return dsched_start(&dc);
}

static void sched_stop(void)
{
	struct dsched_stats st;

	if (!dsched_on())
		return;
	dsched_stop(&st);
	last_sched = (struct mmlab_sched_stats){ .steps = st.steps,
		.switches = st.switches, .hash = st.hash, .clock_ns = st.clock_ns };
	last_sched_valid = true;
}

int mmlab_sched_stats(struct mmlab_sched_stats *out)
{
	struct dsched_stats st;

	if (dsched_on()) {
		dsched_get_stats(&st);
		*out = (struct mmlab_sched_stats){ .steps = st.steps,
			.switches = st.switches, .hash = st.hash, .clock_ns = st.clock_ns };
		return 0;
	}
	if (!last_sched_valid)
		return -ENOENT;
	*out = last_sched;
	return 0;
}

bool mmlab_deterministic(void)
{
	return dsched_on();
}

uint64_t mmlab_now_ns(void)
{
	return lib_now_ns();
}

void mmlab_yield(void)
{
	if (dsched_on())
		dsched_yield();
	else
		sched_yield();
}

int mmlab_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	return lib_thread_create(t, "task", fn, arg);
}

void mmlab_thread_join(pthread_t t)
{
	lib_thread_join(t);
}

int mmlab_machine_create(const struct mmlab_config *cfg_in)
{
	struct mmlab_config cfg;
	struct cpu_config cc;
	const char *env;
	int ret;

	if (machine_up)
		return -EBUSY;
	if (cfg_in)
		cfg = *cfg_in;
	else
		mmlab_config_default(&cfg);
	if (sched_config_env(&cfg))
		return -EINVAL;
	if (cfg.deterministic && (cfg.sched_strategy < 0 || cfg.sched_strategy > 1 ||
				  cfg.sched_depth > 16))
		return -EINVAL;
	if (!cfg.nr_cpus || cfg.nr_cpus > MMLAB_MAX_CPUS || !cfg.nr_nodes ||
	    cfg.nr_nodes > MMLAB_MAX_NODES)
		return -EINVAL;
	for (unsigned int n = 0; n < cfg.nr_nodes; n++)
		if (cfg.node_bytes[n] < MMLAB_MIN_NODE_BYTES ||
		    cfg.node_bytes[n] > MMLAB_MAX_NODE_BYTES)
			return -EINVAL;
	memset(vm_stat, 0, sizeof(vm_stat));
	ret = phys_init(cfg.nr_nodes, cfg.node_bytes, cfg.node_latency_ns,
			cfg.node_slow, cfg.no_data);
	if (ret)
		return ret;
	cc = (struct cpu_config){
		.nr_cpus = cfg.nr_cpus, .pcid = cfg.pcid != 0,
		.l1_4k = cfg.l1_4k.entries, .l1_4k_ways = cfg.l1_4k.ways,
		.l1_2m = cfg.l1_2m.entries, .l1_2m_ways = cfg.l1_2m.ways,
		.l2 = cfg.l2.entries, .l2_ways = cfg.l2.ways,
	};
	ret = cpus_init(&cc);
	if (ret)
		goto fail_phys;
	knobs_init();
	env = getenv("MMLAB_STALE_CHECK");
	knobs.stale_check = cfg.stale_check >= 0 ? cfg.stale_check :
			    (env && atoi(env) > 0);
	hw_stale_check = knobs.stale_check;
	ret = page_alloc_init();
	if (ret)
		goto fail_cpus;
	lru_init();
	setup_per_zone_wmarks();
	memory_tiering_init();
	ret = luf_init();
	if (ret)
		goto fail_alloc;
	ret = memory_init();
	if (ret)
		goto fail_alloc;
	tlbflush_init();
	ret = sched_start(&cfg);
	if (ret)
		goto fail_alloc;
	ret = lib_rcu_start() ? -ENOMEM : 0;
	if (ret)
		goto fail_sched;
	ret = kswapd_start();
	if (ret)
		goto fail_rcu;
	ret = khugepaged_start();
	if (ret) {
		kswapd_stop_all();
		goto fail_rcu;
	}
	machine_up = true;
	ret = knobs_apply_env();
	if (ret) {
		mmlab_machine_destroy();
		return ret;
	}
	return 0;
fail_rcu:
	lib_rcu_stop();
fail_sched:
	sched_stop();
fail_alloc:
	page_alloc_exit();
fail_cpus:
	cpus_exit();
fail_phys:
	phys_exit();
	return ret;
}

void mmlab_machine_destroy(void)
{
	if (!machine_up)
		return;
	khugepaged_stop();
	kswapd_stop_all();
	exit_all_procs();
	lru_add_drain_all_quiet();
	rcu_barrier();
	lib_rcu_stop();
	swapoff_all();
	luf_exit();
	page_alloc_exit();
	folio_exit();
	cpus_exit();
	phys_exit();
	hw_page_fault = NULL;
	hw_stale_hook = NULL;
	sched_stop();
	machine_up = false;
}

unsigned int mmlab_nr_cpus(void) { return nr_cpu_ids; }

void mmlab_quiesce(void)
{
	rcu_barrier();
	/* folios parked in the per-CPU LRU batches hold a reference; frames on
	 * the per-CPU free lists are not in nr_free_pages */
	lru_add_drain_all();
	rcu_barrier();
	drain_all_pages();
}

int mmlab_settle(unsigned int timeout_ms)
{
	uint64_t end = mmlab_now_ns() + (uint64_t)timeout_ms * 1000000;

	/* a scheduling point per turn: under the deterministic scheduler
	 * kswapd runs meanwhile, and the clock is the simulated one */
	while (!kswapd_idle()) {
		if (mmlab_now_ns() > end)
			return -ETIMEDOUT;
		mmlab_yield();
	}
	mmlab_quiesce();
	return 0;
}

uint64_t mmlab_cpu_cycles(unsigned int cpu)
{
	return cpu < nr_cpu_ids ? READ_ONCE(cpus[cpu].cycles) : 0;
}

size_t mmlab_metadata_bytes_per_frame(void)
{
	return sizeof(struct page);
}

int mmlab_swapon(uint64_t bytes)
{
	return swapon_file(bytes);
}

/* Walk to the PTE mapping @addr and take a reference on its page. */
struct page *mm_follow_page(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pgd = pgd_offset(mm, addr), *pud, *pmd, *pte, v;
	struct page *p = NULL;
	spinlock_t *ptl;

	if (addr >= TASK_SIZE || pte_none(pte_read(pgd)) ||
	    pte_none(pte_read(pud = pud_offset(pgd, addr))) ||
	    pte_none(pte_read(pmd = pmd_offset(pud, addr))))
		return NULL;
	if (pmd_leaf(pte_read(pmd))) {
		spinlock_t *pml = pmd_lockptr(pmd);

		spin_lock(pml);
		v = pte_read(pmd);
		if (pmd_leaf(v) && pte_hw_present(v) && !is_huge_zero_pmd(v)) {
			p = pfn_to_page(pte_pfn(v) + pte_index(addr));
			get_page(p);
		}
		spin_unlock(pml);
		if (p || pmd_leaf(v))
			return p;
	}
	if (!(pte = pte_offset_map_lock(mm, pmd, addr, &ptl)))
		return NULL;
	v = pte_read(pte);
	if (pte_present(v) && !pte_special(v)) {
		p = pfn_to_page(pte_pfn(v));
		get_page(p);
	}
	pte_unmap_unlock(pte, ptl);
	return p;
}

/* @pg (a reference held on its folio) is part of a large folio that
 * cannot move whole (folio_migrate_whole): split it and return the small page now at
 * @addr with a reference, or NULL (the split failed, or the page is gone). */
struct page *split_for_move(struct mm_struct *mm, unsigned long addr, struct page *pg)
{
	struct page *f = compound_head(pg);
	bool split = false;

	if (folio_trylock(f)) {
		split = !split_folio(f);
		folio_unlock(f);
	}
	/* the lookup reference was taken on the head, and split leaves it
	 * there: drop it from the head, and look the page up again (it may
	 * have been zapped meanwhile) */
	put_page(f);
	if (!split || !(pg = mm_follow_page(mm, addr)))
		return NULL;
	if (folio_test_large(compound_head(pg))) {
		put_page(pg);
		return NULL;
	}
	return pg;
}

/* The folio at @addr, ready to move to @node: not on @node already, and
 * isolated from the LRU (the isolation reference alone held).  A THP
 * mapped by one PMD is isolated whole (migrate_huge.c moves it so); any
 * other large folio is split first and its page at @addr taken.  NULL: no
 * page there, nothing to move, it is busy, or already isolated (another
 * page of a THP isolated whole). */
static struct page *isolate_for_move(struct mm_struct *mm, unsigned long addr, int node)
{
	struct page *pg = mm_follow_page(mm, addr), *f;

	if (!pg)
		return NULL;
	f = compound_head(pg);
	if (page_to_nid(pg) != node && folio_test_large(f)) {
		if (folio_migrate_whole(f)) {
			pg = f;
		} else if (!(pg = split_for_move(mm, addr, pg))) {
			return NULL;
		}
	}
	if (page_to_nid(pg) != node && folio_isolate_lru(pg)) {
		put_page(pg);	/* only the isolation reference remains */
		return pg;
	}
	put_page(pg);
	return NULL;
}

/*
 * move_pages(2) to one node (do_pages_move): every page is isolated onto a
 * list under mmap_lock, then the list is migrated with mmap_lock dropped
 * (migrate_pages: batches under one TLB flush each).  Pages other processes
 * map too are moved as well (as with MPOL_MF_MOVE_ALL).
 */
long mmlab_move_pages(struct mmlab_proc *p, uint64_t addr, uint64_t npages, int node)
{
	LIST_HEAD_ON_STACK(pages);
	long moved;

	if (!p || node < 0 || node >= (int)phys.nr_nodes)
		return -EINVAL;
	addr &= PAGE_MASK;
	task_enter(p->main);
	lru_add_drain();
	down_read(&p->mm->mmap_lock);
	for (uint64_t i = 0; i < npages; i++) {
		struct page *pg = isolate_for_move(p->mm, addr + (i << PAGE_SHIFT), node);

		if (pg)
			list_add_tail(&pg->lru, &pages);
	}
	up_read(&p->mm->mmap_lock);
	moved = (long)migrate_pages(&pages, node);
	task_leave(p->main);
	return moved;
}

unsigned int mmlab_nr_nodes(void)
{
	return machine_up ? phys.nr_nodes : 0;
}

int mmlab_node_info(int nid, uint64_t *total, uint64_t *free)
{
	if (!machine_up || nid < 0 || nid >= (int)phys.nr_nodes)
		return -EINVAL;
	if (total)
		*total = (uint64_t)phys.node[nid].nr_frames << PAGE_SHIFT;
	if (free)
		*free = (uint64_t)node_free_pages_now(nid) << PAGE_SHIFT;
	return 0;
}

int mmlab_page_node(struct mmlab_proc *p, uint64_t addr)
{
	struct page *pg;
	int nid;

	if (!p)
		return -EINVAL;
	down_read(&p->mm->mmap_lock);
	pg = mm_follow_page(p->mm, addr & PAGE_MASK);
	up_read(&p->mm->mmap_lock);
	if (!pg)
		return -ENOENT;
	nid = page_to_nid(pg);
	put_page(pg);
	return nid;
}
