/*
 * claims.c - what is claimed about each mechanism (its patch series, the
 * kernel, or mmlab's own goals), per mechanism, beside what this run of
 * mmlab measured.
 *
 * Printed at the end of the text output of `mmlab bench` (`make bench`).  Each
 * mechanism names the benchmark that measures it; one whose benchmark is not
 * in the registry prints "not measured yet".  A benchmark adds a `measured`
 * function here that turns its records (bench_find, bench_get_num) into one
 * line of measured figures only, each labelled with where it comes from:
 * [counted events] (the model's event counters), [simulated clock] (the cost
 * model's cycles), [wall clock] (host time of the run) or [host kernel]
 * (measured on the kernel of this machine).  A figure the run lacks prints
 * as "n/a".
 */
#include <math.h>
#include <string.h>

#include "bench.h"
#include "host_ipi.h"

#define EV	"[counted events]"
#define SIM	"[simulated clock]"
#define WALL	"[wall clock]"
#define HOST	"[host kernel]"

struct claim {
	const char *who;	/* who claims it */
	const char *mechanism;
	const char *claim;
	const char *bench;	/* the benchmark that measures it */
	/* One line from the records of @bench; false when they lack it. */
	bool (*measured)(const struct bench_ctx *ctx, char *buf, size_t len);
};

/* A field as a double, NAN when the record or the field is missing. */
static double num(const struct bench_rec *r, const char *key)
{
	double v;

	return r && bench_get_num(r, key, &v) ? v : NAN;
}

/* ---- measured: one per benchmark that exists ---- */

/* "%.Nf" of @v, or "n/a" when it is not a number. */
static const char *fmt(char *b, size_t n, const char *f, double v)
{
	if (isnan(v))
		snprintf(b, n, "n/a");
	else
		snprintf(b, n, f, v);
	return b;
}

static bool measured_tlb(const struct bench_ctx *ctx, char *buf, size_t len)
{
	size_t off = 0;

	for (int c = 0; c < HOST_IPI_NR_CASES; c++) {
		const struct bench_rec *r = bench_find(ctx, "tlb", "case",
						       host_ipi_case_name(c));
		char hs[16], ms[16];

		if (!r)
			return false;
		off += snprintf(buf + off, off < len ? len - off : 0,
				"%s%s: host %s " HOST ", model %s " EV, c ? "; " : "",
				host_ipi_case_name(c), fmt(hs, sizeof(hs), "%.0f",
							   num(r, "host_ipis")),
				fmt(ms, sizeof(ms), "%.0f", num(r, "model_ipis")));
	}
	return true;
}

/* "model/host: a 1.20x, b 0.90x" for @ops of @bench (their "ratio"). */
static bool ratios(const struct bench_ctx *ctx, const char *bench, const char *what,
		   const char *const *ops, unsigned int n, char *buf, size_t len)
{
	size_t off = snprintf(buf, len, "%s:", what);

	for (unsigned int i = 0; i < n; i++) {
		const struct bench_rec *r = bench_find(ctx, bench, "op", ops[i]);
		char v[16];

		if (!r)
			return false;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s %s %s",
				i ? "," : "", ops[i], fmt(v, sizeof(v), "%.2fx", num(r, "ratio")));
	}
	return true;
}

static bool measured_core(const struct bench_ctx *ctx, char *buf, size_t len)
{
	static const char *const ops[] = {
		"anon_fault", "dontneed", "munmap", "pagemap", "fork"
	};

	return ratios(ctx, "core", "model/host " WALL " against the " HOST, ops, 5, buf, len);
}

static bool measured_lua(const struct bench_ctx *ctx, char *buf, size_t len)
{
	static const char *const ops[] = { "touch", "fill", "verify" };

	return ratios(ctx, "lua", "Lua/C " WALL, ops, 3, buf, len);
}

