/*
 * test_mlock.c - memory locks and the heap: mlock, mlock2 (ONFAULT),
 * munlock, mlockall, MAP_LOCKED, RLIMIT_MEMLOCK, the unevictable LRU,
 * brk, and the status peaks (VmLck, VmHWM, VmPeak).
 *
 * Differential cases (the host kernel in a forked child, then the model):
 * populating and splitting, errors and limits, advice refused on a locked
 * VMA, fork.  Model cases: the unevictable LRU's counters (nr_mlock,
 * nr_unevictable) through mlock, munlock, munmap, fork and THPs; reclaim
 * under memory pressure leaves locked pages alone; brk's rules.
 * Concurrency: mlock and munlock on one CPU while another process drives
 * reclaim on another; a locked page is never found swapped out.
 */
#include <pthread.h>
#include "harness.h"
#include "markers_be.h"

#define A	DIFF_BASE
#define N	16

static int present_pages(struct be *b, uint64_t addr, int n)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += (be_pm(b, addr + (uint64_t)i * PG) & MMLAB_PM_PRESENT) != 0;
	return c;
}

static uint64_t vmlck(struct be *b)
{
	struct mmlab_status st;

	assert_int_equal(be_status(b, &st), 0);
	return st.VmLck;
}

/* mlock populates and splits; munlock merges back and keeps the pages;
 * ONFAULT locks without populating. */
static void lock_populate(struct be *b)
{
	struct mmlab_smaps sm;

	EXPECT(b, "mmap", be_map_anon(b, A, N * PG), 0);
	EXPECT(b, "mlock [4,12)", be_mlock(b, A + 4 * PG, 8 * PG, 0), 0);
	EXPECT(b, "three VMAs", be_vmas(b, A, A + N * PG, NULL, 0), 3);
	EXPECT(b, "present in the locked part", present_pages(b, A + 4 * PG, 8), 8);
	EXPECT(b, "none below it", present_pages(b, A, 4), 0);
	EXPECT(b, "VmLck", vmlck(b), 8 * PG / KiB);
	EXPECT(b, "smaps", be_smaps(b, A + 4 * PG, &sm), 0);
	EXPECT(b, "  lo", vmflag(sm.flags, "lo"), 1);
	EXPECT(b, "  lf", vmflag(sm.flags, "lf"), 0);
	EXPECT(b, "  Locked", sm.Locked, 8 * PG / KiB);
	EXPECT(b, "mlock again (no change)", be_mlock(b, A + 4 * PG, 8 * PG, 0), 0);
	EXPECT(b, "VmLck unchanged", vmlck(b), 8 * PG / KiB);
	EXPECT(b, "munlock all", be_munlock(b, A, N * PG), 0);
	EXPECT(b, "one VMA again", be_vmas(b, A, A + N * PG, NULL, 0), 1);
	EXPECT(b, "still present", present_pages(b, A + 4 * PG, 8), 8);
	EXPECT(b, "VmLck 0", vmlck(b), 0);
	EXPECT(b, "onfault", be_mlock(b, A, N * PG, MMLAB_MLOCK_ONFAULT), 0);
	EXPECT(b, "smaps", be_smaps(b, A, &sm), 0);
	EXPECT(b, "  lo", vmflag(sm.flags, "lo"), 1);
	EXPECT(b, "  lf", vmflag(sm.flags, "lf"), 1);
	EXPECT(b, "  Locked: the present pages", sm.Locked, 8 * PG / KiB);
	EXPECT(b, "nothing populated", present_pages(b, A, 4), 0);
	EXPECT(b, "VmLck counts the VMA", vmlck(b), N * PG / KiB);
	EXPECT(b, "touch", be_put(b, A, 1), 0);
	EXPECT(b, "smaps", be_smaps(b, A, &sm), 0);
	EXPECT(b, "  Locked grows", sm.Locked, 9 * PG / KiB);
	EXPECT(b, "munmap", be_munmap(b, A, N * PG), 0);
	EXPECT(b, "VmLck after munmap", vmlck(b), 0);
}
DIFF_TEST(lock_populate)

