/*
 * sysfs.c - the knob table: every tunable the model has, by its kernel path
 * (/sys/kernel/mm/..., /proc/sys/vm/..., /sys/kernel/debug/...), parsed and
 * printed as the kernel does: integers within their range, choices printed
 * with the current one in brackets ("always [madvise] never"), read-only
 * values refused with -EACCES, a bad value with -EINVAL, an unknown path with
 * -ENOENT.  Mechanisms that exist only in the model live under
 * /sys/kernel/mm/mmlab/.  Defaults are this machine's kernel's.
 *
 * Knob values are read with READ_ONCE where they are used; a knob changes
 * the behaviour of operations that start after the write.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include "swap.h"

struct mm_knobs knobs;

/* KNOB_WO_STR: a write-only string whose write is an action (split_huge_pages).
 * KNOB_WO_INT: a write-only integer (mode 0200: reading it is EACCES even
 * for root) whose write is an action, k->write, which may refuse it */
enum knob_kind { KNOB_INT, KNOB_UINT, KNOB_CHOICE, KNOB_RO_U64, KNOB_BOOL, KNOB_ULONG,
		 KNOB_WO_INT, KNOB_WO_STR };

struct knob {
	char path[96];
	enum knob_kind kind;
	void *val;
	long min, max;			/* KNOB_CHOICE: max is a mask of the
					 * choices the model refuses (not modelled) */
	const char *const *choices;	/* KNOB_CHOICE: NULL-terminated */
	void (*changed)(void);
	int (*write)(long v);		/* KNOB_WO_INT */
	long (*write_str)(const char *s); /* KNOB_WO_STR: bytes taken or -errno */
	const char *format;		/* KNOB_WO_STR: what a write holds */
};

static const char *const thp_modes[] = { "always", "madvise", "never", NULL };
static const char *const thp_size_modes[] = { "always", "inherit", "madvise", "never", NULL };
static const char *const pt_scan_modes[] = { "always", "madvise", "never", NULL };
static const char *const pt_scan_lock_modes[] = { "locked", "lockless", NULL };
static const char *const pm_swap_modes[] = { "off", "marker", "lookup", NULL };
static const char *const shared_check_modes[] = { "maybe", "likely", "precise",
						  "always_true", "always_false", NULL };
static const char *const collapse_locking_modes[] = { "mmap_write", "pte_locks", NULL };
static const char *const collapse_fail_modes[] = { "none", "alloc", "revalidate", "isolate",
						   "lock", "pmd", NULL };
/* shmem THPs are not modelled: only the choices that keep them off are taken */
static const char *const shmem_thp_modes[] = { "always", "within_size", "advise", "never",
					       "deny", "force", NULL };
static const char *const shmem_size_modes[] = { "always", "inherit", "within_size", "advise",
						"never", NULL };
#define SHMEM_SIZE_REFUSED	((1 << 0) | (1 << 2) | (1 << 3))
static const char *const thp_defrag_modes[] = { "always", "defer", "defer+madvise",
						"madvise", "never", NULL };

/* demotion_enabled prints false/true and takes kstrtobool words */
static const char *const bool_words[] = { "false", "true", NULL };

static void stale_check_changed(void)
{
	hw_stale_check = READ_ONCE(knobs.stale_check) != 0;
}

/* fault_around_bytes_set: rounded down to a power of two, one page at least
 * (above PTRS_PER_PTE pages is refused by the range) */
static void fault_around_bytes_changed(void)
{
	unsigned long v = READ_ONCE(knobs.fault_around_bytes) >> PAGE_SHIFT, pages = 1;

	while (pages * 2 <= v)
		pages *= 2;
	WRITE_ONCE(knobs.fault_around_bytes, pages << PAGE_SHIFT);
}

#define TRANSPARENT "/sys/kernel/mm/transparent_hugepage/"
static struct knob knob_table[400];
static unsigned int nr_knobs;

