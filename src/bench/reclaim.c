/*
 * reclaim.c - `mmlab bench reclaim`: reclaim, swap and memory
 * tiers on the model.
 *
 * Records, one per `case`:
 * - pageout: MADV_PAGEOUT of D bytes of random data, mapped by a process
 *   whose second thread (CPU 1) has the pages in its TLB: pages reclaimed
 *   per second, and per reclaimed page the shootdowns initiated
 *   (nr_tlb_remote_flush), IPIs received (nr_tlb_remote_flush_received) and
 *   local flushes (nr_tlb_local_flush_one + _all).
 * - pressure: four CPUs fill 2 x the machine's memory at once; kswapd and
 *   direct reclaim swap (pgsteal_kswapd + pgsteal_direct per second, and the
 *   same per-page flush figures).
 *   Both with the model's default, batched unmap flush (TTU_BATCH_FLUSH),
 *   and again on a fresh machine with reclaim/batch_flush = 0 (every unmap
 *   flushes at once, as before batching): unbatched_pages,
 *   unbatched_pages_per_s, unbatched_shootdowns_per_page,
 *   unbatched_ipis_per_page, unbatched_local_flushes_per_page.
 * - swap_write / swap_read: MB/s of swap-out (the MADV_PAGEOUT above) and
 *   swap-in (faults reading D back after the swap cache was pushed out),
 *   beside raw_mb_s, the same amount written with pwrite / read with pread
 *   4 KiB at a time to a temporary file in the directory swap files go to
 *   (TMPDIR or /tmp), measured in the same run: the limit.
 * - tiering: a fast node full of cold data, a hot range on the slow node,
 *   numa_balancing = 2 (scan_period_min_ms 10): promotions and demotions
 *   per second until the hot range is on the fast node (kswapd demotes
 *   cold pages to make room).
 * - migrate: move_pages(2) of D/8 back and forth between the nodes: pages
 *   per second.
 *
 * D = --size / 8 (128 MiB by default).  Best of --reps for the rates.
 * Model only (there is no host side to reclaim on without disturbing the
 * machine); --host-only reports nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmlab/mmlab.h>

#include "bench.h"

#define PG	MMLAB_PAGE_SIZE
#define MIB	(1ULL << 20)
#define RW	(PROT_READ | PROT_WRITE)

struct flushes {
	double pages;		/* reclaimed */
	double per_s;
	double shootdowns, ipis, local;	/* per reclaimed page */
};

struct reclaim_out {
	struct flushes pageout, pressure, clean;	/* batched (the default) */
	struct flushes pageout_unb, pressure_unb, clean_unb;	/* reclaim/batch_flush = 0 */
	double write_mb_s, read_mb_s, raw_write_mb_s, raw_read_mb_s;
	double demote_per_s, promote_per_s, promoted, demoted, tier_secs, hint_faults;
	double migrate_per_s, migrate_fail;
	int err;
	char what[160];
};

struct reclaim_args {
	uint64_t data;
	unsigned int reps;
};

struct counters {
	uint64_t steal, pswpout, pswpin, shoot, ipis, local;
};

static void snap(struct counters *c)
{
	c->steal = bench_vm("pgsteal_kswapd") + bench_vm("pgsteal_direct");
	c->pswpout = bench_vm("pswpout");
	c->pswpin = bench_vm("pswpin");
	c->shoot = bench_vm("nr_tlb_remote_flush");
	c->ipis = bench_vm("nr_tlb_remote_flush_received");
	c->local = bench_vm("nr_tlb_local_flush_one") + bench_vm("nr_tlb_local_flush_all");
}

static void per_page(struct flushes *f, double pages, double secs,
		     const struct counters *a, const struct counters *b)
{
	double rate = pages / secs;

	if (!isnan(f->per_s) && rate <= f->per_s)
		return;
	f->pages = pages;
	f->per_s = rate;
	f->shootdowns = pages ? (double)(b->shoot - a->shoot) / pages : NAN;
	f->ipis = pages ? (double)(b->ipis - a->ipis) / pages : NAN;
	f->local = pages ? (double)(b->local - a->local) / pages : NAN;
}

