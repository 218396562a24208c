/*
 * claims.c - what the seed threads (shared/seeds/) and the kernel facts
 * claim, per mechanism, beside what this run of mmlab measured.
 *
 * Printed at the end of the text output of `mmlab bench` (`make run`).  Each
 * mechanism names the benchmark that measures it; one whose benchmark is not
 * in the registry yet prints "not measured yet (issue N)".  A benchmark that
 * lands adds a `measured` function here that turns its records (bench_find,
 * bench_get_num) into one line; without one the line points at its output.
 */
#include <math.h>
#include <string.h>

#include "bench.h"
#include "host_ipi.h"

struct claim {
	const char *seed;	/* "0".."4", or where the fact comes from */
	const char *mechanism;
	const char *claim;
	const char *bench;	/* the benchmark that measures it */
	int issue;		/* the issue that adds that benchmark */
	/* One line from the records of @bench; false when they lack it. */
	bool (*measured)(const struct bench_ctx *ctx, char *buf, size_t len);
};

/* ---- measured: one per benchmark that exists ---- */

static bool measured_tlb(const struct bench_ctx *ctx, char *buf, size_t len)
{
	size_t off = 0;

	for (int c = 0; c < HOST_IPI_NR_CASES; c++) {
		const struct bench_rec *r = bench_find(ctx, "tlb", "case",
						       host_ipi_case_name(c));
		double h, m;
		char hs[16] = "n/a", ms[16] = "-";

		if (!r)
			return false;
		if (bench_get_num(r, "host_ipis", &h))
			snprintf(hs, sizeof(hs), "%.0f", h);
		if (bench_get_num(r, "model_ipis", &m))
			snprintf(ms, sizeof(ms), "%.0f", m);
		off += snprintf(buf + off, off < len ? len - off : 0,
				"%s%s: host %s, model %s", c ? "; " : "",
				host_ipi_case_name(c), hs, ms);
	}
	return true;
}

static bool measured_core(const struct bench_ctx *ctx, char *buf, size_t len)
{
	static const char *const ops[] = {
		"anon_fault", "dontneed", "munmap", "pagemap", "fork"
	};
	size_t off = 0;

	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct bench_rec *r = bench_find(ctx, "core", "op", ops[i]);
		double ratio;

		if (!r)
			return false;
		if (bench_get_num(r, "ratio", &ratio))
			off += snprintf(buf + off, off < len ? len - off : 0,
					"%s%s %.2fx", i ? ", " : "model/host: ",
					ops[i], ratio);
		else
			off += snprintf(buf + off, off < len ? len - off : 0,
					"%s%s -", i ? ", " : "model/host: ",
					ops[i]);
	}
	return true;
}

static bool measured_lua(const struct bench_ctx *ctx, char *buf, size_t len)
{
	static const char *const ops[] = { "touch", "fill", "verify" };
	size_t off = 0;

	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct bench_rec *r = bench_find(ctx, "lua", "op", ops[i]);
		double ratio;

		if (!r)
			return false;
		if (bench_get_num(r, "ratio", &ratio))
			off += snprintf(buf + off, off < len ? len - off : 0,
					"%s%s %.2fx", i ? ", " : "Lua/C: ",
					ops[i], ratio);
		else
			off += snprintf(buf + off, off < len ? len - off : 0,
					"%s%s -", i ? ", " : "Lua/C: ", ops[i]);
	}
	return true;
}