static void knob_add(const char *path, enum knob_kind kind, void *val, long min,
		     long max, const char *const *choices, void (*changed)(void))
{
	struct knob *k = &knob_table[nr_knobs++];

	BUG_ON(nr_knobs > ARRAY_SIZE(knob_table));
	snprintf(k->path, sizeof(k->path), "%s", path);
	k->kind = kind;
	k->val = val;
	k->min = min;
	k->max = max;
	k->choices = choices;
	k->changed = changed;
}

/*
 * hugepages-<N>kB/stats/<name> (read-only) and shmem_enabled for every size
 * the kernel lists: 8 KiB (order 1: shmem and file folios only, so no anon
 * names and no `enabled`) to 2 MiB; and the model's per-order collapse
 * counters of mTHP collapse under /sys/kernel/mm/mmlab/mthp/.
 */
static uint64_t order1_stat[NR_MTHP_STAT];	/* no order-1 folio exists */
static uint64_t hpage_pmd_size = PMD_SIZE;

static void mthp_stats_add(const unsigned int *sizes_kb)
{
	static const char *const stat_names[NR_MTHP_STAT] = {
		[MTHP_STAT_ANON_FAULT_ALLOC] = "anon_fault_alloc",
		[MTHP_STAT_ANON_FAULT_FALLBACK] = "anon_fault_fallback",
		[MTHP_STAT_ANON_FAULT_FALLBACK_CHARGE] = "anon_fault_fallback_charge",
		[MTHP_STAT_NR_ANON] = "nr_anon",
		[MTHP_STAT_NR_ANON_PARTIALLY_MAPPED] = "nr_anon_partially_mapped",
		[MTHP_STAT_SHMEM_ALLOC] = "shmem_alloc",
		[MTHP_STAT_SHMEM_FALLBACK] = "shmem_fallback",
		[MTHP_STAT_SHMEM_FALLBACK_CHARGE] = "shmem_fallback_charge",
		[MTHP_STAT_SPLIT] = "split",
		[MTHP_STAT_SPLIT_DEFERRED] = "split_deferred",
		[MTHP_STAT_SPLIT_FAILED] = "split_failed",
		[MTHP_STAT_SWPIN] = "swpin",
		[MTHP_STAT_SWPIN_FALLBACK] = "swpin_fallback",
		[MTHP_STAT_SWPIN_FALLBACK_CHARGE] = "swpin_fallback_charge",
		[MTHP_STAT_SWPOUT] = "swpout",
		[MTHP_STAT_SWPOUT_FALLBACK] = "swpout_fallback",
		[MTHP_STAT_ZSWPOUT] = "zswpout",
		[MTHP_STAT_COLLAPSE_ALLOC] = "collapse_alloc",
		[MTHP_STAT_COLLAPSE_ALLOC_FAILED] = "collapse_alloc_failed",
	};
	char path[96];

	for (int i = -1; i < NR_THP_SIZES; i++) {
		unsigned int kb = i < 0 ? 8 : sizes_kb[i];
		uint64_t *stat = i < 0 ? order1_stat : mthp_stat[i];

		snprintf(path, sizeof(path), TRANSPARENT "hugepages-%ukB/shmem_enabled", kb);
		/* shmem THPs are PMD-sized only: other sizes refuse what
		 * would make one */
		knob_add(path, KNOB_CHOICE, &knobs.thp_size_shmem_enabled[i + 1], 0,
			 kb == HPAGE_PMD_NR * 4 ? 0 : SHMEM_SIZE_REFUSED, shmem_size_modes, NULL);
		for (int j = 0; j < NR_MTHP_STAT; j++) {
			bool anon_only = j == MTHP_STAT_ANON_FAULT_ALLOC ||
					 j == MTHP_STAT_ANON_FAULT_FALLBACK ||
					 j == MTHP_STAT_ANON_FAULT_FALLBACK_CHARGE ||
					 j == MTHP_STAT_NR_ANON ||
					 j == MTHP_STAT_NR_ANON_PARTIALLY_MAPPED ||
					 j == MTHP_STAT_SPLIT_DEFERRED;

			if (j == MTHP_STAT_COLLAPSE_ALLOC || j == MTHP_STAT_COLLAPSE_ALLOC_FAILED) {
				if (i < 0)
					continue;
				snprintf(path, sizeof(path), "/sys/kernel/mm/mmlab/mthp/hugepages-%ukB/%s",
					 kb, stat_names[j]);
			} else if (i < 0 && anon_only) {
				continue;
			} else {
				snprintf(path, sizeof(path), TRANSPARENT "hugepages-%ukB/stats/%s",
					 kb, stat_names[j]);
			}
			knob_add(path, KNOB_RO_U64, &stat[j], 0, 0, NULL, NULL);
		}
	}
}