static int machine(uint64_t fast, uint64_t slow, uint64_t swap)
{
	struct mmlab_config cfg;
	int ret;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = 4;
	cfg.stale_check = 0;
	cfg.node_bytes[0] = fast;
	if (slow) {
		cfg.nr_nodes = 2;
		cfg.node_bytes[1] = slow;
		cfg.node_slow[1] = true;
		cfg.node_latency_ns[1] = 250;
	}
	ret = mmlab_machine_create(&cfg);
	if (ret)
		return ret;
	if (swap) {
		ret = mmlab_swapon(swap);
		if (ret < 0) {
			mmlab_machine_destroy();
			return ret;
		}
	}
	return 0;
}

static int map(struct mmlab_task *t, uint64_t len, uint64_t *a)
{
	int ret = mmlab_mmap(t, 0, len, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, a);

	if (!ret)
		mmlab_madvise(t, *a, len, MADV_NOHUGEPAGE);
	return ret;
}

/* ---- raw file throughput: the limit ---- */

static void raw_file(struct reclaim_out *o, uint64_t bytes)
{
	const char *dir = getenv("TMPDIR");
	char path[256];
	char *buf;
	uint64_t off;
	double t0, w, r;
	int fd;

	snprintf(path, sizeof(path), "%s/mmlab-raw-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		bench_fail(o, -errno, "mkstemp (raw file)");
		return;
	}
	unlink(path);
	buf = aligned_alloc(PG, PG);
	if (!buf || ftruncate(fd, (off_t)bytes)) {
		bench_fail(o, -ENOMEM, "raw file");
		free(buf);
		close(fd);
		return;
	}
	for (size_t i = 0; i < PG; i++)
		buf[i] = (char)(i * 131 + 7);
	t0 = bench_now();
	for (off = 0; off < bytes; off += PG)
		if (pwrite(fd, buf, PG, (off_t)off) != (ssize_t)PG)
			break;
	w = bench_now() - t0;
	t0 = bench_now();
	for (off = 0; off < bytes; off += PG)
		if (pread(fd, buf, PG, (off_t)off) != (ssize_t)PG)
			break;
	r = bench_now() - t0;
	if (isnan(o->raw_write_mb_s) || bytes / w / MIB > o->raw_write_mb_s)
		o->raw_write_mb_s = bytes / w / MIB;
	if (isnan(o->raw_read_mb_s) || bytes / r / MIB > o->raw_read_mb_s)
		o->raw_read_mb_s = bytes / r / MIB;
	free(buf);
	close(fd);
}

/* ---- pageout, swap write and read ---- */

/* The data read back from swap is clean and still has its swap copies:
 * MADV_PAGEOUT again writes nothing, and only the unmaps' flushes remain
 * (batched: one per PMD range's batch; unbatched: one per page).  Pages
 * counted by the RSS they leave. */
static int pageout_clean(struct reclaim_out *o, struct mmlab_proc *p, struct mmlab_task *t,
			 uint64_t a, uint64_t data, bool batched)
{
	struct mmlab_status s0, s1;
	struct counters c0, c1;
	double t0, secs;
	int ret = mmlab_status(p, &s0);

	snap(&c0);
	t0 = bench_now();
	if (!ret)
		ret = mmlab_madvise(t, a, data, MADV_PAGEOUT);
	secs = bench_now() - t0;
	snap(&c1);
	if (!ret)
		ret = mmlab_status(p, &s1);
	if (ret)
		return bench_fail(o, ret, "MADV_PAGEOUT (clean)");
	per_page(batched ? &o->clean : &o->clean_unb,
		 (double)(s0.RssAnon - s1.RssAnon) * 1024 / PG, secs, &c0, &c1);
	return 0;
}

/* MADV_PAGEOUT of @data; with @batched (the default flush), the swap
 * write and read rates too. */
