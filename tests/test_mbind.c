/*
 * test_mbind.c - mbind(2) and the VMA memory policies on a machine of two
 * nodes (16 MiB each): every EINVAL, EFAULT and EIO rule of the call, the
 * placement of anonymous faults by policy (MPOL_BIND on node 1 puts every
 * page there, THPs included; MPOL_INTERLEAVE alternates by page index;
 * MPOL_PREFERRED falls back once its node is full), MPOL_MF_MOVE moving
 * existing pages (a THP mapped by one PMD whole, as move_pages(2) does;
 * one mapped otherwise split first; a pinned one not) while a page another process
 * maps stays unless MPOL_MF_MOVE_ALL, the CoW copy and swap-in placed by
 * the policy,
 * VMAs split and merged by policy, fork keeping the policy, and
 * get_mempolicy reading it back.  set_mempolicy(2): the task's policy
 * placing the faults of VMAs without one (a VMA's policy wins,
 * MPOL_DEFAULT removes it), copied by fork and to a new thread, its
 * EINVAL rules, and get_mempolicy without an address reading it back.
 */
#include <stdatomic.h>
#include "thp_util.h"

#define BIND		MMLAB_MPOL_BIND
#define LOCAL		MMLAB_MPOL_LOCAL
#define MOVE		MMLAB_MPOL_MF_MOVE
#define STRICT		MMLAB_MPOL_MF_STRICT
#define NODE_MIB	16

static int setup_two_nodes(void **state)
{
	struct mmlab_config cfg;

	(void)state;
	mmlab_config_default(&cfg);
	cfg.nr_nodes = 2;
	cfg.node_bytes[0] = NODE_MIB * MiB;
	cfg.node_bytes[1] = NODE_MIB * MiB;
	machine_up_cfg(&cfg);
	return 0;
}

/* mbind with a one-word node mask (maxnode 65, as numactl passes) */
static int mb(struct mmlab_proc *p, uint64_t a, uint64_t len, unsigned long mode,
	      unsigned long nodes, unsigned int flags)
{
	return mmlab_mbind(mmlab_main_task(p), a, len, mode, &nodes, 65, flags);
}

static int node_of(struct mmlab_proc *p, uint64_t a)
{
	return mmlab_page_node(p, a);
}

static uint64_t small_rw(struct mmlab_proc *p, uint64_t len)
{
	uint64_t a = map_anon(p, 0, len, RW, 0);

	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, len, MADV_NOHUGEPAGE_), 0);
	return a;
}

static int policy_at(struct mmlab_proc *p, uint64_t a, unsigned long *nodes)
{
	int pol = -1;

	assert_int_equal(mmlab_get_mempolicy(mmlab_main_task(p), &pol, nodes, a,
					     MMLAB_MPOL_F_ADDR), 0);
	return pol;
}