/* The record of `mmlab bench ptreclaim` with case @c and scan_mode @m. */
static const struct bench_rec *pr_rec(const struct bench_ctx *ctx, const char *c,
				      const char *m)
{
	for (size_t i = 0; i < ctx->nr_recs; i++) {
		const struct bench_rec *r = ctx->recs[i];
		const struct bench_field *cs = bench_field_get(r, "case");
		const struct bench_field *sm = bench_field_get(r, "scan_mode");

		if (!strcmp(r->bench, "ptreclaim") && cs && cs->type == BF_STR &&
		    !strcmp(cs->s, c) && sm && sm->type == BF_STR && !strcmp(sm->s, m))
			return r;
	}
	return NULL;
}

/* The 50 GiB program's record of @side (and zap @zap for the model). */
static const struct bench_rec *pr_program(const struct bench_ctx *ctx, const char *side,
					  int zap)
{
	for (size_t i = 0; i < ctx->nr_recs; i++) {
		const struct bench_rec *r = ctx->recs[i];
		const struct bench_field *cs = bench_field_get(r, "case");
		const struct bench_field *sd = bench_field_get(r, "side");
		const struct bench_field *zp = bench_field_get(r, "zap");

		if (strcmp(r->bench, "ptreclaim") || !cs || cs->type != BF_STR ||
		    strcmp(cs->s, "rfc_program") || !sd || sd->type != BF_STR ||
		    strcmp(sd->s, side))
			continue;
		if (zap < 0 || (zp && zp->type == BF_INT && zp->i == zap))
			return r;
	}
	return NULL;
}

/* "locked a us, lockless b us vs host c ms" for case @c. */
static size_t pr_scan(const struct bench_ctx *ctx, const char *c, char *buf, size_t len)
{
	const struct bench_rec *lk = pr_rec(ctx, c, "locked"), *ll = pr_rec(ctx, c, "lockless");
	char a[24], b[24], h[24];

	return snprintf(buf, len, "locked %s us, lockless %s us " WALL " vs the host's "
			"pagemap read %s ms " HOST,
			fmt(a, sizeof(a), "%.1f", num(lk, "scan_ns_per_gib") / 1e3),
			fmt(b, sizeof(b), "%.1f", num(ll, "scan_ns_per_gib") / 1e3),
			fmt(h, sizeof(h), "%.2f", num(lk, "host_pagemap_ns_per_gib") / 1e6));
}

static bool measured_ptreclaim(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *fh = pr_rec(ctx, "free_heavy", "locked");
	const struct bench_rec *lk = pr_rec(ctx, "scan_mode", "locked");
	const struct bench_rec *ll = pr_rec(ctx, "scan_mode", "lockless");
	const struct bench_rec *rz0, *rz1;
	char z0[24], z1[24], h[24], w0[24], w1[24], rm[24];
	size_t off;

	if (!fh || !lk || !ll)
		return false;
	off = snprintf(buf, len, "the 50 GiB program's VmPTE after: model zap off %s kB, "
		       "zap on %s kB " EV ", host %s kB " HOST "; scan of 1 GiB: populated ",
		       fmt(z0, sizeof(z0), "%.0f",
			   num(pr_program(ctx, "model", 0), "vmpte_after_kb")),
		       fmt(z1, sizeof(z1), "%.0f",
			   num(pr_program(ctx, "model", 1), "vmpte_after_kb")),
		       fmt(h, sizeof(h), "%.0f", num(pr_program(ctx, "host", -1), "vmpte_after_kb")));
	off += pr_scan(ctx, "scan_mode", buf + off, off < len ? len - off : 0);
	off += snprintf(buf + off, off < len ? len - off : 0, "; best case (1 entry read "
			"per table) ");
	off += pr_scan(ctx, "scan_best", buf + off, off < len ? len - off : 0);
	off += snprintf(buf + off, off < len ? len - off : 0, "; worst case (all 512 read) ");
	off += pr_scan(ctx, "scan_worst", buf + off, off < len ? len - off : 0);
	off += snprintf(buf + off, off < len ? len - off : 0, "; empty tables (read and "
			"freed) ");
	off += pr_scan(ctx, "scan_empty", buf + off, off < len ? len - off : 0);
	snprintf(buf + off, off < len ? len - off : 0, "; fault wait beside the scanner "
		 "%s / %s us " WALL "; MADV_FREE'd tables all freed in %s ms " WALL
		 " (interval %.0f ms)",
		 fmt(w0, sizeof(w0), "%.1f", num(lk, "fault_wait_ns") / 1e3),
		 fmt(w1, sizeof(w1), "%.1f", num(ll, "fault_wait_ns") / 1e3),
		 fmt(rm, sizeof(rm), "%.1f", num(fh, "reclaim_ms")), num(fh, "interval_ms"));
	off = strlen(buf);
	rz0 = bench_find(ctx, "ptreclaim", "side", "zap_off");
	rz1 = bench_find(ctx, "ptreclaim", "side", "zap_on");
	if (rz0 && rz1 && off < len)
		snprintf(buf + off, len - off, "; recorded python3 buffer pool: VmPTE at the "
			 "end zap off %s kB, on %s kB " EV,
			 fmt(z0, sizeof(z0), "%.0f", num(rz0, "vmpte_after_kb")),
			 fmt(z1, sizeof(z1), "%.0f", num(rz1, "vmpte_after_kb")));
	return true;
}

