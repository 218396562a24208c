/*
 * mapcount.c - `mmlab bench mapcount`: how often the two cheap
 * answers to "is this large folio mapped by more than one process?" are
 * wrong, and what khugepaged's decisions on them cost in memory.
 *
 * Predicates (/sys/kernel/mm/mmlab/shared_check): likely (the older
 * folio_likely_mapped_shared, first-page heuristic: false negatives), maybe
 * (6.18's folio_maybe_mapped_shared, two mm-id slots: false positives after
 * more than two mms), precise (the reference: exact per-mm mapping counts
 * the model keeps beside the mapcounts; the census checks them against an
 * rmap walk).
 *
 * Workloads (fork-heavy, all from one PRNG seed; THP enabled=always, so the
 * parent's regions start as PMD-mapped 2 MiB folios):
 *   subrange_shared  the reported corner case, per region: the parent maps
 *                  pages 1..256 of a THP by PTEs (page 0 and 257..511
 *                  dropped), forks, the child keeps them, the parent writes
 *                  page 0 (a new small page, pte_write).  likely says
 *                  exclusive.
 *   fork_mix       a parent with REGIONS THPs, some split by DONTNEED of a
 *                  few pages, forks 1..4 children over rounds; each child
 *                  CoW-writes, reads, MADV_DONTNEEDs and munmaps random
 *                  subsets of subpages; some children exit.
 *   exit_chain     the parent splits its THPs, forks 3 children; the parent
 *                  and the first child drop their mappings, the third child
 *                  exits: the second is the only mapper left, but the folio
 *                  never gets a free mm-id slot back (maybe's false positive).
 * Each workload is built with the default predicate (maybe), then
 * shared_check is set to the mode, the census taken (every large folio
 * mapped, the three predicates side by side), and khugepaged runs to
 * convergence with the audit on (every decision counted per PTE).
 *
 * Records: per workload, max_ptes_shared (0: the setting of the report; 256: the
 * default) and mode: the census {folios, precise_shared, likely_fn,
 * likely_fp, maybe_fn, maybe_fp} (folios), the scan audit {scan_decisions,
 * scan_likely_fn, scan_likely_fp, scan_maybe_fn, scan_maybe_fp} (PTE
 * decisions), khugepaged's work {collapses, exceed_shared}, what is left
 * {used_kb (total - free), rss_kb (sum of VmRSS), anon_thps}, and against
 * precise from the same seed: extra_kb (used_kb - precise's: memory a false
 * negative cost), thp_delta (anon_thps - precise's: THPs a false positive
 * refused), precise_mismatch (census: the precise bookkeeping against an
 * rmap walk; 0).  Then per cheap mode a summary over all runs: census
 * false_negatives / false_positives (folios) and their rates among the
 * shared / exclusive folios, the scan audit's totals, extra_kb_vs_precise,
 * thps_refused_vs_precise.  Model only.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mmlab/mmlab.h>

#include "bench.h"

#define PG		MMLAB_PAGE_SIZE
#define PMD		MMLAB_PMD_SIZE
#define NPTE		512
#define REGIONS		24
#define MAX_PROCS	8
#define SEED		0x5eed2ULL

enum wl { WL_SUBRANGE_SHARED, WL_FORK_MIX, WL_EXIT_CHAIN, NR_WL };
static const char *const wl_name[NR_WL] = { "subrange_shared", "fork_mix", "exit_chain" };
static const char *const mode_name[3] = { "likely", "maybe", "precise" };
static const unsigned int shared_limits[2] = { 0, 256 };

struct mc_run {
	int err;
	char what[160];
	struct mmlab_shared_census census, audit;
	double collapses, exceed_shared, used_kb, rss_kb, anon_thps, procs, seconds;
};

struct mc_args {
	int wl, mode;
	unsigned int max_ptes_shared;
};

struct world {
	struct mmlab_proc *p[MAX_PROCS];
	int n;
	uint64_t base;		/* PMD-aligned start of the regions */
	uint64_t rng;
};