static bool measured_ptreclaim(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *r, *off = NULL, *on = NULL, *host = NULL;
	const struct bench_rec *lk = NULL, *ll = NULL;
	const struct bench_rec *fh = bench_find(ctx, "ptreclaim", "case", "free_heavy");
	double a = NAN, b = NAN, c = NAN, d = NAN, e = NAN, f = NAN, g = NAN, h = NAN;
	double rm = NAN, iv = NAN;

	for (size_t i = 0; i < ctx->nr_recs; i++) {
		const struct bench_field *cs, *sd, *zp, *sm;

		r = ctx->recs[i];
		if (strcmp(r->bench, "ptreclaim"))
			continue;
		cs = bench_field_get(r, "case");
		sd = bench_field_get(r, "side");
		zp = bench_field_get(r, "zap");
		sm = bench_field_get(r, "scan_mode");
		if (cs && cs->type == BF_STR && !strcmp(cs->s, "seed_program") && sd &&
		    sd->type == BF_STR) {
			if (!strcmp(sd->s, "host"))
				host = r;
			else if (zp && zp->type == BF_INT)
				*(zp->i ? &on : &off) = r;
		}
		if (cs && cs->type == BF_STR && !strcmp(cs->s, "scan_mode") && sm &&
		    sm->type == BF_STR)
			*(strcmp(sm->s, "lockless") ? &lk : &ll) = r;
	}
	if (!off || !on || !host || !lk || !ll || !fh)
		return false;
	bench_get_num(off, "vmpte_after_kb", &a);
	bench_get_num(on, "vmpte_after_kb", &b);
	bench_get_num(host, "vmpte_after_kb", &c);
	bench_get_num(lk, "scan_ns_per_gib", &d);
	bench_get_num(ll, "scan_ns_per_gib", &e);
	bench_get_num(lk, "host_pagemap_ns_per_gib", &f);
	bench_get_num(lk, "fault_wait_ns", &g);
	bench_get_num(ll, "fault_wait_ns", &h);
	bench_get_num(fh, "reclaim_ms", &rm);
	bench_get_num(fh, "interval_ms", &iv);
	snprintf(buf, len, "seed program VmPTE after: model zap off %.0f kB, zap on %.0f kB, "
		 "host %.0f kB; async scan of 1 GiB populated: locked %.1f us, lockless "
		 "%.1f us vs host pagemap read %.1f ms; fault wait beside the scanner "
		 "%.1f / %.1f us; MADV_FREE'd tables all freed in %.1f ms (interval "
		 "%.0f ms); partial-unmap leftovers: see unmap_free",
		 a, b, c, d / 1e3, e / 1e3, f / 1e6, g / 1e3, h / 1e3, rm, iv);
	return true;
}

static bool measured_markers(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *m = NULL, *l = NULL;
	double over, ratio, lk, mk;
	size_t i;

	for (i = 0; i < ctx->nr_recs; i++) {
		const struct bench_rec *r = ctx->recs[i];
		const struct bench_field *c, *md;

		if (strcmp(r->bench, "markers"))
			continue;
		c = bench_field_get(r, "case");
		md = bench_field_get(r, "mode");
		if (!c || !md || c->type != BF_STR || md->type != BF_STR)
			continue;
		if (!strcmp(c->s, "swapin") && !strcmp(md->s, "marker"))
			m = r;
		if (!strcmp(c->s, "pagemap") && !strcmp(md->s, "lookup"))
			l = r;
	}
	if (!m || !l || !bench_get_num(m, "overhead_pct", &over) ||
	    !bench_get_num(l, "lookup_over_marker", &ratio))
		return false;
	if (!bench_get_num(l, "ns_per_lookup", &lk))
		lk = 0;
	mk = 0;
	bench_get_num(m, "ns_per_page", &mk);
	snprintf(buf, len, "model: swap-in %+.2f%% with PAGEOUT markers (%.0f ns/page; "
		 "goal < 1%%); pagemap lookup/marker %.2fx (%.0f ns per page-cache "
		 "lookup)", over, mk, ratio, lk);
	return true;
}

static bool measured_reclaim(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *po = bench_find(ctx, "reclaim", "case", "pageout");
	const struct bench_rec *pr = bench_find(ctx, "reclaim", "case", "pressure");
	const struct bench_rec *w = bench_find(ctx, "reclaim", "case", "swap_write");
	const struct bench_rec *rd = bench_find(ctx, "reclaim", "case", "swap_read");
	double a = NAN, b = NAN, c = NAN, d = NAN, e = NAN, f = NAN;

	if (!po || !pr || !w || !rd)
		return false;
	bench_get_num(po, "ipis_per_page", &a);
	bench_get_num(po, "shootdowns_per_page", &b);
	bench_get_num(pr, "ipis_per_page", &c);
	bench_get_num(pr, "shootdowns_per_page", &d);
	bench_get_num(w, "ratio", &e);
	bench_get_num(rd, "ratio", &f);
	snprintf(buf, len, "batched (default): MADV_PAGEOUT %.3f IPIs, %.3f shootdowns "
		 "per page; under pressure %.3f IPIs, %.3f shootdowns per page; "
		 "unbatched: no switch yet; swap write/read at %.2f/%.2f of the raw file",
		 a, b, c, d, e, f);
	return true;
}

/* issue 7: LUF off vs on, from `mmlab bench luf` */
static bool measured_luf(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *r;
	double red = NAN, rt = NAN, stale = NAN, alloc = NAN;

	for (size_t i = 0; i < ctx->nr_recs; i++) {
		r = ctx->recs[i];
		if (strcmp(r->bench, "luf"))
			continue;
		if (bench_get_num(r, "ipi_reduction_pct", &red))
			bench_get_num(r, "runtime_change_pct", &rt);
		else if (bench_field_get(r, "luf") && bench_field_get(r, "luf")->i == 1) {
			bench_get_num(r, "stale_tlb_reports", &stale);
			bench_get_num(r, "alloc_flush_ipis", &alloc);
		}
	}
	if (isnan(red))
		return false;
	snprintf(buf, len, "tiered read-mostly workload, 8 CPUs: TLB shootdown IPIs %+.1f%%, "
		 "simulated runtime %+.1f%%; with LUF on %.0f stale-TLB reports, %.0f "
		 "allocator flush IPIs", -red, rt, stale, alloc);
	return true;
}

