/*
 * knobs.c - `mmlab knobs` and `mmlab vmstat`: every tunable the model has
 * (by kernel path, with its stock 6.18 default, the values it accepts,
 * kernel or model-only, and one line of meaning) and every vmstat counter
 * (kernel, kernel but not modelled, model-only).  The names, defaults and
 * accepted values come from the model's own tables (src/mm/sysfs.c,
 * src/mm/vmstat.c); only the meanings live here.  README.md's knob table
 * is checked against this list by tests/cli_knobs.sh.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include <mmlab/mmlab.h>
#include "cli.h"
#include "script/script.h"

#define MODEL	"/sys/kernel/mm/mmlab/"
#define THP	"/sys/kernel/mm/transparent_hugepage/"

/* One line of meaning per name, by shell pattern (first match wins). */
struct meaning {
	const char *pattern, *meaning;
};

/* the knobs */
static const struct meaning meanings[] = {
	{ MODEL "debug/skip_flush", "drop every TLB flush (proves the stale-TLB detector fires)" },
	{ MODEL "debug/skip_pmd_recheck", "deliberate bug: pte_offset_map_lock() does not recheck the PMD" },
	{ MODEL "debug/pmd_invalid_window", "scheduling points a PMD spends invalid while it is split or moved (aims races at that window)" },
	{ MODEL "debug/check_exclusive", "report a CoW reuse of a page another process still maps as a BUG" },
	{ MODEL "debug/stale_check", "the stale-TLB detector: check every TLB hit against the page tables" },
	{ MODEL "debug/swap_fail_write", "fail the next N swap writes" },
	{ MODEL "debug/swap_fail_read", "fail the next N swap reads" },
	{ MODEL "debug/collapse_fail", "the next THP collapse fails at this step and backs off (then reads none)" },
	{ MODEL "shared_check", "khugepaged's \"mapped by more than one process?\" predicate (folio_likely_mapped_shared and successors)" },
	{ MODEL "collapse_locking", "collapse under mmap_lock for writing (upstream) or PMD+PTE locks (RFC)" },
	{ MODEL "khugepaged_wake_on_enter", "the first mm registering with khugepaged runs a scan pass at once" },
	{ MODEL "per_vma_lock", "faults under their VMA's lock (CONFIG_PER_VMA_LOCK)" },
	{ MODEL "mthp_collapse", "khugepaged also collapses into the enabled mTHP sizes (mTHP collapse series)" },
	{ MODEL "mthp_collapse_creep_guard", "mTHP collapse counts max_ptes_none as at most 255" },
	{ MODEL "mthp/*/collapse_alloc", "collapses into this size (counter)" },
	{ MODEL "mthp/*/collapse_alloc_failed", "collapses into this size whose allocation failed (counter)" },
	{ MODEL "luf/enabled", "LUF: lazy unmap flush for reclaim and migration" },
	{ MODEL "luf/unsafe_skip_munmap_flush", "deliberate bug: munmap does not flush LUF's deferred entries" },
	{ MODEL "reclaim/batch_flush", "reclaim and migration batch their TLB flush (TTU_BATCH_FLUSH)" },
	{ MODEL "soft_dirty", "CONFIG_MEM_SOFT_DIRTY" },
	{ MODEL "forbids_zeropage", "mm_forbids_zeropage(): read faults allocate instead of mapping the zero page" },
	{ MODEL "shmem_pm_swap", "PM_SWAP for shmem in pagemap: PAGEOUT PTE markers or a page-cache lookup" },
	{ MODEL "pt_reclaim/zap", "MADV_DONTNEED frees the PTE tables it empties (6.14+)" },
	{ MODEL "pt_reclaim/scan", "the page-table reclaim RFC's asynchronous scanner of empty PTE tables" },
	{ MODEL "pt_reclaim/scan_mode", "the scanner frees tables under the PTE lock or locklessly" },
	{ MODEL "pt_reclaim/scan_delay_ms", "the scanner's delay between passes" },
	{ MODEL "pt_reclaim/scan_size", "bytes of address space the scanner covers per pass" },
	{ THP "enabled", "anonymous THPs of 2 MiB: always, in MADV_HUGEPAGE ranges, never" },
	{ THP "defrag", "how hard a THP fault compacts" },
	{ THP "shmem_enabled", "when memfd and shared anonymous memory get PMD-sized THPs" },
	{ THP "shrink_underused", "split THPs with many zero subpages under memory pressure" },
	{ THP "hpage_pmd_size", "the PMD size in bytes" },
	{ THP "use_zero_page", "read faults map the huge zero page" },
	{ THP "hugepages-*kB/enabled", "anonymous folios of this size: always, inherit, madvise, never" },
	{ THP "hugepages-*kB/shmem_enabled", "shared anonymous memory's folios of this size (2 MiB only; the others refuse all but never and inherit)" },
	{ THP "hugepages-*kB/stats/*", "per-size THP event counter" },
	{ THP "khugepaged/defrag", "khugepaged may compact for its allocations" },
	{ THP "khugepaged/max_ptes_none", "empty PTEs a collapse may fill" },
	{ THP "khugepaged/max_ptes_swap", "swapped-out PTEs a collapse may read back" },
	{ THP "khugepaged/max_ptes_shared", "PTEs of shared pages a collapse may copy" },
	{ THP "khugepaged/pages_to_scan", "pages khugepaged scans per pass" },
	{ THP "khugepaged/scan_sleep_millisecs", "khugepaged's sleep between passes" },
	{ THP "khugepaged/alloc_sleep_millisecs", "khugepaged's sleep after a failed allocation" },
	{ THP "khugepaged/full_scans", "khugepaged's completed scans of every registered mm (counter)" },
	{ THP "khugepaged/pages_collapsed", "PMD ranges collapsed by khugepaged (counter)" },
	{ "/sys/kernel/debug/x86/tlb_single_page_flush_ceiling", "above this many pages a flush is a full TLB flush" },
	{ "/sys/kernel/debug/fault_around_bytes", "a read fault on a file maps the cached pages of this window" },
	{ "/sys/kernel/mm/numa/demotion_enabled", "reclaim demotes to a slower node instead of swapping" },
	{ "/proc/sys/kernel/numa_balancing", "NUMA balancing: 0 off, 1 normal, 2 memory tiering, 3 both" },
	{ "/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps", "promotion rate limit of memory tiering" },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", "NUMA hinting scan period, shortest" },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_period_max_ms", "NUMA hinting scan period, longest" },
	{ "/sys/kernel/debug/sched/numa_balancing/hot_threshold_ms", "a page accessed within this of its hinting fault is hot" },
	{ "/sys/kernel/debug/sched/numa_balancing/scan_size_mb", "MiB of address space per NUMA hinting scan" },
	{ "/sys/kernel/debug/split_huge_pages", "write \"pid,0xstart,0xend[,new_order]\": split the large folios mapped there to new_order (default 0)" },
	{ "/sys/fs/cgroup/memory.reclaim", "proactive reclaim (the root memory cgroup, cgroup v2): write a size to reclaim that much from every node's LRU now; EAGAIN if it could not" },
	{ "/proc/sys/vm/drop_caches", "2 drops slab (here: the THP deferred split shrinker); 1 and 3 (page cache) the model refuses; 4 only silences the log line" },
	{ "/proc/sys/vm/swappiness", "reclaim's preference for anonymous over file pages" },
	{ "/proc/sys/vm/watermark_scale_factor", "distance between the zone watermarks, in 1/10000 of memory" },
};