static bool measured_markers(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *m = NULL, *l = NULL;

	for (size_t i = 0; i < ctx->nr_recs; i++) {
		const struct bench_rec *r = ctx->recs[i];
		const struct bench_field *c = bench_field_get(r, "case");
		const struct bench_field *md = bench_field_get(r, "mode");

		if (strcmp(r->bench, "markers") || !c || !md || c->type != BF_STR ||
		    md->type != BF_STR)
			continue;
		if (!strcmp(c->s, "swapin") && !strcmp(md->s, "marker"))
			m = r;
		if (!strcmp(c->s, "pagemap") && !strcmp(md->s, "lookup"))
			l = r;
	}
	if (!m || !l)
		return false;
	snprintf(buf, len, "swap-in %+.2f%% with PAGEOUT markers (%.0f ns/page) " WALL
		 "; pagemap, lookup against markers %.2fx (%.0f ns per page-cache lookup) "
		 WALL ", %.0f page-cache lookups " EV, num(m, "overhead_pct"),
		 num(m, "ns_per_page"), num(l, "lookup_over_marker"), num(l, "ns_per_lookup"),
		 num(l, "page_cache_lookups"));
	return true;
}

static bool measured_reclaim(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *po = bench_find(ctx, "reclaim", "case", "pageout");
	const struct bench_rec *pc = bench_find(ctx, "reclaim", "case", "pageout_clean");
	const struct bench_rec *pr = bench_find(ctx, "reclaim", "case", "pressure");
	const struct bench_rec *w = bench_find(ctx, "reclaim", "case", "swap_write");
	const struct bench_rec *rd = bench_find(ctx, "reclaim", "case", "swap_read");

	if (!po || !pc || !pr || !w || !rd)
		return false;
	snprintf(buf, len, "IPIs per reclaimed page, batched / unbatched " EV ": MADV_PAGEOUT "
		 "of written data %.3f / %.3f (each dirty page is flushed before its write), "
		 "of clean data read back from swap %.4f / %.3f, under memory pressure "
		 "%.3f / %.3f; swap write/read at %.2f/%.2f of the raw file " WALL,
		 num(po, "ipis_per_page"), num(po, "unbatched_ipis_per_page"),
		 num(pc, "ipis_per_page"), num(pc, "unbatched_ipis_per_page"),
		 num(pr, "ipis_per_page"), num(pr, "unbatched_ipis_per_page"),
		 num(w, "ratio"), num(rd, "ratio"));
	return true;
}