/* The mode, flags, length and node-mask checks, in the kernel's order. */
static void t_einval(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = small_rw(p, 4 * PG);
	unsigned long big[4096 * 8 / 64 + 1] = { 1 };

	(void)state;
	assert_int_equal(mb(p, a, PG, LOCAL, 0, 8), -EINVAL);		/* unknown flag */
	assert_int_equal(mb(p, a, PG, LOCAL, 0, MMLAB_MPOL_MF_MOVE_ALL), 0);	/* root */
	assert_int_equal(mb(p, a + 1, PG, LOCAL, 0, 0), -EINVAL);	/* unaligned */
	assert_int_equal(mb(p, a, -PG, LOCAL, 0, 0), -EINVAL);		/* wraps */
	assert_int_equal(mb(p, a, 0, BIND, 0, 0), 0);			/* nothing to do */
	assert_int_equal(mb(p, a, PG, 7, 1, 0), -EINVAL);		/* no such mode */
	assert_int_equal(mb(p, a, PG, 1UL << 31 | BIND, 1, 0), -EINVAL);	/* negative */
	assert_int_equal(mb(p, a, PG, 1UL << 32 | BIND, 1, 0), 0);	/* an int: not read */
	assert_int_equal(mb(p, a, PG, BIND | MMLAB_MPOL_F_STATIC_NODES |
			    MMLAB_MPOL_F_RELATIVE_NODES, 1, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_INTERLEAVE | MMLAB_MPOL_F_NUMA_BALANCING,
			    1, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, BIND | MMLAB_MPOL_F_NUMA_BALANCING, 1, 0), 0);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_DEFAULT, 1, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_DEFAULT | MMLAB_MPOL_F_STATIC_NODES, 0, 0), 0);
	assert_int_equal(mb(p, a, PG, LOCAL, 1, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, LOCAL | MMLAB_MPOL_F_STATIC_NODES, 0, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_PREFERRED, 0, 0), 0);	/* = LOCAL */
	assert_int_equal(policy_at(p, a, NULL), LOCAL);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_PREFERRED | MMLAB_MPOL_F_STATIC_NODES, 0, 0),
			 -EINVAL);
	assert_int_equal(mb(p, a, PG, BIND, 0, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_INTERLEAVE, 0, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_PREFERRED_MANY, 0, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, MMLAB_MPOL_WEIGHTED_INTERLEAVE, 0, 0), -EINVAL);
	/* nodes the machine has not: dropped, and none left is EINVAL */
	assert_int_equal(mb(p, a, PG, BIND, 1UL << 5, 0), -EINVAL);
	assert_int_equal(mb(p, a, PG, BIND, 1UL << 5 | 1UL << 1, 0), 0);
	/* relative nodes fold onto the machine's: node 5 is node 1 */
	assert_int_equal(mb(p, a, PG, BIND | MMLAB_MPOL_F_RELATIVE_NODES, 1UL << 5, 0), 0);
	/* maxnode: more than a page of bits; a bit at MAX_NUMNODES (1024) */
	assert_int_equal(mmlab_mbind(t, a, PG, BIND, big, 4096 * 8 + 2, 0), -EINVAL);
	assert_int_equal(mmlab_mbind(t, a, PG, BIND, big, 4096 * 8 + 1, 0), 0);
	big[1024 / 64] = 1;
	assert_int_equal(mmlab_mbind(t, a, PG, BIND, big, 1026, 0), -EINVAL);
	assert_int_equal(mmlab_mbind(t, a, PG, BIND, big, 1025, 0), 0);	/* not read */
	/* node 100 alone (offline): not empty for mpol_new, so PREFERRED is
	 * not LOCAL and LOCAL and DEFAULT refuse it; none is online (EINVAL),
	 * but folded onto the machine's nodes it is node 0 (as on 6.18) */
	memset(big, 0, sizeof(big));
	big[1] = 1UL << 36;
	assert_int_equal(mmlab_mbind(t, a, PG, BIND, big, 1025, 0), -EINVAL);
	assert_int_equal(mmlab_mbind(t, a, PG, MMLAB_MPOL_PREFERRED, big, 1025, 0), -EINVAL);
	assert_int_equal(mmlab_mbind(t, a, PG, LOCAL, big, 1025, 0), -EINVAL);
	assert_int_equal(mmlab_mbind(t, a, PG, MMLAB_MPOL_DEFAULT, big, 1025, 0), -EINVAL);
	assert_int_equal(mmlab_mbind(t, a, PG, BIND | MMLAB_MPOL_F_RELATIVE_NODES, big, 1025,
				     0), 0);
	assert_int_equal(mmlab_mbind(t, a, PG, LOCAL, big, 100, 0), 0);	/* not read */
	big[0] = 1;
	/* maxnode 1: no bits at all; a NULL mask too */
	assert_int_equal(mmlab_mbind(t, a, PG, BIND, big, 1, 0), -EINVAL);
	assert_int_equal(mmlab_mbind(t, a, PG, LOCAL, NULL, 1000, 0), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A hole in the range is -EFAULT and changes nothing; MPOL_DEFAULT skips
 * holes, but a range with no VMA at all is -EFAULT even so. */
static void t_efault(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_rw(p, 8 * PG);
	unsigned long nodes = 0;

	(void)state;
	assert_int_equal(mmlab_munmap(mmlab_main_task(p), a + 4 * PG, PG), 0);
	assert_int_equal(mb(p, a, 8 * PG, BIND, 2, 0), -EFAULT);
	assert_int_equal(policy_at(p, a, &nodes), MMLAB_MPOL_DEFAULT);
	assert_int_equal(mb(p, a + 4 * PG, 2 * PG, BIND, 2, 0), -EFAULT);	/* head */
	assert_int_equal(mb(p, a + 3 * PG, PG + 1, BIND, 2, 0), -EFAULT);	/* tail */
	assert_int_equal(mb(p, a, 8 * PG, MMLAB_MPOL_DEFAULT, 0, 0), 0);
	assert_int_equal(mb(p, a + 4 * PG, PG, MMLAB_MPOL_DEFAULT, 0, 0), -EFAULT);
	assert_int_equal(mmlab_get_mempolicy(mmlab_main_task(p), NULL, NULL, a + 4 * PG,
					     MMLAB_MPOL_F_ADDR), -EFAULT);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MPOL_MF_STRICT: a misplaced page without MOVE is -EIO and the policy is
 * not set; with MOVE the page moves; MPOL_DEFAULT drops STRICT. */
static void t_strict(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_rw(p, 4 * PG);

	(void)state;
	assert_int_equal(mb(p, a, 4 * PG, BIND, 2, STRICT), 0);	/* nothing there */
	assert_int_equal(mb(p, a, 4 * PG, MMLAB_MPOL_DEFAULT, 0, 0), 0);
	put64(mmlab_main_task(p), a, 7);
	assert_int_equal(node_of(p, a), 0);
	assert_int_equal(mb(p, a, 4 * PG, BIND, 1, STRICT), 0);	/* right node */
	assert_int_equal(mb(p, a, 4 * PG, BIND, 2, STRICT), -EIO);
	assert_int_equal(policy_at(p, a, NULL), BIND);		/* still node 0's */
	assert_int_equal(mb(p, a, 4 * PG, LOCAL, 0, STRICT), -EIO);	/* LOCAL: all */
	assert_int_equal(mb(p, a, 4 * PG, MMLAB_MPOL_DEFAULT, 0, STRICT), 0);
	assert_int_equal(mb(p, a, 4 * PG, BIND, 2, STRICT | MOVE), 0);
	assert_int_equal(node_of(p, a), 1);
	assert_int_equal(get64(mmlab_main_task(p), a), 7);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A pinned page cannot move (its references are not only its mappings'):
 * with STRICT that is -EIO, without it 0; the pages that could move did,
 * and the policy is set either way. */
static void t_strict_unmoved(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_rw(p, 4 * PG);
	int g = mmlab_gup_test_open(p);

	(void)state;
	assert_true(g >= 0);
	for (uint64_t i = 0; i < 4; i++)
		put64(mmlab_main_task(p), a + i * PG, 0x300 + i);
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, PG,
						       MMLAB_PIN_LONGTERM_TEST_WRITE), 0);
	assert_int_equal(mb(p, a, 2 * PG, BIND, 2, MOVE | STRICT), -EIO);
	assert_int_equal(node_of(p, a), 0);			/* pinned */
	assert_int_equal(node_of(p, a + PG), 1);		/* moved */
	assert_int_equal(policy_at(p, a, NULL), BIND);
	assert_int_equal(mb(p, a, 4 * PG, BIND, 2, MOVE), 0);
	assert_int_equal(node_of(p, a), 0);
	assert_int_equal(node_of(p, a + 3 * PG), 1);
	assert_int_equal(mmlab_pin_longterm_test_stop(p, g), 0);
	assert_int_equal(mb(p, a, PG, BIND, 2, MOVE | STRICT), 0);
	assert_int_equal(node_of(p, a), 1);
	assert_int_equal(get64(mmlab_main_task(p), a), 0x300);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MPOL_BIND to node 1: every fault of the range lands there. */
static void t_bind_places(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_rw(p, 32 * PG);

	(void)state;
	assert_int_equal(mb(p, a, 32 * PG, BIND, 2, 0), 0);
	for (int i = 0; i < 32; i++) {
		put64(mmlab_main_task(p), a + (uint64_t)i * PG, (uint64_t)i);
		assert_int_equal(node_of(p, a + (uint64_t)i * PG), 1);
	}
	assert_int_equal(mmlab_exit(p), 0);
}

/* MPOL_INTERLEAVE over both nodes: the node is the page's index (vm_pgoff,
 * the virtual page number for anonymous memory) modulo 2. */
static void t_interleave(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_rw(p, 16 * PG);
	unsigned int on[2] = { 0, 0 };

	(void)state;
	assert_int_equal(mb(p, a, 16 * PG, MMLAB_MPOL_INTERLEAVE, 3, 0), 0);
	for (uint64_t i = 0; i < 16; i++) {
		int n;

		put64(mmlab_main_task(p), a + i * PG, i);
		n = node_of(p, a + i * PG);
		assert_int_equal(n, (int)(((a / PG) + i) % 2));
		on[n]++;
	}
	assert_int_equal(on[0], 8);
	assert_int_equal(on[1], 8);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MPOL_PREFERRED node 1: node 1 first; once it is down to its watermark
 * the faults go to node 0, and every page is there (no OOM). */
static void t_preferred_fallback(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t len = (NODE_MIB + 4) * MiB, a = small_rw(p, len), n1 = 0;

	(void)state;
	assert_int_equal(mb(p, a, len, MMLAB_MPOL_PREFERRED, 2, 0), 0);
	for (uint64_t off = 0; off < len; off += PG)
		put64(mmlab_main_task(p), a + off, off);
	for (uint64_t off = 0; off < len; off += PG)
		n1 += node_of(p, a + off) == 1;
	print_message("%" PRIu64 " of %" PRIu64 " pages on node 1\n", n1, len / PG);
	assert_true(n1 > (NODE_MIB / 2) * MiB / PG);	/* node 1 filled first */
	assert_true(n1 < len / PG);			/* then node 0 */
	assert_int_equal(node_of(p, a), 1);
	assert_int_equal(node_of(p, a + len - PG), 0);
	for (uint64_t off = 0; off < len; off += 64 * PG)
		assert_int_equal(get64(mmlab_main_task(p), a + off), off);
	assert_int_equal(mmlab_exit(p), 0);
}

/* MPOL_MF_MOVE moves pages already there, data intact; a page a child
 * maps too stays unless MPOL_MF_MOVE_ALL (and is no STRICT failure). */
static void t_move_existing(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	uint64_t a = small_rw(p, 8 * PG);

	(void)state;
	for (uint64_t i = 0; i < 8; i++)
		put64(mmlab_main_task(p), a + i * PG, 0x100 + i);
	assert_int_equal(mb(p, a, 4 * PG, BIND, 2, MOVE), 0);
	for (uint64_t i = 0; i < 8; i++) {
		assert_int_equal(node_of(p, a + i * PG), i < 4 ? 1 : 0);
		assert_int_equal(get64(mmlab_main_task(p), a + i * PG), 0x100 + i);
	}
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mb(p, a + 4 * PG, 4 * PG, BIND, 2, MOVE | STRICT), 0);
	assert_int_equal(node_of(p, a + 4 * PG), 0);		/* shared: stays */
	assert_int_equal(mb(p, a + 4 * PG, 4 * PG, BIND, 2, MMLAB_MPOL_MF_MOVE_ALL), 0);
	assert_int_equal(node_of(p, a + 4 * PG), 1);
	assert_int_equal(node_of(c, a + 4 * PG), 1);		/* the child's too */
	assert_int_equal(get64(mmlab_main_task(c), a + 5 * PG), 0x105);
	/* MPOL_LOCAL allows no node: every page moves, to node 0 (shared
	 * with the child: MOVE_ALL) */
	assert_int_equal(mb(p, a, 2 * PG, LOCAL, 0, MOVE), 0);
	assert_int_equal(node_of(p, a), 1);
	assert_int_equal(mb(p, a, 2 * PG, LOCAL, 0, MMLAB_MPOL_MF_MOVE_ALL), 0);
	assert_int_equal(node_of(p, a), 0);
	assert_int_equal(get64(mmlab_main_task(p), a + PG), 0x101);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A THP of @p at @a, whole, on node @nid, with its data: both ends on
 * the node, AnonHugePages 2 MiB, one PMD-aligned run of frames that
 * kpageflags calls THP. */
static void assert_thp_on(struct mmlab_proc *p, uint64_t a, int nid, uint64_t v0, uint64_t v1)
{
	uint64_t kpf = 0;

	assert_int_equal(thp_kb(p, a), PMD / KiB);
	assert_int_equal(node_of(p, a), nid);
	assert_int_equal(node_of(p, a + PMD - PG), nid);
	assert_true(pm_contiguous(p, a, NR_PMD_PAGES, NR_PMD_PAGES));
	assert_int_equal(mmlab_kpageflags(pfn_of(pm1(p, a)), 1, &kpf), 0);
	assert_true(kpf & (1ULL << 22));	/* KPF_THP */
	assert_int_equal(get64(mmlab_main_task(p), a), v0);
	assert_int_equal(get64(mmlab_main_task(p), a + PMD - PG), v1);
}

/* A THP at region @i of @p, faulted in on node 0, @v0 and @v1 written at
 * its ends. */
static uint64_t thp_made(struct mmlab_proc *p, int i, uint64_t v0, uint64_t v1)
{
	uint64_t a;

	knob(THP_DIR "enabled", "always");
	a = thp_region(p, i, PMD, MADV_HUGEPAGE_);
	put64(mmlab_main_task(p), a, v0);
	put64(mmlab_main_task(p), a + PMD - PG, v1);
	assert_thp_on(p, a, 0, v0, v1);
	return a;
}

/* A THP fault under MPOL_BIND node 1 maps a THP from node 1; MPOL_MF_MOVE
 * moves it back whole (as 6.18: thp_migration_success, 512 pages of
 * pgmigrate_success), the data and the PMD mapping kept. */
static void t_thp(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a, ok0, pg0;

	(void)state;
	knob(THP_DIR "enabled", "always");
	a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	assert_int_equal(mb(p, a, PMD, BIND, 2, 0), 0);
	put64(mmlab_main_task(p), a, 1);
	put64(mmlab_main_task(p), a + PMD - PG, 2);
	assert_thp_on(p, a, 1, 1, 2);
	ok0 = vmstat("thp_migration_success");
	pg0 = vmstat("pgmigrate_success");
	assert_int_equal(mb(p, a, PMD, BIND, 1, MOVE | STRICT), 0);
	assert_thp_on(p, a, 0, 1, 2);
	assert_int_equal(vmstat("thp_migration_success") - ok0, 1);
	assert_int_equal(vmstat("pgmigrate_success") - pg0, NR_PMD_PAGES);
	assert_int_equal(vmstat("thp_migration_split"), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* move_pages(2) of one page of a THP moves the THP whole and reports its
 * 512 pages; moving it back too. */
static void t_thp_move_pages(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a, ok0;

	(void)state;
	a = thp_made(p, 0, 0x11, 0x22);
	ok0 = vmstat("thp_migration_success");
	assert_int_equal(mmlab_move_pages(p, a + 5 * PG, 1, 1), NR_PMD_PAGES);
	assert_thp_on(p, a, 1, 0x11, 0x22);
	assert_int_equal(mmlab_move_pages(p, a, NR_PMD_PAGES, 0), NR_PMD_PAGES);
	assert_thp_on(p, a, 0, 0x11, 0x22);
	assert_int_equal(vmstat("thp_migration_success") - ok0, 2);
	assert_int_equal(mmlab_exit(p), 0);
}

/* An mlocked THP moves whole and stays mlocked: nr_mlock unchanged (512
 * pages), the THP on the new node. */
static void t_thp_mlocked(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = thp_made(p, 0, 0x31, 0x32), ml0, ok0;

	(void)state;
	assert_int_equal(mmlab_mlock(mmlab_main_task(p), a, PMD, 0), 0);
	ml0 = vmstat("nr_mlock");
	ok0 = vmstat("thp_migration_success");
	assert_true(ml0 >= NR_PMD_PAGES);
	assert_int_equal(mmlab_move_pages(p, a, 1, 1), NR_PMD_PAGES);
	assert_thp_on(p, a, 1, 0x31, 0x32);
	assert_int_equal(vmstat("thp_migration_success") - ok0, 1);
	mmlab_quiesce();
	assert_int_equal(vmstat("nr_mlock"), ml0);
	assert_int_equal(mmlab_exit(p), 0);
	mmlab_quiesce();
	assert_int_equal(vmstat("nr_mlock"), 0);
}

/* A pinned THP does not move (its references are not only its PMD's):
 * move_pages reports nothing moved and the page still on node 0,
 * thp_migration_fail and 512 pages of pgmigrate_fail count it, the THP
 * stays whole; mbind with STRICT is -EIO.  Unpinned, it moves. */
static void t_thp_pinned(void **state)
{
	struct mmlab_proc *p = spawn();
	int g = mmlab_gup_test_open(p);
	uint64_t a, fail0, pgfail0;

	(void)state;
	assert_true(g >= 0);
	a = thp_made(p, 0, 3, 4);
	assert_int_equal(mmlab_pin_longterm_test_start(mmlab_main_task(p), g, a, PG,
						       MMLAB_PIN_LONGTERM_TEST_WRITE), 0);
	fail0 = vmstat("thp_migration_fail");
	pgfail0 = vmstat("pgmigrate_fail");
	assert_int_equal(mmlab_move_pages(p, a, 1, 1), 0);
	assert_thp_on(p, a, 0, 3, 4);
	assert_int_equal(vmstat("thp_migration_fail") - fail0, 1);
	assert_int_equal(vmstat("pgmigrate_fail") - pgfail0, NR_PMD_PAGES);
	assert_int_equal(mb(p, a, PMD, BIND, 2, MOVE | STRICT), -EIO);
	assert_thp_on(p, a, 0, 3, 4);
	assert_int_equal(mmlab_pin_longterm_test_stop(p, g), 0);
	assert_int_equal(mmlab_move_pages(p, a, 1, 1), NR_PMD_PAGES);
	assert_thp_on(p, a, 1, 3, 4);
	assert_int_equal(mmlab_exit(p), 0);
}

/* No free 2 MiB on the target (node 1 filled with small pages but for
 * 512 KiB, every other one freed): the THP is split and its pages move one by one, as
 * the kernel's try_split_folio (thp_migration_fail and
 * thp_migration_split +1). */
static void t_thp_target_fragmented(void **state)
{
	struct mmlab_proc *p = spawn(), *h = spawn();
	uint64_t len = NODE_MIB * MiB - PMD / 4, f = small_rw(h, len), a, fail0, split0, m;

	(void)state;
	assert_int_equal(mb(h, f, len, BIND, 2, 0), 0);
	for (uint64_t off = 0; off < len; off += PG)
		put64(mmlab_main_task(h), f + off, off);
	for (uint64_t off = 0; off < len; off += 2 * PG)
		assert_int_equal(madv(h, f + off, PG, MADV_DONTNEED_), 0);
	a = thp_made(p, 0, 9, 10);
	fail0 = vmstat("thp_migration_fail");
	split0 = vmstat("thp_migration_split");
	m = (uint64_t)mmlab_move_pages(p, a, 1, 1);
	assert_int_equal(vmstat("thp_migration_fail") - fail0, 1);
	assert_int_equal(vmstat("thp_migration_split") - split0, 1);
	assert_true(m >= 1);
	assert_int_equal(thp_kb(p, a), 0);
	assert_int_equal(node_of(p, a), 1);
	assert_int_equal(get64(mmlab_main_task(p), a), 9);
	assert_int_equal(get64(mmlab_main_task(p), a + PMD - PG), 10);
	assert_int_equal(mmlab_exit(h), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* What the model does not move whole falls back to the split (its top
 * comment in migrate_huge.c): a THP mapped by PTEs (a PMD split by
 * mprotect of one page), and one a fork child maps too (two PMDs); the
 * pages move, thp_migration_success does not count, the data stays. */
static void t_thp_fallback_split(void **state)
{
	struct mmlab_proc *p = spawn(), *c;
	uint64_t a, b, ok0, m;

	(void)state;
	knob(THP_DIR "enabled", "always");
	a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	b = thp_region(p, 1, PMD, MADV_HUGEPAGE_);
	put64(mmlab_main_task(p), a, 5);
	put64(mmlab_main_task(p), a + PMD - PG, 6);
	put64(mmlab_main_task(p), b, 7);
	put64(mmlab_main_task(p), b + PMD - PG, 8);
	assert_int_equal(mmlab_mprotect(mmlab_main_task(p), a + PMD - PG, PG, PROT_READ), 0);
	assert_int_equal(thp_kb(p, a), 0);	/* PTE-mapped now */
	assert_int_equal(thp_kb(p, b), PMD / KiB);
	ok0 = vmstat("thp_migration_success");
	m = (uint64_t)mmlab_move_pages(p, a, NR_PMD_PAGES, 1);
	assert_true(m >= 2 && m <= NR_PMD_PAGES);	/* zero-filled pages map the zero page */
	assert_int_equal(node_of(p, a), 1);
	assert_int_equal(node_of(p, a + PMD - PG), 1);
	assert_int_equal(get64(mmlab_main_task(p), a), 5);
	assert_int_equal(get64(mmlab_main_task(p), a + PMD - PG), 6);
	/* shared after fork: two PMDs map it */
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(thp_kb(c, b), PMD / KiB);
	m = (uint64_t)mmlab_move_pages(p, b, NR_PMD_PAGES, 1);
	assert_true(m >= 2 && m <= NR_PMD_PAGES);
	assert_int_equal(thp_kb(p, b), 0);
	assert_int_equal(node_of(p, b), 1);
	assert_int_equal(node_of(c, b + PMD - PG), 1);
	assert_int_equal(get64(mmlab_main_task(c), b), 7);
	assert_int_equal(get64(mmlab_main_task(c), b + PMD - PG), 8);
	assert_int_equal(get64(mmlab_main_task(p), b + PMD - PG), 8);
	assert_int_equal(vmstat("thp_migration_success") - ok0, 0);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* The policy splits the VMA at the range's ends; the same policy on the
 * rest makes the pieces equal, and they merge back into one. */
static void t_split_merge(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_rw(p, 8 * PG);
	int vmas = mmlab_vma_count(p);
	unsigned long nodes = 0;

	(void)state;
	assert_int_equal(mb(p, a + 2 * PG, 2 * PG, BIND, 2, 0), 0);
	assert_int_equal(mmlab_vma_count(p), vmas + 2);
	assert_int_equal(policy_at(p, a + 2 * PG, &nodes), BIND);
	assert_int_equal(nodes, 2);
	assert_int_equal(policy_at(p, a + 4 * PG, NULL), MMLAB_MPOL_DEFAULT);
	assert_int_equal(mb(p, a + 2 * PG, PG, MMLAB_MPOL_INTERLEAVE, 3, 0), 0);
	assert_int_equal(mmlab_vma_count(p), vmas + 3);
	assert_int_equal(mb(p, a, 8 * PG, BIND, 2, 0), 0);
	assert_int_equal(mmlab_vma_count(p), vmas);
	assert_int_equal(mb(p, a, 8 * PG, MMLAB_MPOL_DEFAULT, 0, 0), 0);
	assert_int_equal(mmlab_vma_count(p), vmas);
	assert_int_equal(policy_at(p, a, NULL), MMLAB_MPOL_DEFAULT);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A fork child keeps the policy: its faults follow it, and the CoW copy
 * of a page shared with the parent is placed by it too. */
static void t_fork_keeps_policy(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	uint64_t a = small_rw(p, 4 * PG);
	int node = -1;

	(void)state;
	put64(mmlab_main_task(p), a, 5);		/* node 0, before the policy */
	assert_int_equal(mb(p, a, 4 * PG, BIND, 2, 0), 0);
	assert_int_equal(node_of(p, a), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(policy_at(c, a, NULL), BIND);
	put64(mmlab_main_task(c), a + PG, 6);		/* a new page */
	assert_int_equal(node_of(c, a + PG), 1);
	put64(mmlab_main_task(c), a, 8);		/* the CoW copy */
	assert_int_equal(node_of(c, a), 1);
	assert_int_equal(node_of(p, a), 0);
	assert_int_equal(get64(mmlab_main_task(p), a), 5);
	assert_int_equal(mmlab_get_mempolicy(mmlab_main_task(c), &node, NULL, a + PG,
					     MMLAB_MPOL_F_ADDR | MMLAB_MPOL_F_NODE), 0);
	assert_int_equal(node, 1);
	assert_int_equal(mmlab_get_mempolicy(mmlab_main_task(c), &node, NULL, 0,
					     MMLAB_MPOL_F_NODE), -EINVAL);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* A process that writes more than the machine holds: reclaim empties the
 * swap cache on both nodes. */
static void hog_both_nodes(void)
{
	struct mmlab_proc *h = spawn();
	uint64_t len = (2 * NODE_MIB + 8) * MiB, a = small_rw(h, len);

	for (uint64_t off = 0; off < len; off += PG)
		put64(mmlab_main_task(h), a + off, off);
	assert_int_equal(mmlab_exit(h), 0);
}

/* Swap-in allocates by the policy too: pages paged out while the policy
 * was MPOL_INTERLEAVE, then pushed out of the swap cache, come back under
 * MPOL_BIND on node 1. */
static void t_swapin(void **state)
{
	struct mmlab_proc *p = spawn();
	uint64_t a = small_rw(p, 8 * PG), in0;

	(void)state;
	assert_true(mmlab_swapon(64 * MiB) >= 0);
	assert_int_equal(mb(p, a, 8 * PG, MMLAB_MPOL_INTERLEAVE, 3, 0), 0);
	for (uint64_t i = 0; i < 8; i++)
		put64(mmlab_main_task(p), a + i * PG, 0x200 + i);
	assert_int_equal(node_of(p, a + PG) + node_of(p, a), 1);	/* one each */
	assert_int_equal(mmlab_madvise(mmlab_main_task(p), a, 8 * PG, MADV_PAGEOUT_), 0);
	assert_true(pm1(p, a) & MMLAB_PM_SWAP);
	assert_int_equal(mb(p, a, 8 * PG, BIND, 2, 0), 0);
	hog_both_nodes();
	in0 = vmstat("pswpin");
	for (uint64_t i = 0; i < 8; i++) {
		assert_int_equal(get64(mmlab_main_task(p), a + i * PG), 0x200 + i);
		assert_int_equal(node_of(p, a + i * PG), 1);
	}
	assert_int_equal(vmstat("pswpin") - in0, 8);	/* read from the device */
	assert_int_equal(mmlab_exit(p), 0);
}

struct writer {
	struct mmlab_task *t;
	uint64_t a, stride;	/* 8 pages, @stride apart (0: adjacent) */
	atomic_bool stop;
	unsigned long rounds, errors, lost;
};

/* Writes a new value into each page and reads it back, on another CPU. */
static void *writer_peer(void *arg)
{
	struct writer *w = arg;

	uint64_t stride = w->stride ? w->stride : PG;

	for (uint64_t v = 1; !atomic_load(&w->stop); v++) {
		for (uint64_t i = 0; i < 8; i++) {
			uint64_t got = 0;

			if (mmlab_write(w->t, w->a + i * stride, &v, sizeof(v), NULL) ||
			    mmlab_read(w->t, w->a + i * stride, &got, sizeof(got), NULL))
				w->errors++;
			else
				w->lost += got != v;
		}
		w->rounds++;
	}
	return NULL;
}

/* mbind moving the pages back and forth between the nodes while another
 * CPU writes them: no write is lost, nothing faults, no stale TLB entry
 * (machine_down checks stale_tlb_reports). */
static void t_move_while_writing(void **state)
{
	struct mmlab_proc *p = spawn();
	struct writer w = { .t = task_on(p, 1), .a = small_rw(p, 8 * PG) };
	unsigned long moves = 0;
	double end = now_s() + 0.3;
	pthread_t th;

	(void)state;
	atomic_init(&w.stop, false);
	assert_int_equal(mmlab_thread_create(&th, writer_peer, &w), 0);
	while (now_s() < end || moves < 40 || w.rounds < 40) {
		assert_int_equal(mb(p, w.a, 8 * PG, BIND, 1UL << (moves % 2), MOVE), 0);
		moves++;
	}
	atomic_store(&w.stop, true);
	mmlab_thread_join(th);
	print_message("%lu moves, %lu write rounds\n", moves, w.rounds);
	assert_int_equal(w.errors, 0);
	assert_int_equal(w.lost, 0);
	assert_true(vmstat("pgmigrate_success") > 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* move_pages moving a THP whole back and forth between the nodes while
 * another CPU writes it: no write is lost, the faults that meet the PMD
 * being moved wait for it instead of faulting in a fresh THP, the THP
 * stays whole, no stale TLB entry. */
static void t_thp_move_while_writing(void **state)
{
	struct mmlab_proc *p = spawn();
	struct writer w = { .t = task_on(p, 1), .stride = PMD / 8 };
	unsigned long moves = 0, whole = 0;
	uint64_t ok0, fault0;
	double end = now_s() + 0.3;
	pthread_t th;

	(void)state;
	knob(THP_DIR "enabled", "always");
	w.a = thp_region(p, 0, PMD, MADV_HUGEPAGE_);
	put64(mmlab_main_task(p), w.a, 0);
	assert_int_equal(thp_kb(p, w.a), PMD / KiB);
	ok0 = vmstat("thp_migration_success");
	fault0 = vmstat("thp_fault_alloc");
	atomic_init(&w.stop, false);
	assert_int_equal(mmlab_thread_create(&th, writer_peer, &w), 0);
	while (now_s() < end || moves < 40 || w.rounds < 40) {
		long m = mmlab_move_pages(p, w.a, 1, (int)((moves + 1) % 2));

		assert_true(m == 0 || m == NR_PMD_PAGES);
		whole += m == NR_PMD_PAGES;
		moves++;
	}
	atomic_store(&w.stop, true);
	mmlab_thread_join(th);
	print_message("%lu moves (%lu whole), %lu write rounds\n", moves, whole, w.rounds);
	assert_int_equal(w.errors, 0);
	assert_int_equal(w.lost, 0);
	assert_true(whole >= moves / 2);
	assert_int_equal(vmstat("thp_migration_success") - ok0, whole);
	assert_int_equal(vmstat("thp_fault_alloc") - fault0, 0);
	assert_int_equal(vmstat("stale_tlb_reports"), 0);
	assert_int_equal(thp_kb(p, w.a), PMD / KiB);
	assert_true(pm_contiguous(p, w.a, NR_PMD_PAGES, NR_PMD_PAGES));
	assert_int_equal(mmlab_exit(p), 0);
}

/* ---- set_mempolicy: the task's own policy ---- */

/* set_mempolicy with a one-word node mask (maxnode 65) */
static int smp(struct mmlab_task *t, unsigned long mode, unsigned long nodes)
{
	return mmlab_set_mempolicy(t, mode, &nodes, 65);
}

/* get_mempolicy without an address: the task's policy and nodes */
static int task_policy(struct mmlab_task *t, unsigned long *nodes)
{
	int pol = -1;

	assert_int_equal(mmlab_get_mempolicy(t, &pol, nodes, 0, 0), 0);
	return pol;
}

/* The task policy places the faults of VMAs without one; a VMA's policy
 * wins; MPOL_DEFAULT removes it. */
static void t_task_bind(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = small_rw(p, 8 * PG);
	unsigned long nodes = 99;

	(void)state;
	assert_int_equal(task_policy(t, &nodes), MMLAB_MPOL_DEFAULT);
	assert_int_equal(nodes, 0);
	assert_int_equal(smp(t, BIND, 2), 0);
	assert_int_equal(task_policy(t, &nodes), BIND);
	assert_int_equal(nodes, 2);
	assert_int_equal(policy_at(p, a, NULL), MMLAB_MPOL_DEFAULT);	/* the VMA's */
	put64(t, a, 1);
	assert_int_equal(node_of(p, a), 1);
	assert_int_equal(mb(p, a + 2 * PG, 2 * PG, BIND, 1, 0), 0);	/* the VMA's wins */
	put64(t, a + 2 * PG, 2);
	assert_int_equal(node_of(p, a + 2 * PG), 0);
	assert_int_equal(mb(p, a + 4 * PG, PG, LOCAL, 0, 0), 0);	/* local: node 0 */
	put64(t, a + 4 * PG, 3);
	assert_int_equal(node_of(p, a + 4 * PG), 0);
	assert_int_equal(mmlab_set_mempolicy(t, MMLAB_MPOL_DEFAULT, NULL, 0), 0);
	assert_int_equal(task_policy(t, &nodes), MMLAB_MPOL_DEFAULT);
	assert_int_equal(nodes, 0);
	put64(t, a + 5 * PG, 4);
	assert_int_equal(node_of(p, a + 5 * PG), 0);
	assert_int_equal(node_of(p, a), 1);		/* placed pages stay */
	assert_int_equal(mmlab_exit(p), 0);
}

/* A task interleave policy goes by the page's index in its VMA (the
 * virtual page number for anonymous memory), as a VMA's does;
 * MPOL_F_NODE without an address names the node its round takes next. */
static void t_task_interleave(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = small_rw(p, 4 * PG);
	int node = -1;

	(void)state;
	assert_int_equal(mmlab_get_mempolicy(t, &node, NULL, 0, MMLAB_MPOL_F_NODE), -EINVAL);
	assert_int_equal(smp(t, BIND, 3), 0);
	assert_int_equal(mmlab_get_mempolicy(t, &node, NULL, 0, MMLAB_MPOL_F_NODE), -EINVAL);
	assert_int_equal(smp(t, MMLAB_MPOL_INTERLEAVE, 3), 0);
	for (int i = 0; i < 4; i++)
		put64(t, a + (uint64_t)i * PG, (uint64_t)i);
	for (int i = 0; i < 4; i++)
		assert_int_equal(node_of(p, a + (uint64_t)i * PG), (int)((a / PG + (uint64_t)i) % 2));
	assert_int_equal(mmlab_get_mempolicy(t, &node, NULL, 0, MMLAB_MPOL_F_NODE), 0);
	assert_int_equal(node, 0);
	assert_int_equal(smp(t, MMLAB_MPOL_INTERLEAVE, 2), 0);
	assert_int_equal(mmlab_get_mempolicy(t, &node, NULL, 0, MMLAB_MPOL_F_NODE), 0);
	assert_int_equal(node, 1);
	assert_int_equal(mmlab_exit(p), 0);
}

/* fork copies the task policy; a new thread inherits the main task's; each
 * task's policy is its own. */
static void t_task_fork_thread(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	struct mmlab_task *t = mmlab_main_task(p), *t2 = NULL, *ct;
	uint64_t a = small_rw(p, 4 * PG);
	unsigned long nodes = 0;

	(void)state;
	assert_int_equal(smp(t, BIND, 2), 0);
	assert_int_equal(mmlab_fork(p, &c), 0);
	ct = mmlab_main_task(c);
	assert_int_equal(task_policy(ct, &nodes), BIND);
	assert_int_equal(nodes, 2);
	put64(ct, a, 1);
	assert_int_equal(node_of(c, a), 1);
	assert_int_equal(smp(ct, BIND, 1), 0);		/* the parent's stays */
	assert_int_equal(task_policy(t, &nodes), BIND);
	assert_int_equal(nodes, 2);
	assert_int_equal(mmlab_thread(p, 1, &t2), 0);
	assert_int_equal(task_policy(t2, &nodes), BIND);
	assert_int_equal(nodes, 2);
	assert_int_equal(smp(t2, MMLAB_MPOL_DEFAULT, 0), 0);
	put64(t2, a + PG, 2);
	assert_int_equal(node_of(p, a + PG), 0);
	assert_int_equal(task_policy(t, NULL), BIND);	/* the main task's stays */
	put64(t, a + 2 * PG, 3);
	assert_int_equal(node_of(p, a + 2 * PG), 1);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(mmlab_exit(p), 0);
}

/* set_mempolicy's checks are mbind's; a failed call keeps the old policy. */
static void t_task_einval(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	static unsigned long big[4096 * 8 / 64 + 1];
	unsigned long nodes = 0;
	int pol = -1;

	(void)state;
	assert_int_equal(smp(t, MMLAB_MPOL_PREFERRED, 2), 0);
	assert_int_equal(smp(t, 7, 1), -EINVAL);			/* MPOL_MAX */
	assert_int_equal(smp(t, BIND | MMLAB_MPOL_F_STATIC_NODES |
			     MMLAB_MPOL_F_RELATIVE_NODES, 1), -EINVAL);
	assert_int_equal(smp(t, MMLAB_MPOL_INTERLEAVE | MMLAB_MPOL_F_NUMA_BALANCING, 1),
			 -EINVAL);
	assert_int_equal(smp(t, MMLAB_MPOL_PREFERRED | MMLAB_MPOL_F_NUMA_BALANCING, 1),
			 -EINVAL);
	assert_int_equal(smp(t, MMLAB_MPOL_DEFAULT, 1), -EINVAL);	/* nodes */
	assert_int_equal(smp(t, BIND, 0), -EINVAL);			/* none */
	assert_int_equal(smp(t, MMLAB_MPOL_INTERLEAVE, 0), -EINVAL);
	assert_int_equal(smp(t, LOCAL, 1), -EINVAL);
	assert_int_equal(smp(t, BIND, 4), -EINVAL);			/* no such node */
	assert_int_equal(smp(t, MMLAB_MPOL_PREFERRED | MMLAB_MPOL_F_STATIC_NODES, 0), -EINVAL);
	big[4096 * 8 / 64] = 0;
	big[0] = 2;
	assert_int_equal(mmlab_set_mempolicy(t, BIND, big, 4096 * 8 + 2), -EINVAL);
	big[1024 / 64] = 1;						/* node 1024 */
	assert_int_equal(mmlab_set_mempolicy(t, BIND, big, 1026), -EINVAL);
	big[1024 / 64] = 0;
	assert_int_equal(task_policy(t, &nodes), MMLAB_MPOL_PREFERRED);	/* kept */
	assert_int_equal(nodes, 2);
	assert_int_equal(mmlab_get_mempolicy(t, &pol, NULL, PG, 0), -EINVAL);	/* addr */
	assert_int_equal(mmlab_get_mempolicy(t, &pol, &nodes, 0, MMLAB_MPOL_F_MEMS_ALLOWED), 0);
	assert_int_equal(nodes, 3);
	assert_int_equal(mmlab_get_mempolicy(t, &pol, &nodes, 0, MMLAB_MPOL_F_MEMS_ALLOWED |
					     MMLAB_MPOL_F_NODE), -EINVAL);
	/* what is accepted, and how it reads back */
	assert_int_equal(smp(t, BIND | MMLAB_MPOL_F_NUMA_BALANCING, 2), 0);
	assert_int_equal(task_policy(t, &nodes), BIND | MMLAB_MPOL_F_NUMA_BALANCING);
	assert_int_equal(smp(t, MMLAB_MPOL_PREFERRED, 0), 0);		/* = local */
	assert_int_equal(task_policy(t, &nodes), LOCAL);
	assert_int_equal(nodes, 0);
	assert_int_equal(smp(t, BIND, 6), 0);				/* cut to node 1 */
	assert_int_equal(task_policy(t, &nodes), BIND);
	assert_int_equal(nodes, 2);
	assert_int_equal(smp(t, BIND | MMLAB_MPOL_F_STATIC_NODES, 6), 0);	/* as given */
	assert_int_equal(task_policy(t, &nodes), BIND | MMLAB_MPOL_F_STATIC_NODES);
	assert_int_equal(nodes, 6);
	assert_int_equal(mmlab_set_mempolicy(t, LOCAL, NULL, 1000), 0);
	assert_int_equal(mmlab_set_mempolicy(NULL, LOCAL, NULL, 0), -EINVAL);
	assert_int_equal(mmlab_exit(p), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_two_nodes, teardown_machine)
	const struct CMUnitTest tests[] = {
		T(t_einval),
		T(t_efault),
		T(t_strict),
		T(t_strict_unmoved),
		T(t_bind_places),
		T(t_interleave),
		T(t_preferred_fallback),
		T(t_move_existing),
		T(t_thp),
		T(t_thp_move_pages),
		T(t_thp_mlocked),
		T(t_thp_pinned),
		T(t_thp_fallback_split),
		T(t_thp_target_fragmented),
		T(t_split_merge),
		T(t_fork_keeps_policy),
		T(t_swapin),
		T(t_move_while_writing),
		T(t_thp_move_while_writing),
		T(t_task_bind),
		T(t_task_interleave),
		T(t_task_fork_thread),
		T(t_task_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