static uint64_t rnd(struct world *w, uint64_t n)
{
	w->rng = mmlab_splitmix64(w->rng);
	return n ? w->rng % n : 0;
}

static int add_proc(struct world *w, struct mmlab_proc *p)
{
	if (w->n >= MAX_PROCS)
		return -ENOSPC;
	w->p[w->n++] = p;
	return 0;
}

static int proc_exit(struct world *w, int i)
{
	int ret = mmlab_exit(w->p[i]);

	w->p[i] = NULL;
	return ret;
}

static uint64_t reg(const struct world *w, int r, int page)
{
	return w->base + (uint64_t)r * PMD + (uint64_t)page * PG;
}

/* The parent: REGIONS PMD-mapped THPs at a PMD-aligned address. */
static int parent_setup(struct world *w)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t a = 0, fa;
	int ret = mmlab_spawn(&p);

	if (ret)
		return ret;
	ret = add_proc(w, p);
	t = mmlab_main_task(p);
	if (!ret)
		ret = mmlab_mmap(t, 0, REGIONS * PMD + PMD, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &a);
	if (ret)
		return ret;
	w->base = (a + PMD - 1) & ~(PMD - 1);
	return mmlab_touch(t, w->base, REGIONS * PMD, true, &fa);
}

static int dontneed(struct mmlab_proc *p, uint64_t a, uint64_t len)
{
	return mmlab_madvise(mmlab_main_task(p), a, len, MADV_DONTNEED);
}

static int build_subrange(struct world *w)
{
	struct mmlab_proc *child;
	uint64_t fa;
	int ret = parent_setup(w);

	for (int r = 0; r < REGIONS && !ret; r++) {
		ret = dontneed(w->p[0], reg(w, r, 0), PG);
		if (!ret)
			ret = dontneed(w->p[0], reg(w, r, 257), 255 * PG);
	}
	if (!ret)
		ret = mmlab_fork(w->p[0], &child);
	if (!ret)
		ret = add_proc(w, child);
	/* the child keeps its 256 pages (and uses them: referenced PTEs) */
	for (int r = 0; r < REGIONS && !ret; r++)
		ret = mmlab_touch(mmlab_main_task(child), reg(w, r, 1), 256 * PG, false, &fa);
	/* the parent: one writable PTE of another page, 255 pte_none */
	for (int r = 0; r < REGIONS && !ret; r++)
		ret = mmlab_touch(mmlab_main_task(w->p[0]), reg(w, r, 0), PG, true, &fa);
	return ret;
}

/* Random subpage operations of one process over the regions. */
static int churn(struct world *w, struct mmlab_proc *p, bool child)
{
	struct mmlab_task *t = mmlab_main_task(p);
	uint64_t fa;
	int ret = 0;

	for (int r = 0; r < REGIONS && !ret; r++) {
		int ops = 1 + (int)rnd(w, 4);

		for (int k = 0; k < ops && !ret; k++) {
			int what = (int)rnd(w, child ? 5 : 3);
			int start = (int)rnd(w, NPTE), len = 1 + (int)rnd(w, what >= 2 ? 320 : 64);

			if (start + len > NPTE)
				len = NPTE - start;
			switch (what) {
			case 0:	/* CoW (or fault) a random subset */
				ret = mmlab_touch(t, reg(w, r, start), (uint64_t)len * PG, true, &fa);
				break;
			case 1:	/* read: referenced PTEs */
				ret = mmlab_touch(t, reg(w, r, start), (uint64_t)len * PG, false, &fa);
				if (ret == MMLAB_SIGSEGV)
					ret = 0;	/* unmapped earlier */
				break;
			case 2:
				ret = dontneed(p, reg(w, r, start), (uint64_t)len * PG);
				if (ret == -ENOMEM)
					ret = 0;
				break;
			case 3:
				ret = mmlab_munmap(t, reg(w, r, start), (uint64_t)len * PG);
				break;
			default:	/* scattered CoW of single pages */
				for (int i = 0; i < len && !ret; i++) {
					ret = mmlab_touch(t, reg(w, r, (int)rnd(w, NPTE)), PG, true, &fa);
					if (ret == MMLAB_SIGSEGV)
						ret = 0;
				}
			}
			if (ret == MMLAB_SIGSEGV)
				ret = 0;
		}
	}
	return ret;
}