/* LUF off vs on, from `mmlab bench luf` */
static bool measured_luf(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *s = NULL, *off = NULL, *on = NULL, *rs = NULL;
	const struct bench_field *v, *why;
	size_t off_n;

	for (size_t i = 0; i < ctx->nr_recs; i++) {
		const struct bench_rec *r = ctx->recs[i];
		const struct bench_field *f = bench_field_get(r, "luf");

		if (strcmp(r->bench, "luf"))
			continue;
		if (bench_field_get(r, "case")) {	/* the recorded case */
			if (bench_field_get(r, "ipi_reduction_pct"))
				rs = r;
			continue;
		}
		if (bench_field_get(r, "ipi_reduction_pct"))
			s = r;
		else if (f && f->type == BF_INT)
			*(f->i ? &on : &off) = r;
	}
	if (!s || !off || !on)
		return false;
	v = bench_field_get(s, "verdict");
	why = bench_field_get(s, "verdict_why");
	off_n = snprintf(buf, len, "tiered read-mostly workload, 8 CPUs: all TLB shootdown IPIs "
		 "%.0f -> %.0f, %+.1f%% " EV "; work ratio (folios migrated + reclaimed, on / "
		 "off) %.3f " EV "; %.0f stale-TLB reports with LUF on " EV "; runtime %+.1f%% "
		 SIM ", %+.1f%% " WALL "; verdict %s (%s)", num(off, "shootdown_ipis"),
		 num(on, "shootdown_ipis"), -num(s, "ipi_reduction_pct"), num(s, "work_ratio"),
		 num(on, "stale_tlb_reports"), num(s, "runtime_change_sim_pct"),
		 num(s, "runtime_change_wall_pct"), v && v->type == BF_STR ? v->s : "n/a",
		 why && why->type == BF_STR ? why->s : "");
	if (rs && off_n < len)
		snprintf(buf + off_n, len - off_n, "; recorded zstd -T2, every page migrated "
			 "each 1 M accesses: IPIs %+.1f%%, work ratio %.3f " EV,
			 -num(rs, "ipi_reduction_pct"), num(rs, "work_ratio"));
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

/* likely/maybe vs precise, from `mmlab bench mapcount` */
static bool measured_mapcount(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *l = bench_find(ctx, "mapcount", "summary", "likely");
	const struct bench_rec *m = bench_find(ctx, "mapcount", "summary", "maybe");
	const struct bench_rec *x = find2(ctx, "mapcount", "workload", "subrange_shared", "mode",
					  "likely", "max_ptes_shared", 0);
	double xkb = num(x, "extra_kb"), xc = num(x, "collapses");

	if (!l || !m)
		return false;
	snprintf(buf, len, "the reported layout, max_ptes_shared=0: likely lets khugepaged "
		 "collapse %.0f shared ranges, %+.0f kB (%.2f MiB per collapse) " EV "; over "
		 "all workloads (census of every mapped large folio against the exact per-mm "
		 "counts) likely: %.0f false negatives, %.0f false positives, %+.0f kB vs "
		 "precise; maybe: %.0f false negatives, %.0f false positives (folios mapped by "
		 "more than 2 mms), %.0f THPs refused " EV, xc, xkb,
		 xc > 0 ? xkb / xc / 1024 : NAN, num(l, "false_negatives"),
		 num(l, "false_positives"), num(l, "extra_kb_vs_precise"),
		 num(m, "false_negatives"), num(m, "false_positives"),
		 num(m, "thps_refused_vs_precise"));
	return true;
}

/* collapse locking, from `mmlab bench collapse` */
static bool measured_collapse(const struct bench_ctx *ctx, char *buf, size_t len)
{
	const struct bench_rec *w = bench_find(ctx, "collapse", "locking", "mmap_write");
	const struct bench_rec *p = bench_find(ctx, "collapse", "locking", "pte_locks");
	const struct bench_rec *i = bench_find(ctx, "collapse", "locking", "idle");

	if (!w || !p || !i)
		return false;
	snprintf(buf, len, "faults elsewhere in the mm during collapses: mmap_write %.0fk/s "
		 "(mean %.1f us), pte_locks %.0fk/s (mean %.1f us), idle %.0fk/s " WALL
		 "; the host kernel (mmap_write, per-VMA fault locks) %.0fk/s " HOST,
		 num(w, "faults_per_s") / 1e3, num(w, "fault_ns_mean") / 1e3,
		 num(p, "faults_per_s") / 1e3, num(p, "fault_ns_mean") / 1e3,
		 num(i, "faults_per_s") / 1e3, num(w, "host_faults_per_s") / 1e3);
	return true;
}

/* ---- the table ---- */

static const struct claim claims[] = {
	{ "mmlab's goal", "Model speed (the foundation)",
	  "model/host >= 2 for anon faults, >= 1 for DONTNEED, munmap, pagemap, "
	  "fork; host measured earlier: 0.61M faults/s, 7.5M DONTNEED pages/s, 8.3M "
	  "munmap pages/s, 68M pagemap entries/s, 11.6 ms per fork of 1 GiB",
	  "core", measured_core },
	{ "the x86 kernel", "TLB shootdowns (x86 flush_tlb_mm_range)",
	  "the host kernel sends 1 IPI to a running peer thread for munmap of a "
	  "touched page, 2 for mprotect RO then RW of a touched page, 0 for an "
	  "untouched page",
	  "tlb", measured_tlb },
	{ "mmlab's goal", "Scenario API speed (Lua over the C API)",
	  "p:touch, p:fill and p:verify of 1 GiB through the Lua scenario API "
	  "(model backend) run at >= 0.8 of the speed of the same loop through the "
	  "C API",
	  "lua", measured_lua },
	{ "the page-table reclaim RFC (June 2024)", "Freeing empty PTE tables (page-table reclaim)",
	  "mmap 50G; 25600 x {touch 2M; MADV_DONTNEED 2M}: VmPTE 102640 kB "
	  "before, 240 kB after; production VmPTE 110 GB against ~1.2 GB needed",
	  "ptreclaim", measured_ptreclaim },
	{ "upstream", "Batched unmap TLB flush (TTU_BATCH_FLUSH)",
	  "reclaim batches shootdowns; one additional flush per reclaim cycle, "
	  "paid by the first operation at risk (flush_tlb_batched_pending)",
	  "reclaim", measured_reclaim },
	{ "the LUF series (v12)", "LUF: lazy unmap flush for reclaim and migration",
	  "TLB shootdown interrupts -97%, runtime -4.5% (v12, 3 x llama.cpp, DRAM "
	  "+ CXL tiering); series title: \"reducing tlb numbers over 90%\"; "
	  "munmap after a lazy unmap must still flush (Dave Hansen)",
	  "luf", measured_luf },
	{ "a report on khugepaged's max_ptes_shared", "folio_likely_mapped_shared in khugepaged",
	  "false negatives: 256 subpages of a 2M folio shared with a child, first "
	  "subpage unmapped, reads as exclusive: up to ~1 MiB wasted per 2 MiB; "
	  "injecting \"true\" fails khugepaged selftests, \"false\" only moves a "
	  "counter",
	  "mapcount", measured_mapcount },
	{ "the shmem PM_SWAP marker series", "PTE markers: PM_SWAP for shmem",
	  "swap-in of 1 GB shmem: -0.82% with PAGEOUT markers (-0.04% with markers "
	  "compiled in); the page-cache lookup alternative makes shmem pagemap "
	  "reads ~4x slower, markers cost pagemap nothing",
	  "markers", measured_markers },
	{ "the mTHP collapse series and its review", "mTHP collapse and its locking",
	  "mmap write lock + clearing the PMD and flushing isolates the PTE table: "
	  "simpler to get right than mmap read lock + PTE locks (no figures given)",
	  "collapse", measured_collapse },
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
	char buf[1536];

	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		const struct claim *c = &claims[i];

		/* A named run shows only the claims of what it ran. */
		if (!selected(c->bench, names, nr))
			continue;
		if (!header) {
			fprintf(out, "\n== claims: what is claimed, and what mmlab measured\n");
			print_wrapped(out, "sources:", EV " the model's event counters, " SIM
				      " the cost model's cycles, " WALL " host time of the run, "
				      HOST " this machine's kernel");
			header = true;
		}
		fprintf(out, "\n%s\n", c->mechanism);
		print_wrapped(out, "claim:", c->claim);
		print_wrapped(out, "by:", c->who);
		if (!bench_lookup(c->bench))
			snprintf(buf, sizeof(buf), "not measured yet (mmlab bench %s)", c->bench);
		else if (!bench_ran(ctx, c->bench))
			snprintf(buf, sizeof(buf), "not run (mmlab bench %s)", c->bench);
		else if (!c->measured || !c->measured(ctx, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "see mmlab bench %s above", c->bench);
		print_wrapped(out, "measured:", buf);
	}
}