/* The errors, in the kernel's order of checks. */
static void lock_errors(struct be *b)
{
	uint64_t at;

	EXPECT(b, "mmap", be_map_anon(b, A, 8 * PG), 0);
	EXPECT(b, "mmap above a hole", be_map_anon(b, A + 10 * PG, 4 * PG), 0);
	EXPECT(b, "mlock2 bad flag", be_mlock(b, A, PG, 2), -EINVAL);
	EXPECT(b, "wraps", be_mlock(b, -PG, 2 * PG, 0), -EINVAL);
	EXPECT(b, "length 0", be_mlock(b, A, 0, 0), 0);
	EXPECT(b, "starts in a hole", be_mlock(b, A + 8 * PG, PG, 0), -ENOMEM);
	EXPECT(b, "hole inside", be_mlock(b, A + 6 * PG, 6 * PG, 0), -ENOMEM);
	EXPECT(b, "  what came before is locked", vmlck(b), 2 * PG / KiB);
	EXPECT(b, "munlock over the hole", be_munlock(b, A, 12 * PG), -ENOMEM);
	EXPECT(b, "  unlocked before it", vmlck(b), 0);
	EXPECT(b, "mprotect none", be_mprotect(b, A + 10 * PG, 4 * PG, PROT_NONE), 0);
	EXPECT(b, "PROT_NONE: populate fails", be_mlock(b, A + 10 * PG, 4 * PG, 0), -ENOMEM);
	EXPECT(b, "  but it is locked", vmlck(b), 4 * PG / KiB);
	EXPECT(b, "munlock", be_munlock(b, A + 10 * PG, 4 * PG), 0);
	EXPECT(b, "limit 4 pages", be_memlock_limit(b, 4 * PG), 0);
	EXPECT(b, "within", be_mlock(b, A, 4 * PG, 0), 0);
	EXPECT(b, "over", be_mlock(b, A + 4 * PG, PG, 0), -ENOMEM);
	EXPECT(b, "the locked part is not counted twice", be_mlock(b, A, 4 * PG, 0), 0);
	EXPECT(b, "MAP_LOCKED over", be_mmap(b, A + 20 * PG, PG, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED,
					     -1, 0, &at), -EAGAIN);
	EXPECT(b, "limit 0", be_memlock_limit(b, 0), 0);
	EXPECT(b, "EPERM", be_mlock(b, A, PG, 0), -EPERM);
	EXPECT(b, "flags first", be_mlock(b, A, PG, 2), -EINVAL);
	EXPECT(b, "munlock is allowed", be_munlock(b, A, 8 * PG), 0);
	EXPECT(b, "limit back", be_memlock_limit(b, 8 * MiB), 0);
	EXPECT(b, "munmap", be_munmap(b, A, 14 * PG), 0);
}
DIFF_TEST(lock_errors)

/* Advice that drops or reclaims pages refuses a locked VMA. */
static void lock_advice(struct be *b)
{
	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "mlock", be_mlock(b, A, 4 * PG, 0), 0);
	EXPECT(b, "DONTNEED", be_madvise(b, A, PG, MADV_DONTNEED), -EINVAL);
	EXPECT(b, "FREE", be_madvise(b, A, PG, MADV_FREE), -EINVAL);
	EXPECT(b, "COLD", be_madvise(b, A, PG, MADV_COLD), -EINVAL);
	EXPECT(b, "PAGEOUT", be_madvise(b, A, PG, MADV_PAGEOUT), -EINVAL);
	EXPECT(b, "GUARD_INSTALL", be_madvise(b, A, PG, MADV_GUARD_INSTALL), -EINVAL);
	EXPECT(b, "GUARD_REMOVE", be_madvise(b, A, PG, MADV_GUARD_REMOVE), 0);
	EXPECT(b, "all present", present_pages(b, A, 4), 4);
	EXPECT(b, "DONTNEED_LOCKED", be_madvise(b, A, PG, MADV_DONTNEED_LOCKED), 0);
	EXPECT(b, "  zapped", present_pages(b, A, 4), 3);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
}
DIFF_TEST(lock_advice)