int knobs_init(void)
{
	static const unsigned int sizes_kb[NR_THP_SIZES] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };

	memset(&knobs, 0, sizeof(knobs));
	knobs.tlb_single_page_flush_ceiling = 33;
	knobs.thp_enabled = THP_MADVISE;
	knobs.thp_defrag = 3;		/* madvise */
	for (int i = 0; i < NR_THP_SIZES; i++)
		knobs.thp_size_enabled[i] = sizes_kb[i] == 2048 ? THPS_INHERIT : THPS_NEVER;
	knobs.thp_use_zero_page = 1;
	knobs.thp_shrink_underused = 1;
	knobs.thp_shmem_enabled = 3;	/* never */
	for (int i = 0; i <= NR_THP_SIZES; i++)	/* 2 MiB inherits, as this host */
		knobs.thp_size_shmem_enabled[i] = i == NR_THP_SIZES ? 1 : 4;
	knobs.shared_check = SHARED_MAYBE;
	knobs.collapse_locking = COLLAPSE_MMAP_WRITE;
	knobs.mthp_collapse = 0;	/* 6.18: khugepaged collapses to the PMD order only */
	knobs.mthp_creep_guard = 1;
	knobs.per_vma_lock = 1;
	knobs.khugepaged_defrag = 1;
	knobs.khugepaged_max_ptes_none = 511;
	knobs.khugepaged_max_ptes_swap = 64;
	knobs.khugepaged_max_ptes_shared = 256;
	knobs.khugepaged_pages_to_scan = 4096;
	knobs.khugepaged_scan_sleep_millisecs = 10000;
	knobs.khugepaged_alloc_sleep_millisecs = 60000;
	knobs.swappiness = 60;
	knobs.min_free_kbytes = -1;	/* computed from memory size */
	knobs.watermark_scale_factor = 10;
	knobs.numa_scan_period_ms = 1000;
	knobs.numa_scan_period_max_ms = 60000;
	knobs.numa_hot_threshold_ms = 1000;
	knobs.numa_promote_rate_limit = 65536;
	knobs.pt_reclaim_zap = 1;
	knobs.batch_flush = 1;
	knobs.pt_reclaim_scan = PT_SCAN_NEVER;
	knobs.pt_reclaim_scan_delay_ms = 1000;
	knobs.pt_reclaim_scan_size = 1UL << 30;
	knobs.numa_scan_size_mb = 256;
	knobs.fault_around_bytes = 65536;
	knobs.read_ahead_kb = 128;	/* VM_READAHEAD_PAGES */

	nr_knobs = 0;
	knob_add("/sys/kernel/mm/mmlab/debug/skip_flush", KNOB_INT, &knobs.skip_flush, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/debug/skip_pmd_recheck", KNOB_INT, &knobs.skip_pmd_recheck,
		 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/debug/pmd_invalid_window", KNOB_UINT,
		 &knobs.pmd_invalid_window, 0, 1000000, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/debug/check_exclusive", KNOB_INT, &knobs.check_exclusive,
		 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/debug/stale_check", KNOB_INT, &knobs.stale_check, 0, 1, NULL,
		 stale_check_changed);
	knob_add("/sys/kernel/debug/x86/tlb_single_page_flush_ceiling", KNOB_UINT,
		 &knobs.tlb_single_page_flush_ceiling, 0, 1L << 30, NULL, NULL);
	knob_add("/sys/kernel/debug/fault_around_bytes", KNOB_ULONG, &knobs.fault_around_bytes,
		 0, (long)PTRS_PER_PTE * PAGE_SIZE, NULL, fault_around_bytes_changed);
	knob_add(TRANSPARENT "enabled", KNOB_CHOICE, &knobs.thp_enabled, 0, 0, thp_modes, NULL);
	knob_add(TRANSPARENT "defrag", KNOB_CHOICE, &knobs.thp_defrag, 0, 0, thp_defrag_modes, NULL);
	for (int i = 0; i < NR_THP_SIZES; i++) {
		char path[96];

		snprintf(path, sizeof(path), TRANSPARENT "hugepages-%ukB/enabled", sizes_kb[i]);
		knob_add(path, KNOB_CHOICE, &knobs.thp_size_enabled[i], 0, 0, thp_size_modes, NULL);
	}
	mthp_stats_add(sizes_kb);
	knob_add(TRANSPARENT "shmem_enabled", KNOB_CHOICE, &knobs.thp_shmem_enabled, 0, 0,
		 shmem_thp_modes, NULL);
	knob_add(TRANSPARENT "shrink_underused", KNOB_INT, &knobs.thp_shrink_underused, 0, 1,
		 NULL, NULL);
	knob_add(TRANSPARENT "hpage_pmd_size", KNOB_RO_U64, &hpage_pmd_size, 0, 0, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/shared_check", KNOB_CHOICE, &knobs.shared_check, 0, 0,
		 shared_check_modes, NULL);
	knob_add("/sys/kernel/mm/mmlab/collapse_locking", KNOB_CHOICE, &knobs.collapse_locking, 0, 0,
		 collapse_locking_modes, NULL);
	knob_add("/sys/kernel/mm/mmlab/khugepaged_wake_on_enter", KNOB_INT,
		 &knobs.khugepaged_wake_on_enter, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/per_vma_lock", KNOB_INT, &knobs.per_vma_lock, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/mthp_collapse", KNOB_INT, &knobs.mthp_collapse, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/mthp_collapse_creep_guard", KNOB_INT, &knobs.mthp_creep_guard,
		 0, 1, NULL, NULL);
	knob_add(TRANSPARENT "use_zero_page", KNOB_INT, &knobs.thp_use_zero_page, 0, 1, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/defrag", KNOB_INT, &knobs.khugepaged_defrag, 0, 1, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/max_ptes_none", KNOB_UINT, &knobs.khugepaged_max_ptes_none, 0, 511, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/max_ptes_swap", KNOB_UINT, &knobs.khugepaged_max_ptes_swap, 0, 511, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/max_ptes_shared", KNOB_UINT, &knobs.khugepaged_max_ptes_shared, 0, 511, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/pages_to_scan", KNOB_UINT, &knobs.khugepaged_pages_to_scan, 1, 1L << 31, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/scan_sleep_millisecs", KNOB_UINT, &knobs.khugepaged_scan_sleep_millisecs, 0, 1L << 31, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/alloc_sleep_millisecs", KNOB_UINT, &knobs.khugepaged_alloc_sleep_millisecs, 0, 1L << 31, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/full_scans", KNOB_RO_U64, &knobs.khugepaged_full_scans, 0, 0, NULL, NULL);
	knob_add(TRANSPARENT "khugepaged/pages_collapsed", KNOB_RO_U64, &knobs.khugepaged_pages_collapsed, 0, 0, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/luf/enabled", KNOB_INT, &knobs.luf_enabled, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/luf/unsafe_skip_munmap_flush", KNOB_INT,
		 &knobs.luf_unsafe_skip_munmap_flush, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/reclaim/batch_flush", KNOB_INT, &knobs.batch_flush, 0, 1, NULL, NULL);
	/* the model's one disk: its bdi's read_ahead_kb
	 * (/sys/dev/block/MAJ:MIN/bdi/read_ahead_kb) */
	knob_add("/sys/kernel/mm/mmlab/read_ahead_kb", KNOB_ULONG, &knobs.read_ahead_kb, 0,
		 1L << 20, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/soft_dirty", KNOB_INT, &knobs.soft_dirty, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/forbids_zeropage", KNOB_INT, &knobs.forbids_zeropage, 0, 1,
		 NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/shmem_pm_swap", KNOB_CHOICE, &knobs.shmem_pm_swap, 0, 0, pm_swap_modes, NULL);
	knob_add("/sys/kernel/mm/mmlab/pt_reclaim/zap", KNOB_INT, &knobs.pt_reclaim_zap, 0, 1, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/pt_reclaim/scan", KNOB_CHOICE, &knobs.pt_reclaim_scan, 0, 0, pt_scan_modes, NULL);
	knob_add("/sys/kernel/mm/mmlab/pt_reclaim/scan_mode", KNOB_CHOICE, &knobs.pt_reclaim_scan_mode, 0, 0, pt_scan_lock_modes, NULL);
	knob_add("/sys/kernel/mm/mmlab/pt_reclaim/scan_delay_ms", KNOB_UINT, &knobs.pt_reclaim_scan_delay_ms, 0, 1L << 30, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/pt_reclaim/scan_size", KNOB_ULONG, &knobs.pt_reclaim_scan_size, PMD_SIZE, 1L << 47, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/debug/swap_fail_write", KNOB_INT, &knobs.swap_fail_write, 0, 1 << 30, NULL, NULL);
	knob_add("/sys/kernel/mm/mmlab/debug/collapse_fail", KNOB_CHOICE, &knobs.collapse_fail, 0, 0,
		 collapse_fail_modes, NULL);
	knob_add("/sys/kernel/mm/mmlab/debug/swap_fail_read", KNOB_INT, &knobs.swap_fail_read, 0, 1 << 30, NULL, NULL);
	knob_add("/sys/kernel/mm/numa/demotion_enabled", KNOB_BOOL, &knobs.demotion_enabled, 0, 0, bool_words, NULL);
	knob_add("/proc/sys/kernel/numa_balancing", KNOB_INT, &knobs.numa_balancing, 0, 3, NULL,
		 numa_balancing_mode_changed);
	knob_add("/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", KNOB_UINT, &knobs.numa_scan_period_ms, 1, 1L << 30, NULL, NULL);
	knob_add("/sys/kernel/debug/sched/numa_balancing/scan_period_max_ms", KNOB_UINT, &knobs.numa_scan_period_max_ms, 1, 1L << 30, NULL, NULL);
	knob_add("/sys/kernel/debug/sched/numa_balancing/hot_threshold_ms", KNOB_UINT, &knobs.numa_hot_threshold_ms, 0, 1L << 30, NULL, NULL);
	knob_add("/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps", KNOB_UINT, &knobs.numa_promote_rate_limit, 0, INT_MAX, NULL, NULL);
	knob_add("/sys/kernel/debug/sched/numa_balancing/scan_size_mb", KNOB_UINT, &knobs.numa_scan_size_mb, 1, 1L << 20, NULL, NULL);
	knob_add("/proc/sys/vm/swappiness", KNOB_INT, &knobs.swappiness, 0, 200, NULL, NULL);
	knob_add("/proc/sys/vm/watermark_scale_factor", KNOB_INT, &knobs.watermark_scale_factor, 1, 3000, NULL, NULL);
	knob_add("/proc/sys/vm/drop_caches", KNOB_WO_INT, NULL, 1, 4, NULL, NULL);
	knob_table[nr_knobs - 1].write = drop_caches_sysctl_handler;
	knob_add("/sys/kernel/debug/split_huge_pages", KNOB_WO_STR, NULL, 0, 0, NULL, NULL);
	knob_table[nr_knobs - 1].write_str = split_huge_pages_write;
	knob_table[nr_knobs - 1].format = "pid,0xstart,0xend[,new_order]";
	/* the root memory cgroup's proactive reclaim (cgroup v2) */
	knob_add("/sys/fs/cgroup/memory.reclaim", KNOB_WO_STR, NULL, 0, 0, NULL, NULL);
	knob_table[nr_knobs - 1].write_str = user_proactive_reclaim;
	knob_table[nr_knobs - 1].format = "SIZE[K|M|G] [swappiness=N|max]";
	return 0;
}

static struct knob *knob_find(const char *path)
{
	for (unsigned int i = 0; path && i < nr_knobs; i++)
		if (!strcmp(knob_table[i].path, path))
			return &knob_table[i];
	return NULL;
}

/* kstrtol-like: an integer, one trailing newline allowed. */
static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))	/* kstrto* takes no blanks */
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* sysfs_streq: equal but for one trailing newline on either side. */
static bool sysfs_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	if (*a == *b)
		return true;
	if (*a == '\n' && a[1] == 0 && !*b)
		return true;
	return !*a && *b == '\n' && b[1] == 0;
}