static int build_fork_mix(struct world *w)
{
	int ret = parent_setup(w);

	/* some regions split in the parent (a few pages dropped) */
	for (int r = 0; r < REGIONS && !ret; r++)
		if (rnd(w, 2))
			ret = dontneed(w->p[0], reg(w, r, (int)rnd(w, NPTE)), PG);
	/* rounds of 1..4 forks; children churn; some exit */
	for (int round = 0; round < 3 && !ret; round++) {
		int kids = 1 + (int)rnd(w, 4);

		for (int k = 0; k < kids && !ret; k++) {
			struct mmlab_proc *c;

			if (w->n >= MAX_PROCS) {	/* make room: the oldest child exits */
				for (int i = 1; i < w->n; i++)
					if (w->p[i]) {
						ret = proc_exit(w, i);
						memmove(&w->p[i], &w->p[i + 1],
							(size_t)(w->n - i - 1) * sizeof(w->p[0]));
						w->n--;
						break;
					}
			}
			if (!ret)
				ret = mmlab_fork(w->p[0], &c);
			if (!ret)
				ret = add_proc(w, c);
			if (!ret)
				ret = churn(w, c, true);
		}
		if (!ret)
			ret = churn(w, w->p[0], false);
		/* about a third of the live children exit */
		for (int i = 1; i < w->n && !ret; i++)
			if (w->p[i] && !rnd(w, 3))
				ret = proc_exit(w, i);
		for (int i = 1; i < w->n; i++)	/* compact */
			if (!w->p[i]) {
				memmove(&w->p[i], &w->p[i + 1], (size_t)(w->n - i - 1) * sizeof(w->p[0]));
				w->n--;
				i--;
			}
	}
	return ret;
}

static int build_exit_chain(struct world *w)
{
	uint64_t fa;
	int ret = parent_setup(w);

	for (int r = 0; r < REGIONS && !ret; r++)
		ret = dontneed(w->p[0], reg(w, r, 511), PG);	/* PTE-mapped now */
	for (int k = 0; k < 3 && !ret; k++) {
		struct mmlab_proc *c;

		ret = mmlab_fork(w->p[0], &c);
		if (!ret)
			ret = add_proc(w, c);
	}
	/* the parent and the first child (the two slots) drop the regions */
	if (!ret)
		ret = dontneed(w->p[0], w->base, REGIONS * PMD);
	if (!ret)
		ret = dontneed(w->p[1], w->base, REGIONS * PMD);
	if (!ret)
		ret = proc_exit(w, 3);
	if (!ret)
		w->n = 3;
	/* the second child uses its memory (referenced PTEs) */
	if (!ret)
		ret = mmlab_touch(mmlab_main_task(w->p[2]), w->base, REGIONS * PMD - PG, false, &fa);
	return ret;
}