/* The model's own counters: what each counts (first match wins). */
static const struct meaning counter_meanings[] = {
	{ "stale_tlb_reports", "accesses through a stale TLB entry (the stale-TLB detector, debug/stale_check)" },
	{ "mmlab_tlb_hits", "simulated TLB lookups that hit" },
	{ "mmlab_tlb_l1_hits", "simulated TLB lookups that hit in an L1 TLB" },
	{ "mmlab_tlb_l2_hits", "simulated TLB lookups that hit in the L2 TLB" },
	{ "mmlab_tlb_misses", "simulated TLB lookups that missed" },
	{ "mmlab_page_walks", "page-table walks of the simulated MMU" },
	{ "mmlab_cow_copies", "write faults on a CoW page that copied it" },
	{ "mmlab_cow_reuses", "write faults on a CoW page that reused it (exclusive)" },
	{ "mmlab_pt_reclaim_scans", "passes of the page-table reclaim scanner" },
	{ "mmlab_pt_reclaim_tables_scanned", "PTE tables the scanner looked at" },
	{ "mmlab_pt_reclaim_tables_freed", "empty PTE tables the scanner freed" },
	{ "mmlab_pte_offset_map_retries", "pte_offset_map_lock() found its PMD changed and retried" },
	{ "mmlab_walks_into_freed_tables", "lockless walks (GUP-fast) that met a freed page table" },
	{ "mmlab_luf_deferred", "unmaps whose TLB flush LUF deferred" },
	{ "mmlab_luf_parked", "freed frames LUF held back until their flush" },
	{ "mmlab_luf_alloc_flush_ipis", "IPIs of LUF's flushes before a parked frame is reused" },
	{ "mmlab_luf_mm_flush_ipis", "IPIs of LUF's flushes for an mm (munmap, mprotect, a write)" },
	{ "mmlab_luf_write_flush_ipis", "IPIs of LUF's flushes before a write fault" },
	{ "mmlab_ipis_batched", "shootdown IPIs of batched flushes (reclaim, migration)" },
	{ "mmlab_ipis_batched_pending", "shootdown IPIs of flush_tlb_batched_pending()" },
	{ "mmlab_ipis_zap", "shootdown IPIs of zaps (munmap, MADV_DONTNEED, ...)" },
	{ "mmlab_ipis_change_prot", "shootdown IPIs of protection changes" },
	{ "mmlab_ipis_other", "shootdown IPIs of other flushes" },
	{ "mmlab_swap_*_errors", "swap I/O errors (debug/swap_fail_write, swap_fail_read)" },
	{ "mmlab_vma_lock_faults", "faults handled under the VMA lock" },
	{ "mmlab_mthp_fault_alloc", "anonymous folios smaller than 2 MiB allocated at fault" },
	{ "mmlab_mthp_collapse", "collapses into sizes smaller than 2 MiB (mthp_collapse)" },
};

