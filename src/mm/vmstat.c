/*
 * vmstat.c - the /proc/vmstat counters the model keeps, by kernel name.
 * Counters are machine-wide atomics (the kernel sums per-CPU deltas; the sum
 * is what a reader sees either way).
 */
#include "internal.h"

int64_t vm_stat[NR_VM_ITEMS];

static const char *const vmstat_text[NR_VM_ITEMS] = {
	[NR_FREE_PAGES] = "nr_free_pages",
	[NR_ANON_MAPPED] = "nr_anon_pages",
	[NR_FILE_MAPPED] = "nr_mapped",
	[NR_SHMEM] = "nr_shmem",
	[NR_PAGETABLE] = "nr_page_table_pages",
	[PGFAULT] = "pgfault",
	[PGMAJFAULT] = "pgmajfault",
	[PGALLOC_NORMAL] = "pgalloc_normal",
	[PGFREE] = "pgfree",
	[NR_TLB_REMOTE_FLUSH] = "nr_tlb_remote_flush",
	[NR_TLB_REMOTE_FLUSH_RECEIVED] = "nr_tlb_remote_flush_received",
	[NR_TLB_LOCAL_FLUSH_ALL] = "nr_tlb_local_flush_all",
	[NR_TLB_LOCAL_FLUSH_ONE] = "nr_tlb_local_flush_one",
	[STALE_TLB_REPORTS] = "stale_tlb_reports",
	[MMLAB_TLB_HITS] = "mmlab_tlb_hits",
	[MMLAB_TLB_MISSES] = "mmlab_tlb_misses",
	[MMLAB_PAGE_WALKS] = "mmlab_page_walks",
	[MMLAB_TLB_L1_HITS] = "mmlab_tlb_l1_hits",
	[MMLAB_TLB_L2_HITS] = "mmlab_tlb_l2_hits",
	[MMLAB_COW_COPIES] = "mmlab_cow_copies",
	[MMLAB_COW_REUSES] = "mmlab_cow_reuses",
	[NR_INACTIVE_ANON] = "nr_inactive_anon",
	[NR_ACTIVE_ANON] = "nr_active_anon",
	[NR_INACTIVE_FILE] = "nr_inactive_file",
	[NR_ACTIVE_FILE] = "nr_active_file",
	[NR_UNEVICTABLE] = "nr_unevictable",
	[NR_SWAPCACHE] = "nr_swapcached",
	[PSWPIN] = "pswpin",
	[PSWPOUT] = "pswpout",
	[SWPIN_ZERO] = "swpin_zero",
	[SWPOUT_ZERO] = "swpout_zero",
	[PGSCAN_KSWAPD] = "pgscan_kswapd",
	[PGSCAN_DIRECT] = "pgscan_direct",
	[PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[PGSTEAL_DIRECT] = "pgsteal_direct",
	[PGSCAN_PROACTIVE] = "pgscan_proactive",
	[PGSTEAL_PROACTIVE] = "pgsteal_proactive",
	[PGREFILL] = "pgrefill",
	[PGACTIVATE] = "pgactivate",
	[PGDEACTIVATE] = "pgdeactivate",
	[PGLAZYFREE] = "pglazyfree",
	[PGLAZYFREED] = "pglazyfreed",
	[PGROTATED] = "pgrotated",
	[PAGEOUTRUN] = "pageoutrun",
	[ALLOCSTALL_NORMAL] = "allocstall_normal",
	[PGDEMOTE_KSWAPD] = "pgdemote_kswapd",
	[PGDEMOTE_DIRECT] = "pgdemote_direct",
	[PGPROMOTE_SUCCESS] = "pgpromote_success",
	[PGPROMOTE_CANDIDATE] = "pgpromote_candidate",
	[PGMIGRATE_SUCCESS] = "pgmigrate_success",
	[PGMIGRATE_FAIL] = "pgmigrate_fail",
	[NUMA_HINT_FAULTS] = "numa_hint_faults",
	[NUMA_HINT_FAULTS_LOCAL] = "numa_hint_faults_local",
	[NUMA_PTE_UPDATES] = "numa_pte_updates",
	[OOM_KILL] = "oom_kill",
	[MMLAB_PT_RECLAIM_SCANS] = "mmlab_pt_reclaim_scans",
	[MMLAB_PT_RECLAIM_SCANNED] = "mmlab_pt_reclaim_tables_scanned",
	[MMLAB_PT_RECLAIM_FREED] = "mmlab_pt_reclaim_tables_freed",
	[MMLAB_PTE_MAP_RETRIES] = "mmlab_pte_offset_map_retries",
	[MMLAB_WALKS_INTO_FREED_TABLES] = "mmlab_walks_into_freed_tables",
	[MMLAB_LUF_DEFERRED] = "mmlab_luf_deferred",
	[MMLAB_LUF_PARKED] = "mmlab_luf_parked",
	[MMLAB_LUF_ALLOC_FLUSH_IPIS] = "mmlab_luf_alloc_flush_ipis",
	[MMLAB_LUF_MM_FLUSH_IPIS] = "mmlab_luf_mm_flush_ipis",
	[MMLAB_LUF_WRITE_FLUSH_IPIS] = "mmlab_luf_write_flush_ipis",
	[MMLAB_IPIS_BATCHED] = "mmlab_ipis_batched",
	[MMLAB_IPIS_BATCHED_PENDING] = "mmlab_ipis_batched_pending",
	[MMLAB_IPIS_ZAP] = "mmlab_ipis_zap",
	[MMLAB_IPIS_CHANGE_PROT] = "mmlab_ipis_change_prot",
	[MMLAB_IPIS_OTHER] = "mmlab_ipis_other",
	[MMLAB_SWAP_WRITE_ERRORS] = "mmlab_swap_write_errors",
	[MMLAB_SWAP_READ_ERRORS] = "mmlab_swap_read_errors",
	[MMLAB_VMA_LOCK_FAULTS] = "mmlab_vma_lock_faults",
	[THP_FAULT_ALLOC] = "thp_fault_alloc",
	[THP_SCAN_EXCEED_NONE_PTE] = "thp_scan_exceed_none_pte",
	[THP_SCAN_EXCEED_SWAP_PTE] = "thp_scan_exceed_swap_pte",
	[THP_SCAN_EXCEED_SHARED_PTE] = "thp_scan_exceed_share_pte",
	[THP_FAULT_FALLBACK] = "thp_fault_fallback",
	[THP_COLLAPSE_ALLOC] = "thp_collapse_alloc",
	[THP_COLLAPSE_ALLOC_FAILED] = "thp_collapse_alloc_failed",
	[THP_SPLIT_PAGE] = "thp_split_page",
	[DROP_PAGECACHE] = "drop_pagecache",
	[DROP_SLAB] = "drop_slab",
	[THP_SPLIT_PAGE_FAILED] = "thp_split_page_failed",
	[THP_DEFERRED_SPLIT_PAGE] = "thp_deferred_split_page",
	[THP_SPLIT_PMD] = "thp_split_pmd",
	[THP_ZERO_PAGE_ALLOC] = "thp_zero_page_alloc",
	[NR_ANON_THPS] = "nr_anon_transparent_hugepages",
	[NR_SHMEM_THPS] = "nr_shmem_hugepages",
	[NR_SHMEM_PMDMAPPED] = "nr_shmem_pmdmapped",
	[THP_FILE_ALLOC] = "thp_file_alloc",
	[THP_FILE_MAPPED] = "thp_file_mapped",
	[MMLAB_MTHP_FAULT_ALLOC] = "mmlab_mthp_fault_alloc",
	[MMLAB_MTHP_COLLAPSE] = "mmlab_mthp_collapse",
	[PGSCAN_ANON] = "pgscan_anon",
	[PGSCAN_FILE] = "pgscan_file",
	[PGSTEAL_ANON] = "pgsteal_anon",
	[PGSTEAL_FILE] = "pgsteal_file",
	[PGREUSE] = "pgreuse",
	[NR_FOLL_PIN_ACQUIRED] = "nr_foll_pin_acquired",
	[NR_FOLL_PIN_RELEASED] = "nr_foll_pin_released",
	[PGPGIN] = "pgpgin",
	[PGPGOUT] = "pgpgout",
	[NR_VMSCAN_WRITE] = "nr_vmscan_write",
	[THP_SWPOUT] = "thp_swpout",
	[THP_SWPOUT_FALLBACK] = "thp_swpout_fallback",
	[THP_MIGRATION_SPLIT] = "thp_migration_split",
	[THP_MIGRATION_SUCCESS] = "thp_migration_success",
	[THP_MIGRATION_FAIL] = "thp_migration_fail",
	[NR_MLOCK] = "nr_mlock",
	[UNEVICTABLE_PGCULLED] = "unevictable_pgs_culled",
	[UNEVICTABLE_PGSCANNED] = "unevictable_pgs_scanned",
	[UNEVICTABLE_PGRESCUED] = "unevictable_pgs_rescued",
	[UNEVICTABLE_PGMLOCKED] = "unevictable_pgs_mlocked",
	[UNEVICTABLE_PGMUNLOCKED] = "unevictable_pgs_munlocked",
	[UNEVICTABLE_PGCLEARED] = "unevictable_pgs_cleared",
	[UNEVICTABLE_PGSTRANDED] = "unevictable_pgs_stranded",
	[NR_FILE_PAGES] = "nr_file_pages",
};

/*
 * Counters of this kernel's /proc/vmstat whose events the model has no path
 * for (no zones but Normal, no compaction, KSM, hugetlb, balloon,
 * zswap, memcg, file or shmem THPs, swap readahead, workingset shadows, slab,
 * dirty-page writeback): they read 0, so that a scenario's deltas of them
 * agree instead of failing on a missing name.
 */
static const char *const vmstat_absent[] = {
	"allocstall_device", "allocstall_dma", "allocstall_dma32", "allocstall_movable",
	"balloon_deflate", "balloon_inflate", "balloon_migrate",
	"compact_daemon_free_scanned", "compact_daemon_migrate_scanned",
	"compact_daemon_wake", "compact_fail", "compact_free_scanned", "compact_isolated",
	"compact_migrate_scanned", "compact_stall", "compact_success", "cow_ksm",
	"direct_map_level2_collapses", "direct_map_level2_splits",
	"direct_map_level3_collapses", "direct_map_level3_splits",
	"htlb_buddy_alloc_fail", "htlb_buddy_alloc_success",
	"ksm_swpin_copy", "kswapd_inodesteal", "nr_balloon_pages", "nr_dirtied", "nr_dirty",
	"nr_file_hugepages", "nr_file_pmdmapped", "nr_free_cma", "nr_hugetlb", "nr_iommu_pages",
	"nr_isolated_anon", "nr_isolated_file", "nr_kernel_file_pages",
	"nr_kernel_misc_reclaimable", "nr_kernel_stack",
	"nr_sec_page_table_pages",
	"nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_throttled_written",
	"nr_unstable", "nr_vmscan_immediate_reclaim", "nr_writeback", "nr_written",
	"nr_zone_write_pending", "nr_zspages", "pgalloc_device", "pgalloc_dma",
	"pgalloc_dma32", "pgalloc_movable", "pgdemote_khugepaged", "pgdemote_proactive",
	"pginodesteal", "pgpromote_candidate_nrl", "pgscan_direct_throttle",
	"pgscan_khugepaged", "pgskip_device", "pgskip_dma",
	"pgskip_dma32", "pgskip_movable", "pgskip_normal", "pgsteal_khugepaged",
	"slabs_scanned", "swap_ra", "swap_ra_hit",
	"thp_fault_fallback_charge", "thp_file_fallback",
	"thp_file_fallback_charge",
	"thp_split_pud", "thp_underused_split_page",
	"thp_zero_page_alloc_failed", "workingset_activate_anon",
	"workingset_activate_file", "workingset_nodereclaim", "workingset_nodes",
	"workingset_refault_anon", "workingset_refault_file", "workingset_restore_anon",
	"workingset_restore_file", "zone_reclaim_failed", "zone_reclaim_success",
	"zswpin", "zswpout", "zswpwb",
};

/* Gauges the kernel keeps per zone: the model's one zone per node is Normal,
 * so they equal the node counters. */
static const struct { const char *name; int item; } vmstat_zone[] = {
	{ "nr_zone_inactive_anon", NR_INACTIVE_ANON },
	{ "nr_zone_active_anon", NR_ACTIVE_ANON },
	{ "nr_zone_inactive_file", NR_INACTIVE_FILE },
	{ "nr_zone_active_file", NR_ACTIVE_FILE },
	{ "nr_zone_unevictable", NR_UNEVICTABLE },
};
#define NR_ZONE_NAMES	ARRAY_SIZE(vmstat_zone)
#define NR_ABSENT	ARRAY_SIZE(vmstat_absent)

static int64_t vmstat_value(int i)
{
	struct hw_tlb_stats st;

	switch (i) {
	case MMLAB_TLB_HITS:
	case MMLAB_TLB_L1_HITS:
	case MMLAB_TLB_L2_HITS:
	case MMLAB_TLB_MISSES:
	case MMLAB_PAGE_WALKS:
		hw_tlb_stats(&st);
		return (int64_t)(i == MMLAB_TLB_HITS ? st.l1_hits + st.l2_hits :
				 i == MMLAB_TLB_L1_HITS ? st.l1_hits :
				 i == MMLAB_TLB_L2_HITS ? st.l2_hits :
				 i == MMLAB_TLB_MISSES ? st.misses : st.walks);
	case NR_FILE_PAGES:	/* the page cache: shmem, disk files, the swap cache */
		return READ_ONCE(vm_stat[NR_SHMEM]) + READ_ONCE(vm_stat[NR_SWAPCACHE]) +
		       filemap_nr_pages();
	}
	return READ_ONCE(vm_stat[i]);
}

/* Names in order: the model's counters, the zone gauges, the absent ones. */
const char *mmlab_vmstat_name(unsigned int i)
{
	if (i < NR_VM_ITEMS)
		return vmstat_text[i];
	i -= NR_VM_ITEMS;
	if (i < NR_ZONE_NAMES)
		return vmstat_zone[i].name;
	i -= NR_ZONE_NAMES;
	return i < NR_ABSENT ? vmstat_absent[i] : NULL;
}

int mmlab_vmstat_kind(const char *name)
{
	const char *n;

	for (unsigned int i = 0; (n = mmlab_vmstat_name(i)); i++) {
		if (strcmp(n, name))
			continue;
		if (i >= NR_VM_ITEMS + NR_ZONE_NAMES)
			return MMLAB_VMSTAT_NOT_MODELLED;
		if (!strncmp(n, "mmlab_", 6) || !strcmp(n, "stale_tlb_reports"))
			return MMLAB_VMSTAT_MODEL_ONLY;
		return MMLAB_VMSTAT_KERNEL;
	}
	return -ENOENT;
}

int mmlab_vmstat_get(const char *name, uint64_t *val)
{
	if (!name || !val)
		return -EINVAL;
	for (int i = 0; i < NR_VM_ITEMS; i++) {
		if (vmstat_text[i] && !strcmp(vmstat_text[i], name)) {
			int64_t v = vmstat_value(i);

			*val = v < 0 ? 0 : (uint64_t)v;
			return 0;
		}
	}
	for (unsigned int i = 0; i < NR_ZONE_NAMES; i++) {
		if (!strcmp(vmstat_zone[i].name, name)) {
			int64_t v = vmstat_value(vmstat_zone[i].item);

			*val = v < 0 ? 0 : (uint64_t)v;
			return 0;
		}
	}
	for (unsigned int i = 0; i < NR_ABSENT; i++) {
		if (!strcmp(vmstat_absent[i], name)) {
			*val = 0;
			return 0;
		}
	}
	return -ENOENT;
}
