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
	[MMLAB_LUF_ALLOC_FLUSH_IPIS] = "alloc_flush_ipis",
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
	[THP_SPLIT_PAGE_FAILED] = "thp_split_page_failed",
	[THP_DEFERRED_SPLIT_PAGE] = "thp_deferred_split_page",
	[THP_SPLIT_PMD] = "thp_split_pmd",
	[THP_ZERO_PAGE_ALLOC] = "thp_zero_page_alloc",
	[NR_ANON_THPS] = "nr_anon_transparent_hugepages",
	[MMLAB_MTHP_FAULT_ALLOC] = "mmlab_mthp_fault_alloc",
	[MMLAB_MTHP_COLLAPSE] = "mmlab_mthp_collapse",
};

static int64_t vmstat_value(int i)
{
	switch (i) {
	case MMLAB_TLB_HITS:
		return (int64_t)READ_ONCE(hw_tlb_hits);
	case MMLAB_TLB_MISSES:
		return (int64_t)READ_ONCE(hw_tlb_misses);
	case MMLAB_PAGE_WALKS:
		return (int64_t)READ_ONCE(hw_page_walks);
	}
	return READ_ONCE(vm_stat[i]);
}

const char *mmlab_vmstat_name(unsigned int i)
{
	return i < NR_VM_ITEMS ? vmstat_text[i] : NULL;
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
	return -ENOENT;
}