#define MEANING(table, name) lookup_meaning(table, sizeof(table) / sizeof(table[0]), name)

static const char *lookup_meaning(const struct meaning *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!fnmatch(t[i].pattern, name, 0))
			return t[i].meaning;
	return "";
}

static const char *meaning(const char *path)
{
	return MEANING(meanings, path);
}

/* "always [madvise] never" -> "madvise"; anything else as it is. */
static void current_choice(char *v)
{
	char *l = strchr(v, '['), *r = l ? strchr(l, ']') : NULL;

	if (l && r) {
		memmove(v, l + 1, (size_t)(r - l - 1));
		v[r - l - 1] = 0;
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static int usage(FILE *f, const char *cmd)
{
	if (!strcmp(cmd, "knobs"))
		fprintf(f,
"usage: mmlab knobs [--json] [PATTERN]\n"
"\n"
"List every tunable of the model by its kernel path: its default (stock\n"
"6.18), the values it accepts, whether the kernel has it or it is the\n"
"model's own (/sys/kernel/mm/mmlab/), and what it does.  Set one with\n"
"--set PATH=VALUE, mm.set(PATH, VALUE) or MMLAB_SET.  PATTERN (a shell\n"
"glob, as '*khugepaged*') keeps the paths it matches.\n"
"\n"
"  --json      one JSON object per line: path, default, accepts, kind,\n"
"              meaning\n");
	else
		fprintf(f,
"usage: mmlab vmstat [--json] [PATTERN]\n"
"\n"
"List every counter mm.vmstat() has on the model: the kernel's that the\n"
"model keeps, the kernel's of mechanisms the model lacks (they read 0),\n"
"and the model's own (mmlab_*, stale_tlb_reports).  PATTERN (a shell\n"
"glob) keeps the names it matches.\n"
"\n"
"  --json      one JSON object per line: name, kind, meaning (of the\n"
"              model's own)\n");
	return f == stdout ? 0 : 2;
}

/* Parse [--json] [PATTERN]: 0, or the exit status + 1. */
static int parse(int argc, char **argv, bool *json, const char **pattern)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, argv[0]) + 1;
		else if (argv[i][0] == '-' || *pattern) {
			fprintf(stderr, "mmlab %s: unexpected '%s' (see 'mmlab %s "
				"--help')\n", argv[0], argv[i], argv[0]);
			return 3;
		} else
			*pattern = argv[i];
	}
	return 0;
}