int mmlab_knob_set(const char *path, const char *value)
{
	struct knob *k = knob_find(path);
	long v;

	if (!k)
		return -ENOENT;
	if (!value)
		return -EINVAL;
	switch (k->kind) {
	case KNOB_RO_U64:
		return -EACCES;
	case KNOB_CHOICE:
		for (int i = 0; k->choices[i]; i++) {
			if (sysfs_streq(value, k->choices[i])) {
				if (k->max & (1L << i))
					return -EOPNOTSUPP;
				WRITE_ONCE(*(int *)k->val, i);
				goto done;
			}
		}
		return -EINVAL;
	case KNOB_BOOL: {
		/* kstrtobool: 1/y/Y/t/T/on and 0/n/N/f/F/off */
		const char c = value[0];

		if (strchr("1yYtT", c) && c)
			v = 1;
		else if (strchr("0nNfF", c) && c)
			v = 0;
		else if (!strncmp(value, "on", 2))
			v = 1;
		else if (!strncmp(value, "of", 2))
			v = 0;
		else
			return -EINVAL;
		WRITE_ONCE(*(int *)k->val, (int)v);
		break;
	}
	case KNOB_INT:
	case KNOB_UINT:
		if (parse_long(value, &v) || v < k->min || v > k->max)
			return -EINVAL;
		if (k->kind == KNOB_INT)
			WRITE_ONCE(*(int *)k->val, (int)v);
		else
			WRITE_ONCE(*(unsigned int *)k->val, (unsigned int)v);
		break;
	case KNOB_ULONG:
		if (parse_long(value, &v) || v < k->min || v > k->max)
			return -EINVAL;
		WRITE_ONCE(*(unsigned long *)k->val, (unsigned long)v);
		break;
	case KNOB_WO_INT:
		if (parse_long(value, &v) || v < k->min || v > k->max)
			return -EINVAL;
		return k->write(v);
	case KNOB_WO_STR: {
		long n = k->write_str(value);

		return n < 0 ? (int)n : 0;
	}
	}
done:
	if (k->changed)
		k->changed();
	return 0;
}