static void one_run(void *argp, void *outp)
{
	const struct mc_args *a = argp;
	struct mc_run *o = outp;
	struct mmlab_config cfg;
	struct world w;
	struct mmlab_status st;
	char buf[32];
	uint64_t coll0, exc0, total, last;
	double t0;
	int ret;

	memset(o, 0, sizeof(*o));
	memset(&w, 0, sizeof(w));
	w.rng = mmlab_splitmix64(SEED + (uint64_t)a->wl);
	mmlab_config_default(&cfg);
	cfg.nr_cpus = 4;
	cfg.node_bytes[0] = 1ULL << 30;
	cfg.seed = SEED;
	ret = mmlab_machine_create(&cfg);
	if (ret) {
		o->err = ret;
		snprintf(o->what, sizeof(o->what), "machine_create");
		return;
	}
	/* khugepaged's own thread stays asleep: the bench drives the scans */
	ret = mmlab_knob_set("/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs",
			     "2000000000");
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/mm/transparent_hugepage/enabled", "always");
	snprintf(buf, sizeof(buf), "%u", a->max_ptes_shared);
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_shared", buf);
	if (ret) {
		snprintf(o->what, sizeof(o->what), "knobs");
		goto out;
	}
	switch (a->wl) {
	case WL_SUBRANGE_SHARED:
		ret = build_subrange(&w);
		break;
	case WL_FORK_MIX:
		ret = build_fork_mix(&w);
		break;
	default:
		ret = build_exit_chain(&w);
	}
	if (ret) {
		snprintf(o->what, sizeof(o->what), "%s: build", wl_name[a->wl]);
		goto out;
	}
	mmlab_quiesce();
	ret = mmlab_knob_set("/sys/kernel/mm/mmlab/shared_check", mode_name[a->mode]);
	if (ret) {
		snprintf(o->what, sizeof(o->what), "shared_check");
		goto out;
	}
	mmlab_debug_shared_census(&o->census);
	coll0 = bench_vm("thp_collapse_alloc");
	exc0 = bench_vm("thp_scan_exceed_share_pte");
	t0 = bench_now();
	mmlab_debug_shared_audit(true, NULL);
	/* to convergence: until a full scan collapses nothing more */
	last = coll0;
	for (int i = 0; i < 8; i++) {
		mmlab_khugepaged_scan(1);
		if (i && bench_vm("thp_collapse_alloc") == last)
			break;
		last = bench_vm("thp_collapse_alloc");
	}
	mmlab_debug_shared_audit(false, &o->audit);
	o->seconds = bench_now() - t0;
	mmlab_quiesce();
	o->collapses = (double)(bench_vm("thp_collapse_alloc") - coll0);
	o->exceed_shared = (double)(bench_vm("thp_scan_exceed_share_pte") - exc0);
	o->anon_thps = (double)bench_vm("nr_anon_transparent_hugepages");
	total = cfg.node_bytes[0] / PG;
	o->used_kb = (double)(total - bench_vm("nr_free_pages")) * 4;
	for (int i = 0; i < w.n; i++)
		if (w.p[i] && !mmlab_status(w.p[i], &st)) {
			o->rss_kb += (double)st.VmRSS;
			o->procs++;
		}
out:
	o->err = ret;
	for (int i = w.n - 1; i >= 0; i--)
		if (w.p[i])
			mmlab_exit(w.p[i]);
	mmlab_machine_destroy();
}

static void emit_run(struct bench_ctx *ctx, const struct mc_args *a, const struct mc_run *x,
		     const struct mc_run *precise)
{
	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "workload", wl_name[a->wl]);
	bench_rec_int(r, "max_ptes_shared", a->max_ptes_shared);
	bench_rec_str(r, "mode", mode_name[a->mode]);
	bench_rec_num(r, "procs", x->procs);
	bench_rec_num(r, "folios", (double)x->census.folios);
	bench_rec_num(r, "precise_shared", (double)x->census.precise_shared);
	bench_rec_num(r, "likely_fn", (double)x->census.likely_fn);
	bench_rec_num(r, "likely_fp", (double)x->census.likely_fp);
	bench_rec_num(r, "maybe_fn", (double)x->census.maybe_fn);
	bench_rec_num(r, "maybe_fp", (double)x->census.maybe_fp);
	bench_rec_num(r, "scan_decisions", (double)x->audit.folios);
	bench_rec_num(r, "scan_likely_fn", (double)x->audit.likely_fn);
	bench_rec_num(r, "scan_likely_fp", (double)x->audit.likely_fp);
	bench_rec_num(r, "scan_maybe_fn", (double)x->audit.maybe_fn);
	bench_rec_num(r, "scan_maybe_fp", (double)x->audit.maybe_fp);
	bench_rec_num(r, "collapses", x->collapses);
	bench_rec_num(r, "exceed_shared", x->exceed_shared);
	bench_rec_num(r, "used_kb", x->used_kb);
	bench_rec_num(r, "rss_kb", x->rss_kb);
	bench_rec_num(r, "anon_thps", x->anon_thps);
	bench_rec_num(r, "precise_mismatch", (double)x->census.precise_mismatch);
	if (precise && !precise->err) {
		bench_rec_num(r, "extra_kb", x->used_kb - precise->used_kb);
		bench_rec_num(r, "thp_delta", x->anon_thps - precise->anon_thps);
	} else {
		bench_rec_null(r, "extra_kb");
		bench_rec_null(r, "thp_delta");
	}
	bench_emit(ctx, r);
}

