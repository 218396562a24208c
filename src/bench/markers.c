/*
 * markers.c - `mmlab bench markers`: the cost of PM_SWAP
 * for shmem on the model, /sys/kernel/mm/mmlab/shmem_pm_swap = off, marker
 * (the RFC: pageout leaves a PTE_MARKER_PAGEOUT) or lookup (the
 * alternative: pagemap looks the page cache up for every none PTE).
 *
 * Records, `case` and `mode`:
 * - swapin, off / marker: S = --size (default 1 GiB) of shmem (a shared
 *   memfd mapping) is written, paged out with MADV_PAGEOUT, the swap cache
 *   pushed out (a hog process writes as much as the machine holds), then faulted back
 *   sequentially, one read per page; only the fault-back is timed.
 *   `swapin_ns` (best of --reps, modes alternating which goes first),
 *   `ns_per_page`, `pswpin_per_page` (1: every page came from the swap
 *   file); on the marker row `overhead_pct` = marker / off - 1 (seed:
 *   0.82 %, goal under 1 %).
 * - pagemap, off / marker / lookup: S of shmem with every other page paged
 *   out; the whole range's pagemap read in 4096-entry chunks (a 32 KiB read
 *   buffer), 9 times per set-up.  `ns_per_entry` (best read of all), `swap_entries` reported
 *   (off: 0; marker and lookup: S/8K), `page_cache_lookups` the read needs
 *   (lookup: one per none PTE, the paged-out half; 0 otherwise) and
 *   `ns_per_lookup` = the lookup mode's extra cost over marker per
 *   page-cache lookup; on the lookup row `lookup_over_marker` (seed: about
 *   4x).
 *
 * Model only (shmem_pm_swap does not exist on the host); --host-only
 * reports nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mmlab/mmlab.h>

#include "bench.h"

#define PG	MMLAB_PAGE_SIZE
#define MIB	(1ULL << 20)
#define RW	(PROT_READ | PROT_WRITE)
#define KNOB	"/sys/kernel/mm/mmlab/shmem_pm_swap"
#define CHUNK	4096
#define READS	9	/* reads of the whole range per set-up: the best counts */

enum { OFF, MARKER, LOOKUP, NR_MODES };
static const char *const mode_name[] = { "off", "marker", "lookup" };

struct markers_args {
	uint64_t size;
	unsigned int reps;
};

struct markers_out {
	double swapin_ns[2];		/* off, marker: best */
	double pswpin_per_page[2];
	double pagemap_ns[NR_MODES];	/* best, whole range */
	double swap_entries[NR_MODES];
	int err;
	char what[160];
};

/* A shared memfd mapping of @size in a new process. */
static int shmem_proc(struct mmlab_proc **pp, uint64_t size, uint64_t *addr)
{
	struct mmlab_proc *p = NULL;
	int fd, ret = mmlab_spawn(&p);

	if (ret)
		return ret;
	fd = mmlab_memfd(p, "markers", size);
	if (fd < 0) {
		mmlab_exit(p);
		return fd;
	}
	ret = mmlab_mmap(mmlab_main_task(p), 0, size, RW, MAP_SHARED, fd, 0, addr);
	if (!ret)
		ret = mmlab_madvise(mmlab_main_task(p), *addr, size, MADV_NOHUGEPAGE);
	if (!ret)
		ret = mmlab_close(p, fd);	/* the mapping keeps the file */
	if (ret) {
		mmlab_exit(p);
		return ret;
	}
	*pp = p;
	return 0;
}

/* Push clean swap-cache pages out: a process writes @len of anonymous memory. */
static int squeeze(uint64_t len)
{
	struct mmlab_proc *h = NULL;
	uint64_t a = 0, fa = 0;
	int ret = mmlab_spawn(&h);

	if (ret)
		return ret;
	ret = mmlab_mmap(mmlab_main_task(h), 0, len, RW, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0, &a);
	if (!ret)
		ret = mmlab_touch(mmlab_main_task(h), a, len, true, &fa);
	mmlab_exit(h);
	return ret > 0 ? -EFAULT : ret;
}