/* The first record of @bench whose string fields @k1 = @v1 and @k2 = @v2
 * (and, when @k3, the integer field @k3 = @v3). */
static const struct bench_rec *find2(const struct bench_ctx *ctx, const char *bench,
				     const char *k1, const char *v1, const char *k2,
				     const char *v2, const char *k3, int64_t v3)
{
	for (size_t i = 0; i < ctx->nr_recs; i++) {
		const struct bench_rec *r = ctx->recs[i];
		const struct bench_field *a = bench_field_get(r, k1), *b = bench_field_get(r, k2);
		const struct bench_field *c = k3 ? bench_field_get(r, k3) : NULL;

		if (strcmp(r->bench, bench) || !a || !b || a->type != BF_STR || b->type != BF_STR ||
		    strcmp(a->s, v1) || strcmp(b->s, v2))
			continue;
		if (k3 && (!c || c->type != BF_INT || c->i != v3))
			continue;
		return r;
	}
	return NULL;
}

/* seed 2: likely/maybe vs precise, from `mmlab bench mapcount` */
static bool measured_mapcount(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *l = bench_find(ctx, "mapcount", "summary", "likely");
	const struct bench_rec *m = bench_find(ctx, "mapcount", "summary", "maybe");
	const struct bench_rec *x = find2(ctx, "mapcount", "workload", "seed2_extreme", "mode",
					  "likely", "max_ptes_shared", 0);
	double lfn = NAN, lkb = NAN, mfp = NAN, mthp = NAN, xkb = NAN, xc = NAN;

	if (!l || !m)
		return false;
	bench_get_num(l, "false_negatives", &lfn);
	bench_get_num(l, "extra_kb_vs_precise", &lkb);
	bench_get_num(m, "false_positives", &mfp);
	bench_get_num(m, "thps_refused_vs_precise", &mthp);
	if (x) {
		bench_get_num(x, "extra_kb", &xkb);
		bench_get_num(x, "collapses", &xc);
	}
	snprintf(buf, len, "seed 2's layout, max_ptes_shared=0: likely lets khugepaged "
		 "collapse %.0f shared ranges, %+.0f kB (%.2f MiB per collapse); over all "
		 "workloads likely: %.0f false negatives, %+.0f kB vs precise; maybe: 0 false "
		 "negatives by design, %.0f false positives (>2 mms), %.0f THPs refused",
		 xc, xkb, xc > 0 ? xkb / xc / 1024 : NAN, lfn, lkb, mfp, mthp);
	return true;
}

/* seed 4: collapse locking and max_ptes_none, from `mmlab bench collapse` */
static bool measured_collapse(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *w = bench_find(ctx, "collapse", "locking", "mmap_write");
	const struct bench_rec *p = bench_find(ctx, "collapse", "locking", "pte_locks");
	const struct bench_rec *i = bench_find(ctx, "collapse", "locking", "idle");
	double wf = NAN, pf = NAN, idf = NAN, hf = NAN, wm = NAN, pm = NAN;

	if (!w || !p || !i)
		return false;
	bench_get_num(w, "faults_per_s", &wf);
	bench_get_num(p, "faults_per_s", &pf);
	bench_get_num(i, "faults_per_s", &idf);
	bench_get_num(w, "host_faults_per_s", &hf);
	bench_get_num(w, "fault_ns_mean", &wm);
	bench_get_num(p, "fault_ns_mean", &pm);
	snprintf(buf, len, "faults elsewhere in the mm during collapses: mmap_write %.0fk/s "
		 "(mean %.1f us), pte_locks %.0fk/s (mean %.1f us), idle %.0fk/s; host kernel "
		 "(mmap_write, per-VMA fault locks) %.0fk/s",
		 wf / 1e3, wm / 1e3, pf / 1e3, pm / 1e3, idf / 1e3, hf / 1e3);
	return true;
}

/* ---- the table ---- */