static void fork_child(struct be *c)
{
	struct mmlab_smaps sm;

	EXPECT(c, "child: smaps", be_smaps(c, A, &sm), 0);
	EXPECT(c, "child: not lo", vmflag(sm.flags, "lo"), 0);
	EXPECT(c, "child: Locked", sm.Locked, 0);
	EXPECT(c, "child: VmLck", vmlck(c), 0);
	EXPECT(c, "child: may munlock", be_munlock(c, A, 4 * PG), 0);
}

/* A fork child does not inherit the lock. */
static void lock_fork(struct be *b)
{
	EXPECT(b, "mmap", be_map_anon(b, A, 4 * PG), 0);
	EXPECT(b, "mlock", be_mlock(b, A, 4 * PG, 0), 0);
	be_fork(b, fork_child);
	EXPECT(b, "parent: VmLck", vmlck(b), 4 * PG / KiB);
	EXPECT(b, "munmap", be_munmap(b, A, 4 * PG), 0);
}
DIFF_TEST(lock_fork)

/* ---- model only ---- */

static uint64_t settled(const char *name, uint64_t want)
{
	mmlab_quiesce();
	return vmstat_settle(name, want);
}

/* nr_mlock and nr_unevictable through mlock, munlock, fork and munmap. */
static void t_unevictable_counters(void **state)
{
	struct mmlab_proc *p = spawn(), *c = NULL;
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 64 * PG, PROT_READ | PROT_WRITE, 0);
	uint64_t m0 = vmstat("nr_mlock"), u0 = vmstat("nr_unevictable");

	(void)state;
	assert_int_equal(mmlab_mlock(t, a, 32 * PG, 0), 0);
	assert_int_equal(settled("nr_mlock", m0 + 32), m0 + 32);
	assert_int_equal(settled("nr_unevictable", u0 + 32), u0 + 32);
	/* touched afterwards: the fault mlocks a new page at once */
	assert_int_equal(mmlab_mlock(t, a + 32 * PG, 8 * PG, MMLAB_MLOCK_ONFAULT), 0);
	assert_int_equal(settled("nr_mlock", m0 + 32), m0 + 32);
	assert_int_equal(mmlab_touch(t, a + 32 * PG, 2 * PG, true, NULL), 0);
	assert_int_equal(settled("nr_mlock", m0 + 34), m0 + 34);
	/* the child shares the pages; its exit leaves them locked */
	assert_int_equal(mmlab_fork(p, &c), 0);
	assert_int_equal(mmlab_exit(c), 0);
	assert_int_equal(settled("nr_mlock", m0 + 34), m0 + 34);
	/* munlock of a part; munmap of the rest frees mlocked pages */
	assert_int_equal(mmlab_munlock(t, a, 16 * PG), 0);
	assert_int_equal(settled("nr_mlock", m0 + 18), m0 + 18);
	assert_int_equal(settled("nr_unevictable", u0 + 18), u0 + 18);
	assert_int_equal(mmlab_munmap(t, a, 64 * PG), 0);
	assert_int_equal(settled("nr_mlock", m0), m0);
	assert_int_equal(settled("nr_unevictable", u0), u0);
	assert_true(vmstat("unevictable_pgs_mlocked") >= 34);
	assert_true(vmstat("unevictable_pgs_munlocked") >= 34);
	mmlab_exit(p);
}

/* A THP faulted into a locked VMA is mlocked whole; munlock of half of it
 * splits the PMD and munlocks the folio (reclaim would restore it). */
static void t_locked_thp(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t a = map_anon(p, 0, 4 * MiB, PROT_READ | PROT_WRITE, 0);
	uint64_t h = (a + 2 * MiB - 1) & ~(2 * MiB - 1), m0 = vmstat("nr_mlock");

	(void)state;
	assert_int_equal(mmlab_madvise(t, h, 2 * MiB, MADV_HUGEPAGE), 0);
	assert_int_equal(mmlab_mlock(t, h, 2 * MiB, 0), 0);
	assert_int_equal(vmstat("nr_anon_transparent_hugepages") >= 1, 1);
	assert_int_equal(settled("nr_mlock", m0 + 512), m0 + 512);
	assert_int_equal(mmlab_munlock(t, h, MiB), 0);
	assert_int_equal(settled("nr_mlock", m0), m0);
	mmlab_exit(p);
}