int bench_mapcount(struct bench_ctx *ctx)
{
	static struct mc_run runs[NR_WL][2][3];
	double fn_cost[3] = { 0 }, thp_lost[3] = { 0 }, fn[3] = { 0 }, fp[3] = { 0 };
	double folios = 0, shared = 0, sfn[3] = { 0 }, sfp[3] = { 0 }, sdec[3] = { 0 };
	char err[128];
	int ret = 0;

	if (ctx->opts.host_only)
		return 0;
	for (int wl = 0; wl < NR_WL; wl++)
		for (int s = 0; s < 2; s++) {
			/* precise first: the others are compared with it */
			for (int m = 2; m >= 0; m--) {
				struct mc_args a = { wl, m, shared_limits[s] };
				struct mc_run *x = &runs[wl][s][m];

				bench_progress(ctx, "mapcount: %s max_ptes_shared=%u %s",
					       wl_name[wl], a.max_ptes_shared, mode_name[m]);
				if (bench_isolate(one_run, &a, x, sizeof(*x), 60, err, sizeof(err))) {
					x->err = -EFAULT;
					snprintf(x->what, sizeof(x->what), "%s", err);
				}
				if (x->err) {
					fprintf(stderr, "mmlab bench mapcount: %s %s max_ptes_shared=%u: %s (%d)\n",
						wl_name[wl], mode_name[m], a.max_ptes_shared,
						x->what, x->err);
					ret = 1;
					continue;
				}
				emit_run(ctx, &a, x, m == 2 ? NULL : &runs[wl][s][2]);
			}
		}
	/* summary per mode: how wrong each cheap answer was, and its cost */
	for (int wl = 0; wl < NR_WL; wl++)
		for (int s = 0; s < 2; s++) {
			const struct mc_run *p = &runs[wl][s][2];

			if (p->err)
				continue;
			folios += (double)p->census.folios;
			shared += (double)p->census.precise_shared;
			for (int m = 0; m < 2; m++) {
				const struct mc_run *x = &runs[wl][s][m];

				if (x->err)
					continue;
				fn[m] += (double)(m ? x->census.maybe_fn : x->census.likely_fn);
				fp[m] += (double)(m ? x->census.maybe_fp : x->census.likely_fp);
				fn_cost[m] += x->used_kb - p->used_kb;
				sdec[m] += (double)x->audit.folios;
				sfn[m] += (double)(m ? x->audit.maybe_fn : x->audit.likely_fn);
				sfp[m] += (double)(m ? x->audit.maybe_fp : x->audit.likely_fp);
				thp_lost[m] += p->anon_thps - x->anon_thps;
			}
		}
	for (int m = 0; m < 2; m++) {
		struct bench_rec *r = bench_rec_new(ctx);

		bench_rec_str(r, "summary", mode_name[m]);
		bench_rec_num(r, "folios", folios);
		bench_rec_num(r, "precise_shared", shared);
		bench_rec_num(r, "false_negatives", fn[m]);
		bench_rec_num(r, "false_positives", fp[m]);
		bench_rec_num(r, "fn_rate", shared > 0 ? fn[m] / shared : NAN);
		bench_rec_num(r, "fp_rate", folios - shared > 0 ? fp[m] / (folios - shared) : NAN);
		bench_rec_num(r, "scan_decisions", sdec[m]);
		bench_rec_num(r, "scan_false_negatives", sfn[m]);
		bench_rec_num(r, "scan_false_positives", sfp[m]);
		bench_rec_num(r, "extra_kb_vs_precise", fn_cost[m]);
		bench_rec_num(r, "thps_refused_vs_precise", thp_lost[m]);
		bench_emit(ctx, r);
	}
	return ret;
}
