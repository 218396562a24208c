/*
 * registry.c - the list of benchmarks `mmlab bench` knows.
 *
 * One line per benchmark, in the order a plain `mmlab bench` runs them.  A
 * new benchmark adds its prototype and its line here; see bench.h for the
 * rest.  The claims table (claims.c) names benchmarks by these names, and
 * prints "not measured yet" for a name missing here.
 */
#include <string.h>

#include "bench.h"

int bench_core(struct bench_ctx *ctx);		/* core.c */
int bench_tlb(struct bench_ctx *ctx);		/* tlb.c */
int bench_lua(struct bench_ctx *ctx);		/* lua.c */
int bench_reclaim(struct bench_ctx *ctx);	/* reclaim.c */
int bench_luf(struct bench_ctx *ctx);		/* luf.c */
int bench_ptreclaim(struct bench_ctx *ctx);	/* ptreclaim.c */
int bench_markers(struct bench_ctx *ctx);	/* markers.c */
int bench_mapcount(struct bench_ctx *ctx);	/* mapcount.c */
int bench_collapse(struct bench_ctx *ctx);	/* collapse.c */
int bench_determinism(struct bench_ctx *ctx);	/* determinism.c */
int bench_replay(struct bench_ctx *ctx);	/* replay.c */

const struct bench_desc bench_registry[] = {
	{ "core", "model vs host kernel: anon faults, DONTNEED, munmap, pagemap, fork (per second)",
	  bench_core },
	{ "tlb", "TLB shootdown IPIs a running peer CPU receives per operation, host vs model",
	  bench_tlb },
	{ "lua", "Lua scenario API vs C API on the model: touch, fill, verify (pages per second)",
	  bench_lua },
	{ "reclaim", "reclaim: shootdowns per page batched and unbatched, swap I/O beside the raw file, demotion/promotion and migration rates (model)",
	  bench_reclaim },
	{ "luf", "LUF: TLB shootdown IPIs and runtime (simulated clock, wall clock) of a tiered read-mostly workload, LUF off vs on",
	  bench_luf },
	{ "ptreclaim", "page-table reclaim: the 50 GiB program (model zap on/off, host), async scanner per scan mode, scan cost (populated, best, worst, empty) vs host pagemap",
	  bench_ptreclaim },
	{ "markers", "PM_SWAP for shmem: swap-in cost of PAGEOUT markers, pagemap read marker vs page-cache lookup (model)",
	  bench_markers },
	{ "mapcount", "mapcount: likely/maybe vs precise shared-folio answers over fork-heavy workloads, and khugepaged's memory under each",
	  bench_mapcount },
	{ "collapse", "mTHP collapse: THP coverage and bloat vs max_ptes_none per order, creep guard, collapse latency, fault latency under both collapse lockings",
	  bench_collapse },
	{ "determinism", "deterministic scheduler: wall time free vs random and PCT schedules, steps per second, replay of a seed, seeds explored per second",
	  bench_determinism },
	{ "replay", "replaying recorded accesses: hit path per core, 1 -> 2 threads, from a trace file, a recorded sort against its native time",
	  bench_replay },
	{ NULL, NULL, NULL }
};

const struct bench_desc *bench_lookup(const char *name)
{
	for (const struct bench_desc *d = bench_registry; d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}