static int swapin_rep(struct markers_out *o, const struct markers_args *a, int mode)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t addr = 0, fa = 0, in0, npages = a->size / PG;
	double t0, dt;
	int ret;

	ret = mmlab_knob_set(KNOB, mode_name[mode]);
	if (!ret)
		ret = shmem_proc(&p, a->size, &addr);
	if (ret)
		return bench_fail(o, ret, "swapin: set-up");
	t = mmlab_main_task(p);
	ret = mmlab_touch(t, addr, a->size, true, &fa);
	if (!ret)
		ret = mmlab_madvise(t, addr, a->size, MADV_PAGEOUT);
	if (!ret)
		ret = squeeze(a->size + a->size / 4 + 64 * MIB);	/* the machine's size */
	if (ret) {
		mmlab_exit(p);
		return bench_fail(o, ret > 0 ? -EFAULT : ret, "swapin: pageout");
	}
	in0 = bench_vm("pswpin");
	t0 = bench_now();
	ret = mmlab_touch(t, addr, a->size, false, &fa);
	dt = (bench_now() - t0) * 1e9;
	if (ret) {
		mmlab_exit(p);
		return bench_fail(o, ret > 0 ? -EFAULT : ret, "swapin: fault back");
	}
	o->pswpin_per_page[mode] = (double)(bench_vm("pswpin") - in0) / (double)npages;
	if (!o->swapin_ns[mode] || dt < o->swapin_ns[mode])
		o->swapin_ns[mode] = dt;
	mmlab_exit(p);
	return 0;
}

static int pagemap_rep(struct markers_out *o, const struct markers_args *a, int mode)
{
	static uint64_t buf[CHUNK];
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t addr = 0, fa = 0, npages = a->size / PG, i, swp = 0;
	double t0, dt;
	int ret;

	/* pageout under the mode: marker installs markers, the others none */
	ret = mmlab_knob_set(KNOB, mode_name[mode]);
	if (!ret)
		ret = shmem_proc(&p, a->size, &addr);
	if (ret)
		return bench_fail(o, ret, "pagemap: set-up");
	t = mmlab_main_task(p);
	ret = mmlab_touch(t, addr, a->size, true, &fa);
	for (i = 0; i < npages && !ret; i += 2)
		ret = mmlab_madvise(t, addr + i * PG, PG, MADV_PAGEOUT);
	if (ret) {
		mmlab_exit(p);
		return bench_fail(o, ret > 0 ? -EFAULT : ret, "pagemap: pageout");
	}
	for (int r = 0; r < READS && !ret; r++) {
		swp = 0;
		t0 = bench_now();
		for (i = 0; i < npages && !ret; i += CHUNK) {
			uint64_t n = npages - i < CHUNK ? npages - i : CHUNK;

			ret = mmlab_pagemap(p, addr + i * PG, n, buf);
			for (uint64_t k = 0; k < n; k++)
				swp += !!(buf[k] & MMLAB_PM_SWAP);
		}
		dt = (bench_now() - t0) * 1e9;
		if (!ret && (!o->pagemap_ns[mode] || dt < o->pagemap_ns[mode]))
			o->pagemap_ns[mode] = dt;
	}
	mmlab_exit(p);
	if (ret)
		return bench_fail(o, ret, "pagemap: read");
	o->swap_entries[mode] = (double)swp;
	return 0;
}

static void model_side(void *arg, void *out)
{
	const struct markers_args *a = arg;
	struct markers_out *o = out;
	struct mmlab_config cfg;
	int ret;

	mmlab_config_default(&cfg);
	cfg.node_bytes[0] = a->size + a->size / 4 + 64 * MIB;
	ret = mmlab_machine_create(&cfg);
	if (ret) {
		bench_fail(o, ret, "machine");
		return;
	}
	ret = mmlab_swapon(2 * a->size + 64 * MIB);
	if (ret < 0) {
		bench_fail(o, ret, "swapon");
		goto out;
	}
	for (unsigned int rep = 0; rep < a->reps && !o->err; rep++) {
		int first = rep & 1;

		if (swapin_rep(o, a, first ? MARKER : OFF) ||
		    swapin_rep(o, a, first ? OFF : MARKER))
			break;
	}
	for (unsigned int rep = 0; rep < a->reps && !o->err; rep++)
		for (int m = 0; m < NR_MODES && !o->err; m++)
			pagemap_rep(o, a, (m + rep) % NR_MODES);
out:
	mmlab_machine_destroy();
}