/* A machine of @mib MiB on @cpus CPUs with 64 MiB of swap. */
static void swap_machine(unsigned int cpus, uint64_t mib)
{
	struct mmlab_config cfg;

	machine_config(&cfg);
	cfg.nr_cpus = cpus;
	cfg.node_bytes[0] = mib * MiB;
	machine_up_cfg(&cfg);
	assert_int_equal(mmlab_swapon(64 * MiB), 0);
}

/* Another process touches 40 MiB: more than the machine has. */
static struct mmlab_proc *squeeze(void)
{
	struct mmlab_proc *q = spawn();
	uint64_t big = map_anon(q, 0, 40 * MiB, PROT_READ | PROT_WRITE, 0);

	assert_int_equal(mmlab_touch(mmlab_main_task(q), big, 40 * MiB, true, NULL), 0);
	assert_true(vmstat("pswpout") > 0);
	return q;
}

/* Memory pressure: reclaim swaps out the unlocked pages, never a locked
 * one (and keeps them on the unevictable list). */
static void t_reclaim_skips_locked(void **state)
{
	struct mmlab_proc *p, *q;
	struct mmlab_task *t;
	uint64_t a, out = 0;
	int locked_present = 0;

	(void)state;
	swap_machine(4, 32);
	p = spawn();
	t = mmlab_main_task(p);
	a = map_anon(p, 0, 2 * MiB, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_fill(t, a, 2 * MiB, 5, NULL), 0);
	assert_int_equal(mmlab_mlock(t, a, MiB, 0), 0);
	q = squeeze();
	for (uint64_t i = 0; i < MiB / PG; i++)
		locked_present += (pm1(p, a + i * PG) & MMLAB_PM_PRESENT) != 0;
	assert_int_equal(locked_present, MiB / PG);
	/* the unlocked half went to swap, at least in part */
	assert_true(pm1(p, a + MiB) & MMLAB_PM_SWAP || pm1(p, a + 2 * MiB - PG) & MMLAB_PM_SWAP ||
		    vmstat("pswpout") >= MiB / PG);
	assert_int_equal(mmlab_verify(t, a, 2 * MiB, 5, &out, NULL), 0);
	assert_int_equal(out, UINT64_MAX);
	mmlab_exit(q);
	mmlab_exit(p);
	machine_down();
}

/*
 * The second line of defence: a THP locked whole, then munlocked in half,
 * is munlocked entirely (munlock cannot tell that the other half is still
 * locked) and goes back to the evictable LRU.  Reclaim finds it there and
 * sees the VM_LOCKED mapping (folio_referenced): it keeps the folio (it
 * would mlock it again if the VMA mapped all of it): the locked half never
 * leaves memory.
 */
static void t_reclaim_keeps_partly_locked(void **state)
{
	struct mmlab_proc *p, *q;
	struct mmlab_task *t;
	uint64_t a, h, m0;
	int present = 0;

	(void)state;
	swap_machine(4, 32);
	p = spawn();
	t = mmlab_main_task(p);
	a = map_anon(p, 0, 4 * MiB, PROT_READ | PROT_WRITE, 0);
	h = (a + 2 * MiB - 1) & ~(2 * MiB - 1);
	m0 = vmstat("nr_mlock");
	assert_int_equal(mmlab_madvise(t, h, 2 * MiB, MADV_HUGEPAGE), 0);
	assert_int_equal(mmlab_mlock(t, h, 2 * MiB, 0), 0);
	assert_int_equal(mmlab_munlock(t, h, MiB), 0);
	assert_int_equal(settled("nr_mlock", m0), m0);
	q = squeeze();
	for (uint64_t i = 0; i < MiB / PG; i++)
		present += (pm1(p, h + MiB + i * PG) & MMLAB_PM_PRESENT) != 0;
	assert_int_equal(present, MiB / PG);
	/* not mlocked again (this VMA maps only half of it), but kept */
	assert_int_equal(settled("nr_mlock", m0), m0);
	mmlab_exit(q);
	mmlab_exit(p);
	machine_down();
}

/* Out of memory while populating (nothing can be reclaimed: no swap, and
 * what is there is locked) is EAGAIN; the VMA stays locked. */