static int pageout_rep(struct reclaim_out *o, uint64_t data, bool batched)
{
	struct mmlab_proc *p, *h;
	struct mmlab_task *t, *t1;
	struct counters c0, c1;
	uint64_t a, b, fa, bad, hog = data + data / 4 + 16 * MIB;
	double t0, secs;
	int ret;

	ret = mmlab_spawn(&p);
	if (ret)
		return bench_fail(o, ret, "mmlab_spawn");
	t = mmlab_main_task(p);
	ret = mmlab_thread(p, 1, &t1);
	if (!ret)
		ret = map(t, data, &a);
	if (!ret)
		ret = mmlab_fill(t, a, data, 0x5eed, &fa);
	/* CPU 1 maps the pages too: unmapping them needs shootdowns */
	if (!ret)
		ret = mmlab_touch(t1, a, data, false, &fa);
	if (ret) {
		bench_fail(o, ret < 0 ? ret : -EFAULT, "pageout set-up");
		goto out;
	}
	snap(&c0);
	t0 = bench_now();
	ret = mmlab_madvise(t, a, data, MADV_PAGEOUT);
	secs = bench_now() - t0;
	snap(&c1);
	if (ret) {
		bench_fail(o, ret, "MADV_PAGEOUT");
		goto out;
	}
	per_page(batched ? &o->pageout : &o->pageout_unb, (double)(c1.pswpout - c0.pswpout),
		 secs, &c0, &c1);
	if (batched && (isnan(o->write_mb_s) ||
			(c1.pswpout - c0.pswpout) * PG / secs / MIB > o->write_mb_s))
		o->write_mb_s = (c1.pswpout - c0.pswpout) * PG / secs / MIB;

	/* push the swap cache out, then fault everything back in */
	ret = mmlab_spawn(&h);
	if (ret) {
		bench_fail(o, ret, "mmlab_spawn (hog)");
		goto out;
	}
	ret = map(mmlab_main_task(h), hog, &b);
	if (!ret)
		ret = mmlab_fill(mmlab_main_task(h), b, hog, 0x6060, &fa);
	mmlab_exit(h);
	if (ret) {
		bench_fail(o, ret < 0 ? ret : -EFAULT, "hog");
		goto out;
	}
	snap(&c0);
	t0 = bench_now();
	ret = mmlab_verify(t, a, data, 0x5eed, &bad, &fa);
	secs = bench_now() - t0;
	snap(&c1);
	if (ret || bad != UINT64_MAX) {
		bench_fail(o, ret < 0 ? ret : -EIO, "swap-in verify");
		goto out;
	}
	if (batched && (isnan(o->read_mb_s) ||
			(c1.pswpin - c0.pswpin) * PG / secs / MIB > o->read_mb_s))
		o->read_mb_s = (c1.pswpin - c0.pswpin) * PG / secs / MIB;
	ret = pageout_clean(o, p, t, a, data, batched);
out:
	mmlab_exit(p);
	return o->err;
}

/* ---- pressure: four CPUs overcommit at once ---- */

struct filler {
	struct mmlab_task *t;
	uint64_t a, len;
	int ret;
};

static void *filler_main(void *arg)
{
	struct filler *f = arg;
	uint64_t fa;

	f->ret = mmlab_fill(f->t, f->a, f->len, 0xf111 + f->a, &fa);
	return NULL;
}