static const struct claim claims[] = {
	{ "issue 2", "Model speed (the foundation)",
	  "goal: model/host >= 2 for anon faults, >= 1 for DONTNEED, munmap, "
	  "pagemap, fork; host measured earlier: 0.61M faults/s, 7.5M DONTNEED "
	  "pages/s, 8.3M munmap pages/s, 68M pagemap entries/s, 11.6 ms per fork "
	  "of 1 GiB",
	  "core", 2, measured_core },
	{ "kernel facts", "TLB shootdowns (x86 flush_tlb_mm_range)",
	  "the host kernel sends 1 IPI to a running peer thread for munmap of a "
	  "touched page, 2 for mprotect RO then RW of a touched page, 0 for an "
	  "untouched page",
	  "tlb", 2, measured_tlb },
	{ "issue 3", "Scenario API speed (Lua over the C API)",
	  "goal: p:touch, p:fill and p:verify of 1 GiB through the Lua scenario "
	  "API (model backend) run at >= 0.8 of the speed of the same loop "
	  "through the C API",
	  "lua", 3, measured_lua },
	{ "0", "Freeing empty PTE tables (PT reclaim)",
	  "mmap 50G; 25600 x {touch 2M; MADV_DONTNEED 2M}: VmPTE 102640 kB "
	  "before, 240 kB after; production VmPTE 110 GB against ~1.2 GB needed",
	  "ptreclaim", 5, measured_ptreclaim },
	{ "upstream", "Batched unmap TLB flush (TTU_BATCH_FLUSH)",
	  "reclaim batches shootdowns; one additional flush per reclaim cycle, "
	  "paid by the first operation at risk (flush_tlb_batched_pending)",
	  "reclaim", 4, measured_reclaim },
	{ "1", "LUF: lazy unmap flush for reclaim and migration",
	  "TLB shootdown interrupts -97%, runtime -4.5% (v12, 3 x llama.cpp, DRAM "
	  "+ CXL tiering); series title: \"reducing tlb numbers over 90%\"; "
	  "munmap after a lazy unmap must still flush (Dave Hansen)",
	  "luf", 7, measured_luf },
	{ "2", "folio_likely_mapped_shared in khugepaged",
	  "false negatives: 256 subpages of a 2M folio shared with a child, first "
	  "subpage unmapped, reads as exclusive: up to ~1 MiB wasted per 2 MiB; "
	  "injecting \"true\" fails khugepaged selftests, \"false\" only moves a "
	  "counter",
	  "mapcount", 8, measured_mapcount },
	{ "3", "PTE markers: PM_SWAP for shmem",
	  "swap-in of 1 GB shmem: -0.82% with PAGEOUT markers (-0.04% with markers "
	  "compiled in); the page-cache lookup alternative makes shmem pagemap "
	  "reads ~4x slower, markers cost pagemap nothing",
	  "markers", 6, measured_markers },
	{ "4", "mTHP collapse and its locking",
	  "mmap write lock + clearing the PMD and flushing isolates the PTE table: "
	  "simpler to get right than mmap read lock + PTE locks (no figures given)",
	  "collapse", 8, measured_collapse },
};

/* "  label:    text", wrapped at 80 columns under the text's first column. */
static void print_wrapped(FILE *out, const char *label, const char *text)
{
	const int indent = 12, width = 80;
	int col = fprintf(out, "  %-*s", indent - 2, label);

	while (*text) {
		size_t w = strcspn(text, " ");

		if (col > indent && col + 1 + (int)w > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		col += fprintf(out, "%.*s", (int)w, text);
		text += w;
		while (*text == ' ')
			text++;
	}
	fputc('\n', out);
}

static bool selected(const char *bench, const char *const *names, size_t nr)
{
	if (!nr)
		return true;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(names[i], bench))
			return true;
	return false;
}

void bench_print_claims(struct bench_ctx *ctx, const char *const *names,
			size_t nr)
{
	FILE *out = ctx->out;
	bool header = false;
	char buf[512];

	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		const struct claim *c = &claims[i];
		const char *seed_pfx = strlen(c->seed) == 1 ? "seed " : "";

		/* A named run shows only the claims of what it ran. */
		if (!selected(c->bench, names, nr))
			continue;
		if (!header) {
			fprintf(out, "\n== claims: what the seeds claim, and what "
				"mmlab measured\n");
			header = true;
		}
		fprintf(out, "\n%s%s: %s\n", seed_pfx, c->seed, c->mechanism);
		print_wrapped(out, "claim:", c->claim);
		if (!bench_lookup(c->bench))
			snprintf(buf, sizeof(buf),
				 "not measured yet (issue %d, mmlab bench %s)",
				 c->issue, c->bench);
		else if (!bench_ran(ctx, c->bench))
			snprintf(buf, sizeof(buf), "not run (mmlab bench %s)",
				 c->bench);
		else if (!c->measured || !c->measured(ctx, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "see mmlab bench %s above",
				 c->bench);
		print_wrapped(out, "measured:", buf);
	}
}