static void t_mlock_oom(void **state)
{
	struct mmlab_config cfg;
	struct mmlab_proc *p;
	struct mmlab_task *t;
	struct mmlab_smaps sm;
	uint64_t a;

	(void)state;
	machine_config(&cfg);
	cfg.node_bytes[0] = 16 * MiB;
	machine_up_cfg(&cfg);
	p = spawn();
	t = mmlab_main_task(p);
	assert_int_equal(mmlab_setcap(p, MMLAB_CAP_IPC_LOCK, true), 0);
	a = map_anon(p, 0, 32 * MiB, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	assert_int_equal(mmlab_mlock(t, a, 32 * MiB, 0), -EAGAIN);
	assert_int_equal(mmlab_smaps(p, a, &sm), 0);
	assert_true(strstr(sm.flags, "lo") != NULL);
	assert_true(sm.Rss > 0 && sm.Rss < 16 * 1024);
	assert_int_equal(mmlab_munlock(t, a, 32 * MiB), 0);
	mmlab_exit(p);
	machine_down();
}

/* brk on the model: the layout and every refusal. */
static void t_brk(void **state)
{
	struct mmlab_proc *p = spawn();
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t b0, b, x;
	struct mmlab_status st;

	(void)state;
	assert_int_equal(mmlab_brk(t, 0, &b0), 0);
	assert_int_equal(b0, 0x555555559000ULL);
	assert_int_equal(mmlab_vma_count(p), 1);		/* the stack */
	assert_int_equal(mmlab_brk(t, b0 + 3 * PG + 5, &b), 0);
	assert_int_equal(b, b0 + 3 * PG + 5);
	assert_int_equal(mmlab_vma_count(p), 2);
	assert_int_equal(mmlab_touch(t, b0, 4 * PG, true, NULL), 0);
	assert_int_equal(mmlab_touch(t, b0 + 4 * PG, 1, false, NULL), MMLAB_SIGSEGV);
	assert_int_equal(mmlab_brk(t, b0 - 1, &b), 0);
	assert_int_equal(b, b0 + 3 * PG + 5);			/* below the start */
	assert_int_equal(mmlab_brk(t, TASK_SIZE_47 + PG, &b), 0);
	assert_int_equal(b, b0 + 3 * PG + 5);			/* past the top */
	/* a mapping above: one free page must stay */
	map_anon(p, b0 + 8 * PG, PG, PROT_READ, 0);
	assert_int_equal(mmlab_brk(t, b0 + 7 * PG + 1, &b), 0);
	assert_int_equal(b, b0 + 3 * PG + 5);
	assert_int_equal(mmlab_brk(t, b0 + 7 * PG, &b), 0);
	assert_int_equal(b, b0 + 7 * PG);
	assert_int_equal(mmlab_vma_count(p), 3);		/* merged in place */
	/* shrinking unmaps, and RSS and VmSize fall; the peaks stay */
	assert_int_equal(mmlab_status(p, &st), 0);
	x = st.VmSize;
	assert_int_equal(mmlab_brk(t, b0, &b), 0);
	assert_int_equal(b, b0);
	assert_int_equal(mmlab_status(p, &st), 0);
	assert_int_equal(st.VmSize, x - 7 * PG / KiB);
	assert_int_equal(st.VmPeak, x);
	assert_true(st.VmHWM >= st.VmRSS + 4 * PG / KiB);
	/* nothing above the start to shrink: refused */
	assert_int_equal(mmlab_brk(t, b0 + 2 * PG, &b), 0);
	assert_int_equal(mmlab_brk(t, b0 + PG, &b), 0);
	assert_int_equal(b, b0 + PG);				/* same page */
	/* MCL_FUTURE: populated and locked */
	assert_int_equal(mmlab_mlockall(t, MMLAB_MCL_FUTURE), 0);
	assert_int_equal(mmlab_brk(t, b0 + 4 * PG, &b), 0);
	assert_int_equal(b, b0 + 4 * PG);
	assert_true(pm1(p, b0 + 3 * PG) & MMLAB_PM_PRESENT);
	assert_int_equal(mmlab_status(p, &st), 0);
	assert_int_equal(st.VmLck, 3 * PG / KiB);		/* [1, 4): the new part */
	mmlab_exit(p);
}

/* ---- concurrency: mlock against reclaim ---- */

struct pressure {
	struct mmlab_proc *q;
	uint64_t big, len;
	volatile int stop;
};

static void *pressure_main(void *arg)
{
	struct pressure *pr = arg;
	struct mmlab_task *t = task_on(pr->q, 1);

	while (!__atomic_load_n(&pr->stop, __ATOMIC_ACQUIRE)) {
		assert_int_equal(mmlab_touch(t, pr->big, pr->len, true, NULL), 0);
		assert_int_equal(mmlab_madvise(t, pr->big, pr->len / 2, MADV_DONTNEED), 0);
	}
	return NULL;
}

/* While another process on CPU 1 keeps reclaim busy, CPU 0 locks and
 * unlocks a range over and over: right after each mlock every page is
 * present (reclaim may have swapped it out before; mlock brought it
 * back; nothing takes it while it is locked), and the data survives. */
static void t_mlock_vs_reclaim(void **state)
{
	struct pressure pr = { 0 };
	struct mmlab_proc *p;
	struct mmlab_task *t;
	pthread_t th;
	uint64_t a, out = 0, len = 2 * MiB, m0;
	double end;
	int rounds = 0, reclaimed = 0;

	(void)state;
	swap_machine(2, 24);
	p = spawn();
	t = mmlab_main_task(p);
	a = map_anon(p, 0, len, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_fill(t, a, len, 11, NULL), 0);
	m0 = vmstat("nr_mlock");
	pr.q = spawn();
	pr.len = 24 * MiB;
	pr.big = map_anon(pr.q, 0, pr.len, PROT_READ | PROT_WRITE, 0);
	assert_int_equal(mmlab_thread_create(&th, pressure_main, &pr), 0);
	end = now_s() + 3;
	/* on a slow (loaded, TSan) host: go on until reclaim was seen, up to 30 s
	 * more */
	while ((now_s() < end || rounds < 4 || !reclaimed) && now_s() < end + 30) {
		int present = 0;

		assert_int_equal(mmlab_mlock(t, a, len, 0), 0);
		for (uint64_t i = 0; i < len / PG; i += 7)
			present += (pm1(p, a + i * PG) & MMLAB_PM_PRESENT) != 0;
		assert_int_equal(present, (int)((len / PG + 6) / 7));
		assert_int_equal(mmlab_munlock(t, a, len), 0);
		/* now and then let reclaim reach the unlocked range */
		if (!(++rounds % 8)) {
			double until = now_s() + 0.05;
			bool swapped = false;

			while (!swapped && now_s() < until)
				for (uint64_t i = 0; i < len / PG && !swapped; i += 7)
					swapped = pm1(p, a + i * PG) & MMLAB_PM_SWAP;
			reclaimed += swapped;
		}
	}
	__atomic_store_n(&pr.stop, 1, __ATOMIC_RELEASE);
	mmlab_thread_join(th);
	assert_int_equal(mmlab_verify(t, a, len, 11, &out, NULL), 0);
	assert_int_equal(out, UINT64_MAX);
	assert_int_equal(settled("nr_mlock", m0), m0);
	assert_int_equal(mmlab_mlock(t, a, len, 0), 0);
	assert_int_equal(settled("nr_mlock", m0 + len / PG), m0 + len / PG);
	print_message("  %d mlock rounds, %d after reclaim reached the range\n", rounds, reclaimed);
	assert_true(reclaimed > 0);
	mmlab_exit(pr.q);
	mmlab_exit(p);
	machine_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_lock_populate),
		cmocka_unit_test(t_lock_errors),
		cmocka_unit_test(t_lock_advice),
		cmocka_unit_test(t_lock_fork),
		cmocka_unit_test_setup_teardown(t_unevictable_counters, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_locked_thp, setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(t_brk, setup_machine, teardown_machine),
		cmocka_unit_test(t_reclaim_skips_locked),
		cmocka_unit_test(t_reclaim_keeps_partly_locked),
		cmocka_unit_test(t_mlock_oom),
		cmocka_unit_test(t_mlock_vs_reclaim),
	};

	return tests_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