/* The knob of @path for a call that prints into @buf: 0 or -errno. */
static int knob_for_output(const char *path, char *buf, size_t len, struct knob **k)
{
	*k = knob_find(path);
	if (!*k)
		return -ENOENT;
	if (!buf || !len)
		return -EINVAL;
	buf[0] = 0;
	return 0;
}

int mmlab_knob_get(const char *path, char *buf, size_t len)
{
	struct knob *k;
	size_t o = 0;
	int ret = knob_for_output(path, buf, len, &k);

	if (ret)
		return ret;
	switch (k->kind) {
	case KNOB_WO_INT:
	case KNOB_WO_STR:
		return -EACCES;
	case KNOB_INT:
		snprintf(buf, len, "%d", READ_ONCE(*(int *)k->val));
		break;
	case KNOB_UINT:
		snprintf(buf, len, "%u", READ_ONCE(*(unsigned int *)k->val));
		break;
	case KNOB_RO_U64:
		snprintf(buf, len, "%lu", (unsigned long)READ_ONCE(*(uint64_t *)k->val));
		break;
	case KNOB_BOOL:
		snprintf(buf, len, "%s", READ_ONCE(*(int *)k->val) ? "true" : "false");
		break;
	case KNOB_ULONG:
		snprintf(buf, len, "%lu", READ_ONCE(*(unsigned long *)k->val));
		break;
	case KNOB_CHOICE:
		for (int i = 0; k->choices[i] && o < len; i++) {
			bool cur = READ_ONCE(*(int *)k->val) == i;

			o += snprintf(buf + o, len - o, "%s%s%s%s", i ? " " : "",
				      cur ? "[" : "", k->choices[i], cur ? "]" : "");
		}
		break;
	}
	return 0;
}