static int pressure_rep(struct reclaim_out *o, uint64_t data, bool batched)
{
	struct mmlab_proc *p;
	struct filler f[4];
	pthread_t th[4];
	struct counters c0, c1;
	uint64_t a;
	double t0, secs;
	int ret;

	ret = mmlab_spawn(&p);
	if (ret)
		return bench_fail(o, ret, "mmlab_spawn");
	ret = map(mmlab_main_task(p), data, &a);
	for (int i = 0; i < 4 && !ret; i++) {
		f[i].t = mmlab_main_task(p);
		if (i)
			ret = mmlab_thread(p, (unsigned int)i, &f[i].t);
		f[i].a = a + i * (data / 4);
		f[i].len = data / 4;
	}
	if (ret) {
		bench_fail(o, ret, "pressure set-up");
		goto out;
	}
	snap(&c0);
	t0 = bench_now();
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, filler_main, &f[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	secs = bench_now() - t0;
	snap(&c1);
	for (int i = 0; i < 4; i++)
		if (f[i].ret) {
			bench_fail(o, f[i].ret < 0 ? f[i].ret : -EFAULT, "pressure fill");
			goto out;
		}
	per_page(batched ? &o->pressure : &o->pressure_unb, (double)(c1.steal - c0.steal),
		 secs, &c0, &c1);
out:
	mmlab_exit(p);
	return o->err;
}

/* ---- tiers ---- */

static int tiering_rep(struct reclaim_out *o, uint64_t data)
{
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t cold_len = data * 3 / 4, hot_len = data / 8, cold, hot, fa, bad;
	uint64_t n = hot_len / PG, on_fast = 0, d0, p0, h0, d1, p1;
	double t0, secs, end;
	int ret;

	ret = mmlab_spawn(&p);
	if (ret)
		return bench_fail(o, ret, "mmlab_spawn");
	t = mmlab_main_task(p);
	ret = map(t, cold_len, &cold);
	if (!ret)
		ret = mmlab_fill(t, cold, cold_len, 1, &fa);
	if (!ret)
		ret = map(t, hot_len, &hot);
	if (!ret)
		ret = mmlab_fill(t, hot, hot_len, 2, &fa);
	if (ret) {
		bench_fail(o, ret < 0 ? ret : -EFAULT, "tiering set-up");
		goto out;
	}
	mmlab_move_pages(p, hot, n, 1);
	mmlab_knob_set("/sys/kernel/mm/numa/demotion_enabled", "1");
	mmlab_knob_set("/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", "10");
	d0 = bench_vm("pgdemote_kswapd") + bench_vm("pgdemote_direct");
	p0 = bench_vm("pgpromote_success");
	h0 = bench_vm("numa_hint_faults");
	mmlab_knob_set("/proc/sys/kernel/numa_balancing", "2");
	t0 = bench_now();
	end = t0 + 10;
	do {
		ret = mmlab_verify(t, hot, hot_len, 2, &bad, &fa);
		if (ret || bad != UINT64_MAX) {
			bench_fail(o, ret < 0 ? ret : -EIO, "tiering verify");
			break;
		}
		on_fast = 0;
		for (uint64_t i = 0; i < n; i++)
			on_fast += mmlab_page_node(p, hot + i * PG) == 0;
	} while (on_fast < n * 95 / 100 && bench_now() < end);
	secs = bench_now() - t0;
	mmlab_knob_set("/proc/sys/kernel/numa_balancing", "0");
	d1 = bench_vm("pgdemote_kswapd") + bench_vm("pgdemote_direct") - d0;
	p1 = bench_vm("pgpromote_success") - p0;
	if (isnan(o->promote_per_s) || p1 / secs > o->promote_per_s) {
		o->promote_per_s = p1 / secs;
		o->demote_per_s = d1 / secs;
		o->promoted = (double)p1;
		o->demoted = (double)d1;
		o->tier_secs = secs;
		o->hint_faults = (double)(bench_vm("numa_hint_faults") - h0);
	}
	/* move_pages back and forth */
	{
		uint64_t f0 = bench_vm("pgmigrate_fail");
		long moved = 0, m;

		t0 = bench_now();
		for (int k = 0; k < 4; k++) {
			m = mmlab_move_pages(p, hot, n, k & 1 ? 0 : 1);
			if (m < 0) {
				bench_fail(o, (int)m, "move_pages");
				goto out;
			}
			moved += m;
		}
		secs = bench_now() - t0;
		if (isnan(o->migrate_per_s) || moved / secs > o->migrate_per_s) {
			o->migrate_per_s = moved / secs;
			o->migrate_fail = (double)(bench_vm("pgmigrate_fail") - f0);
		}
	}
out:
	mmlab_exit(p);
	return o->err;
}

/* A machine for one case; @batched false turns TTU_BATCH_FLUSH off
 * (reclaim/batch_flush = 0: every unmap flushes at once). */
static int case_machine(struct reclaim_out *o, uint64_t fast, uint64_t slow, uint64_t swap,
			bool batched, const char *what)
{
	int ret = machine(fast, slow, swap);

	if (!ret && !batched) {
		ret = mmlab_knob_set("/sys/kernel/mm/mmlab/reclaim/batch_flush", "0");
		if (ret)
			mmlab_machine_destroy();
	}
	return ret ? bench_fail(o, ret, what) : 0;
}

static void model_side(void *arg, void *out)
{
	const struct reclaim_args *a = arg;
	struct reclaim_out *o = out;
	uint64_t d = a->data;

	for (unsigned int rep = 0; rep < a->reps && !o->err; rep++) {
		for (int batched = 1; batched >= 0 && !o->err; batched--) {
			if (case_machine(o, d + d / 4 + 16 * MIB, 0, 4 * d, batched,
					 "machine (pageout)"))
				return;
			pageout_rep(o, d, batched);
			mmlab_machine_destroy();
			if (o->err)
				return;
			if (case_machine(o, d / 2, 0, 2 * d, batched, "machine (pressure)"))
				return;
			pressure_rep(o, d, batched);
			mmlab_machine_destroy();
		}
		raw_file(o, d);
		if (o->err || case_machine(o, d / 2, d, d, true, "machine (tiering)"))
			return;
		tiering_rep(o, d);
		mmlab_machine_destroy();
	}
}

static void out_init(struct reclaim_out *o)
{
	memset(o, 0, sizeof(*o));
	for (struct flushes *f = &o->pageout; f <= &o->clean_unb; f++)
		f->per_s = f->shootdowns = f->ipis = f->local = NAN;
	o->write_mb_s = o->read_mb_s = o->raw_write_mb_s = o->raw_read_mb_s = NAN;
	o->demote_per_s = o->promote_per_s = o->promoted = o->demoted = NAN;
	o->tier_secs = o->hint_faults = o->migrate_per_s = o->migrate_fail = NAN;
}

/* A case's flush figures per reclaimed page, batched (the default) and
 * unbatched (reclaim/batch_flush = 0) side by side. */
static void emit_flushes(struct bench_ctx *ctx, const char *name, const struct flushes *f,
			 const struct flushes *u)
{
	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "case", name);
	bench_rec_num(r, "pages", f->pages);
	bench_rec_rate(r, "pages_per_s", f->per_s);
	bench_rec_num(r, "shootdowns_per_page", f->shootdowns);
	bench_rec_num(r, "ipis_per_page", f->ipis);
	bench_rec_num(r, "local_flushes_per_page", f->local);
	bench_rec_num(r, "unbatched_pages", u->pages);
	bench_rec_rate(r, "unbatched_pages_per_s", u->per_s);
	bench_rec_num(r, "unbatched_shootdowns_per_page", u->shootdowns);
	bench_rec_num(r, "unbatched_ipis_per_page", u->ipis);
	bench_rec_num(r, "unbatched_local_flushes_per_page", u->local);
	bench_emit(ctx, r);
}