/* The exit status of a listing: 2 when PATTERN matched nothing (said with
 * the nearest name), else 0. */
static int no_match(const char *pattern, int shown, const char *cmd, const char *what,
		    const char *(*name)(unsigned int i))
{
	const char *near;

	if (!pattern || shown)
		return 0;
	near = sc_suggest(pattern, name);
	fprintf(stderr, "mmlab %s: no %s matches '%s'%s%s%s\n", cmd, what, pattern,
		near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	return 2;
}

int cmd_knobs(int argc, char **argv)
{
	const char *pattern = NULL, *path;
	bool json = false;
	char def[512], acc[512];
	int ret = parse(argc, argv, &json, &pattern), shown = 0;

	if (ret)
		return ret - 1;
	mmlab_knob_default("/", def, sizeof(def));	/* fills the table */
	for (unsigned int i = 0; (path = mmlab_knob_name(i)); i++) {
		bool model = !strncmp(path, MODEL, strlen(MODEL));

		if (pattern && fnmatch(pattern, path, 0))
			continue;
		ret = mmlab_knob_default(path, def, sizeof(def));
		mmlab_knob_accepts(path, acc, sizeof(acc));
		if (ret == -EACCES)	/* a counter starts at 0; nothing to read */
			snprintf(def, sizeof(def), "%s", strncmp(acc, "write-only", 10) ? "0" : "-");
		current_choice(def);
		shown++;
		if (json) {
			printf("{\"path\": ");
			json_str(path);
			printf(", \"default\": ");
			json_str(def);
			printf(", \"accepts\": ");
			json_str(acc);
			printf(", \"kind\": \"%s\", \"meaning\": ", model ? "model" : "kernel");
			json_str(meaning(path));
			printf("}\n");
		} else {
			printf("%s\n    default %s; accepts %s; %s%s%s\n", path, def, acc,
			       model ? "model only" : "kernel",
			       *meaning(path) ? ": " : "", meaning(path));
		}
	}
	return no_match(pattern, shown, "knobs", "knob", mmlab_knob_name);
}

int cmd_vmstat(int argc, char **argv)
{
	static const char *const kinds[] = {
		[MMLAB_VMSTAT_KERNEL] = "kernel",
		[MMLAB_VMSTAT_NOT_MODELLED] = "kernel, not modelled (reads 0)",
		[MMLAB_VMSTAT_MODEL_ONLY] = "model only",
	};
	const char *pattern = NULL, *name;
	bool json = false;
	int ret = parse(argc, argv, &json, &pattern), shown = 0;

	if (ret)
		return ret - 1;
	for (unsigned int i = 0; (name = mmlab_vmstat_name(i)); i++) {
		int k = mmlab_vmstat_kind(name);

		if ((pattern && fnmatch(pattern, name, 0)) || k < 0)
			continue;
		shown++;
		if (json)
			printf("{\"name\": \"%s\", \"kind\": \"%s\", \"meaning\": \"%s\"}\n",
			       name, k == MMLAB_VMSTAT_KERNEL ? "kernel" :
			       k == MMLAB_VMSTAT_MODEL_ONLY ? "model" : "not_modelled",
			       MEANING(counter_meanings, name));
		else
			printf("%-32s %s%s%s\n", name, kinds[k],
			       *MEANING(counter_meanings, name) ? ": " : "",
			       MEANING(counter_meanings, name));
	}
	return no_match(pattern, shown, "vmstat", "counter", mmlab_vmstat_name);
}