bool knob_is_read_only(const char *path)
{
	struct knob *k = knob_find(path);

	return k && k->kind == KNOB_RO_U64;
}

const char *mmlab_knob_name(unsigned int i)
{
	return i < nr_knobs ? knob_table[i].path : NULL;
}

/* The values knob @k takes, in words: "always, madvise, never", "0 or 1",
 * "an integer from 0 to 511", "read-only". */
static void describe_accepted(const struct knob *k, char *buf, size_t len)
{
	size_t o = 0;

	if (k->kind == KNOB_RO_U64) {
		snprintf(buf, len, "read-only");
	} else if (k->kind == KNOB_BOOL) {
		snprintf(buf, len, "true or false (also 1/0, y/n, on/off)");
	} else if (k->kind == KNOB_CHOICE) {
		for (int i = 0; k->choices[i] && o < len; i++)
			if (!(k->max & (1L << i)))
				o += snprintf(buf + o, len - o, "%s%s", o ? ", " : "",
					      k->choices[i]);
	} else if (k->kind == KNOB_WO_STR) {
		snprintf(buf, len, "write-only: \"%s\"", k->format);
	} else if (k->kind == KNOB_WO_INT) {
		snprintf(buf, len, "write-only: an integer from %ld to %ld", k->min, k->max);
	} else if (k->min == 0 && k->max == 1) {
		snprintf(buf, len, "0 or 1");
	} else {
		snprintf(buf, len, "an integer from %ld to %ld", k->min, k->max);
	}
}

int mmlab_knob_accepts(const char *path, char *buf, size_t len)
{
	struct knob *k;
	int ret = knob_for_output(path, buf, len, &k);

	if (!ret)
		describe_accepted(k, buf, len);
	return ret;
}

/* MMLAB_SET="path=value;path=value": applied at machine creation. */
int knobs_apply_env(void)
{
	const char *env = getenv("MMLAB_SET");
	char *copy, *save = NULL;
	int ret = 0;

	if (!env || !*env)
		return 0;
	copy = strdup(env);
	if (!copy)
		return -ENOMEM;
	for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(item, '=');

		if (!*item)
			continue;
		if (!eq) {
			fprintf(stderr, "MMLAB_SET: '%s': expected path=value\n", item);
			ret = -EINVAL;
			break;
		}
		*eq = 0;
		ret = mmlab_knob_set(item, eq + 1);
		if (ret) {
			fprintf(stderr, "MMLAB_SET: %s=%s: %s\n", item, eq + 1,
				ret == -ENOENT ? "no such knob" :
				ret == -EACCES ? "read-only" : "invalid value");
			break;
		}
	}
	free(copy);
	return ret;
}