static void emit_io(struct bench_ctx *ctx, const char *name, double model, double raw)
{
	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "case", name);
	bench_rec_num(r, "model_mb_s", model);
	bench_rec_num(r, "raw_mb_s", raw);
	bench_rec_num(r, "ratio", model / raw);
	bench_emit(ctx, r);
}

int bench_reclaim(struct bench_ctx *ctx)
{
	struct reclaim_args a = { .data = ctx->opts.size / 8, .reps = ctx->opts.reps };
	struct reclaim_out o;
	struct bench_rec *r;
	char err[128];
	int ret = 0;

	if (a.data < 16 * MIB)
		a.data = 16 * MIB;
	a.data &= ~(4 * MIB - 1);
	if (!a.reps)
		a.reps = 1;
	out_init(&o);
	if (ctx->opts.host_only)
		return 0;
	bench_progress(ctx, "reclaim: %u x %llu MiB", a.reps,
		       (unsigned long long)(a.data >> 20));
	if (bench_isolate(model_side, &a, &o, sizeof(o),
			  600 * (unsigned int)(a.data / (128 * MIB) + 1), err, sizeof(err))) {
		out_init(&o);
		o.err = -EIO;
		snprintf(o.what, sizeof(o.what), "model %s", err);
	}
	if (o.err) {
		fprintf(stderr, "mmlab bench reclaim: %s\n", o.what);
		ret = 1;
	}
	emit_flushes(ctx, "pageout", &o.pageout, &o.pageout_unb);
	emit_flushes(ctx, "pressure", &o.pressure, &o.pressure_unb);
	emit_flushes(ctx, "pageout_clean", &o.clean, &o.clean_unb);
	emit_io(ctx, "swap_write", o.write_mb_s, o.raw_write_mb_s);
	emit_io(ctx, "swap_read", o.read_mb_s, o.raw_read_mb_s);

	r = bench_rec_new(ctx);
	bench_rec_str(r, "case", "tiering");
	bench_rec_rate(r, "promotions_per_s", o.promote_per_s);
	bench_rec_rate(r, "demotions_per_s", o.demote_per_s);
	bench_rec_num(r, "promoted", o.promoted);
	bench_rec_num(r, "demoted", o.demoted);
	bench_rec_num(r, "numa_hint_faults", o.hint_faults);
	bench_rec_num(r, "seconds", o.tier_secs);
	bench_emit(ctx, r);

	r = bench_rec_new(ctx);
	bench_rec_str(r, "case", "migrate");
	bench_rec_rate(r, "pages_per_s", o.migrate_per_s);
	bench_rec_num(r, "pgmigrate_fail", o.migrate_fail);
	bench_emit(ctx, r);
	return ret;
}