int bench_markers(struct bench_ctx *ctx)
{
	struct markers_args a = {
		.size = ctx->opts.size & ~(2 * PG - 1),
		.reps = ctx->opts.reps ? ctx->opts.reps : 1,
	};
	struct markers_out o;
	double npages, lookups, over = 0, ratio = 0;
	struct bench_rec *r;
	char err[128];
	int ret = 0;

	if (a.size < 4 * MIB)
		a.size = 4 * MIB;
	if (ctx->opts.host_only)
		return 0;
	npages = (double)(a.size / PG);
	memset(&o, 0, sizeof(o));
	bench_progress(ctx, "markers: %u x %llu MiB", a.reps,
		       (unsigned long long)(a.size >> 20));
	if (bench_isolate(model_side, &a, &o, sizeof(o),
			  300 * (unsigned int)(a.size / (128 * MIB) + 1), err, sizeof(err))) {
		memset(&o, 0, sizeof(o));
		o.err = -EIO;
		snprintf(o.what, sizeof(o.what), "model %s", err);
	}
	if (o.err) {
		fprintf(stderr, "mmlab bench markers: %s\n", o.what);
		ret = 1;
	}
	if (o.swapin_ns[OFF] > 0 && o.swapin_ns[MARKER] > 0)
		over = (o.swapin_ns[MARKER] / o.swapin_ns[OFF] - 1) * 100;
	for (int m = OFF; m <= MARKER; m++) {
		r = bench_rec_new(ctx);
		bench_rec_str(r, "case", "swapin");
		bench_rec_str(r, "mode", mode_name[m]);
		bench_rec_int(r, "size_mib", (int64_t)(a.size >> 20));
		if (o.swapin_ns[m] > 0) {
			bench_rec_num(r, "swapin_ns", o.swapin_ns[m]);
			bench_rec_num(r, "ns_per_page", o.swapin_ns[m] / npages);
			bench_rec_num(r, "pswpin_per_page", o.pswpin_per_page[m]);
		} else {
			bench_rec_null(r, "swapin_ns");
			bench_rec_null(r, "ns_per_page");
			bench_rec_null(r, "pswpin_per_page");
		}
		if (m == MARKER && o.swapin_ns[OFF] > 0 && o.swapin_ns[MARKER] > 0) {
			bench_rec_num(r, "overhead_pct", over);
			bench_rec_str(r, "verdict", over < 1.0 ? "pass" : "miss");
		} else {
			bench_rec_null(r, "overhead_pct");
			bench_rec_str(r, "verdict", "n/a");
		}
		bench_rec_num(r, "rfc_overhead_pct", 0.82);
		bench_rec_num(r, "goal_pct", 1.0);
		bench_emit(ctx, r);
	}
	lookups = npages / 2;	/* the paged-out half: none PTEs */
	if (o.pagemap_ns[MARKER] > 0 && o.pagemap_ns[LOOKUP] > 0)
		ratio = o.pagemap_ns[LOOKUP] / o.pagemap_ns[MARKER];
	for (int m = 0; m < NR_MODES; m++) {
		r = bench_rec_new(ctx);
		bench_rec_str(r, "case", "pagemap");
		bench_rec_str(r, "mode", mode_name[m]);
		bench_rec_int(r, "size_mib", (int64_t)(a.size >> 20));
		if (o.pagemap_ns[m] > 0) {
			bench_rec_num(r, "ns_per_entry", o.pagemap_ns[m] / npages);
			bench_rec_num(r, "swap_entries", o.swap_entries[m]);
		} else {
			bench_rec_null(r, "ns_per_entry");
			bench_rec_null(r, "swap_entries");
		}
		bench_rec_num(r, "page_cache_lookups", m == LOOKUP ? lookups : 0);
		if (m == LOOKUP && ratio > 0) {
			bench_rec_num(r, "ns_per_lookup",
				      (o.pagemap_ns[LOOKUP] - o.pagemap_ns[MARKER]) / lookups);
			bench_rec_num(r, "lookup_over_marker", ratio);
		} else {
			bench_rec_null(r, "ns_per_lookup");
			bench_rec_null(r, "lookup_over_marker");
		}
		bench_rec_num(r, "rfc_lookup_over_marker", 4.0);
		bench_emit(ctx, r);
	}
	return ret;
}
