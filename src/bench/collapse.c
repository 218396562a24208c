/*
 * collapse.c - `mmlab bench collapse`: what khugepaged's
 * collapse buys and costs, per THP order, and what its locking costs the
 * faults of the same mm.
 *
 * coverage: a 32 MiB region (16 PMD ranges) of small pages, each range
 * filled at random to its own density (100 % down to one page), THP off
 * while it is written; then one configuration of orders is enabled
 * (2048kB alone, 512kB, 64kB, 16kB alone, all mTHP sizes 16kB..1024kB),
 * MADV_HUGEPAGE registers the mm and khugepaged scans until a full pass
 * collapses nothing more (the mTHP configurations with
 * /sys/kernel/mm/mmlab/mthp_collapse = 1: the mTHP collapse series).  Per orders x creep_guard (mTHP only) x
 * max_ptes_none (0, 64, 128, 255, 256, 511): coverage (fraction of the
 * anonymous pages that sit in large folios), bloat_pages (anonymous pages
 * never touched: the zero-filled holes collapses filled), passes to
 * converge, collapses, collapse_ns_median / collapse_ns_p99 (host time of
 * one collapse, from the allocation to the end), pages_per_cpu_s (pages
 * collapsed per second of the scanning thread's CPU time).  For 2048kB
 * the host does the same in the same run (this process, MADV_HUGEPAGE, the
 * real khugepaged with the same max_ptes_none, pages_to_scan 65536 and
 * scan_sleep_millisecs 10 until two full scans passed): host_coverage,
 * host_bloat_pages, coverage_ratio (model / host), host_pages_per_cpu_s
 * (khugepaged's utime + stime; coarse: clock ticks).
 *
 * madv_collapse: MADV_COLLAPSE of each 2 MiB range of 16 written fully
 * (full) or at 1 page in 8 (sparse): model_ns_median / _p99 per call,
 * model_sim_cycles_median (the cost clock of the calling CPU), the same on
 * the host (host_ns_median / _p99), ratio (model / host median).
 *
 * fault_latency (the collapse locking question): a thread on CPU 1 faults one new 4 KiB page at a
 * time in its own VMA (MADV_NOHUGEPAGE) while another thread of the same mm
 * writes 32 MiB of small pages and MADV_COLLAPSEs it range by range, round
 * after round; faults that start and end while a collapse loop runs count.
 * Per locking (idle: no collapsing thread; mmap_write; pte_locks):
 * fault_ns_median / fault_ns_p99, sim_cycles_median / sim_cycles_p99 (the
 * cost clock of the faulting CPU: lock waits are not charged), faults,
 * collapses.  The host does the same with its kernel's locking
 * (host_ns_median / host_ns_p99 beside idle and mmap_write: the kernel's
 * collapse takes mmap_lock for writing, faults take a per-VMA lock) and
 * p99_ratio (model / host).
 *
 * Host knobs changed (khugepaged max_ptes_none, pages_to_scan,
 * scan_sleep_millisecs) are restored before the benchmark returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <mmlab/mmlab.h>

#include "bench.h"

#include "collapse.h"

static const unsigned int mpn_values[] = { 0, 64, 128, 255, 256, 511 };
#define NR_MPN	(sizeof(mpn_values) / sizeof(mpn_values[0]))

struct cfg_desc {
	const char *name;
	unsigned long orders;	/* bit o: order o enabled */
	bool mthp;
};
static const struct cfg_desc cfgs[] = {
	{ "2048kB", 1UL << 9, false },
	{ "512kB", 1UL << 7, true },
	{ "64kB", 1UL << 4, true },
	{ "16kB", 1UL << 2, true },
	{ "all_mthp", 0x1fcUL, true },	/* orders 2..8 */
};
#define NR_CFG	(sizeof(cfgs) / sizeof(cfgs[0]))

/* Fill density of each 2 MiB range, per 10000. */
static const unsigned int density[RANGES] = {
	10000, 9500, 8750, 7500, 6000, 5200, 5000, 4800,
	4000, 3000, 2500, 2000, 1250, 600, 200, 1,
};

static bool layout_touched(int range, int page)
{
	if (page == 0)
		return true;	/* every range has one page at least */
	return mmlab_splitmix64(SEED ^ ((uint64_t)range * NPTE + (uint64_t)page)) % 10000 <
	       density[range];
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @q quantile (0..1) of @v[0..n), sorting it; NAN when empty. */
double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i];
}

static uint64_t knob_u64(const char *path)
{
	char buf[64] = "";

	if (mmlab_knob_get(path, buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 10);
}

/* ---- the model: coverage ---- */

struct cov_args {
	int cfg, guard;
	unsigned int mpn;
};

struct cov_out {
	int err;
	char what[96];
	double touched, anon_pages, coverage, bloat, passes, collapses;
	double lat_med, lat_p99, pages_collapsed, cpu_s;
};

static struct {
	double ns[MAX_LAT], cycles[MAX_LAT];
	size_t n;
	double pages;
} hook_lat;

static void on_collapse(unsigned int order, bool ok, uint64_t ns, uint64_t cycles)
{
	if (!ok)
		return;
	if (hook_lat.n < MAX_LAT) {
		hook_lat.ns[hook_lat.n] = (double)ns;
		hook_lat.cycles[hook_lat.n++] = (double)cycles;
	}
	hook_lat.pages += (double)(1UL << order);
}

static const unsigned int sizes_kb[] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };

/* Every THP size off, but those in @orders (bit o: order o) always. */
static int set_orders(unsigned long orders)
{
	int ret = mmlab_knob_set(THP "enabled", (orders >> 9) & 1 ? "always" : "never");

	for (unsigned int o = 2; o <= 9 && !ret; o++) {
		char path[96];

		snprintf(path, sizeof(path), THP "hugepages-%ukB/enabled", sizes_kb[o - 2]);
		ret = mmlab_knob_set(path, (orders >> o) & 1 ? "always" : "never");
	}
	return ret;
}

/* A machine of @ncpu CPUs and @bytes, every THP size off, khugepaged's
 * thread asleep (the bench drives the scans), one process in *p. */
int machine(unsigned int ncpu, uint64_t bytes, struct mmlab_proc **p)
{
	struct mmlab_config cfg;
	int ret;

	*p = NULL;
	mmlab_config_default(&cfg);
	cfg.nr_cpus = ncpu;
	cfg.node_bytes[0] = bytes;
	cfg.seed = SEED;
	ret = mmlab_machine_create(&cfg);
	if (!ret)
		ret = mmlab_knob_set(KHP "scan_sleep_millisecs", "2000000000");
	if (!ret)
		ret = set_orders(0);
	if (!ret)
		ret = mmlab_spawn(p);
	return ret;
}

/* Write the layout into @base with @t (one touch per page). */
static int model_fill(struct mmlab_task *t, uint64_t base, double *touched)
{
	uint64_t fa;
	int ret = 0;

	for (int r = 0; r < RANGES && !ret; r++)
		for (int i = 0; i < NPTE && !ret; i++)
			if (layout_touched(r, i)) {
				ret = mmlab_touch(t, base + (uint64_t)r * PMD + (uint64_t)i * PG, PG,
						  true, &fa);
				*touched += 1;
			}
	return ret;
}

static void cov_model(void *argp, void *outp)
{
	const struct cov_args *a = argp;
	const struct cfg_desc *c = &cfgs[a->cfg];
	struct cov_out *o = outp;
	struct mmlab_proc *p = NULL;
	struct mmlab_task *t;
	struct mmlab_status st;
	uint64_t addr = 0, base, last = 0;
	double in_large = 0, cpu0;
	char buf[16];
	int ret;

	memset(o, 0, sizeof(*o));
	ret = machine(2, 256ULL << 20, &p);
	if (ret) {
		snprintf(o->what, sizeof(o->what), "setup");
		goto out;
	}
	t = mmlab_main_task(p);
	ret = mmlab_mmap(t, 0, RANGES * PMD + PMD, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &addr);
	base = (addr + PMD - 1) & ~(PMD - 1);
	if (!ret)
		ret = model_fill(t, base, &o->touched);
	snprintf(buf, sizeof(buf), "%u", a->mpn);
	if (!ret)
		ret = mmlab_knob_set(KHP "max_ptes_none", buf);
	/* mTHP orders: the series' collapse (6.18 collapses to 2 MiB only) */
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/mm/mmlab/mthp_collapse", c->mthp ? "1" : "0");
	if (!ret)
		ret = mmlab_knob_set("/sys/kernel/mm/mmlab/mthp_collapse_creep_guard",
				     a->guard ? "1" : "0");
	if (!ret)
		ret = set_orders(c->orders);
	if (ret) {
		snprintf(o->what, sizeof(o->what), "fill/knobs");
		goto out;
	}
	memset(&hook_lat, 0, sizeof(hook_lat));
	mmlab_debug_collapse_hook(on_collapse);
	cpu0 = bench_thread_cpu_s();
	/* registers the mm: its first khugepaged pass runs on return */
	ret = mmlab_madvise(t, base, RANGES * PMD, MADV_HUGEPAGE);
	for (int pass = 0; pass < 40 && !ret; pass++) {
		uint64_t n = bench_vm("thp_collapse_alloc") + bench_vm("mmlab_mthp_collapse");

		o->passes = pass + 1;
		if (pass && n == last)
			break;
		last = n;
		mmlab_khugepaged_scan(1);
	}
	o->cpu_s = bench_thread_cpu_s() - cpu0;
	mmlab_debug_collapse_hook(NULL);
	if (ret) {
		snprintf(o->what, sizeof(o->what), "MADV_HUGEPAGE");
		goto out;
	}
	o->collapses = (double)(bench_vm("thp_collapse_alloc") + bench_vm("mmlab_mthp_collapse"));
	o->pages_collapsed = hook_lat.pages;
	o->lat_med = quantile(hook_lat.ns, hook_lat.n, 0.5);
	o->lat_p99 = quantile(hook_lat.ns, hook_lat.n, 0.99);
	mmlab_status(p, &st);
	o->anon_pages = (double)st.RssAnon / 4;
	for (unsigned int o2 = 2; o2 <= 9; o2++) {
		char path[128];

		snprintf(path, sizeof(path), THP "hugepages-%ukB/stats/nr_anon", sizes_kb[o2 - 2]);
		in_large += (double)knob_u64(path) * (double)(1UL << o2);
	}
	/* the stack's page is not part of the region */
	o->anon_pages -= 1;
	o->coverage = o->anon_pages > 0 ? in_large / o->anon_pages : NAN;
	o->bloat = o->anon_pages - o->touched;
out:
	o->err = ret;
	if (p)
		mmlab_exit(p);
	mmlab_machine_destroy();
}

/* ---- the host ---- */

struct saved_knob {
	const char *path;
	char val[64];
	bool saved;
};

static struct saved_knob host_knobs[] = {
	{ KHP "max_ptes_none", "", false },
	{ KHP "pages_to_scan", "", false },
	{ KHP "scan_sleep_millisecs", "", false },
};
#define NR_HOST_KNOBS	(sizeof(host_knobs) / sizeof(host_knobs[0]))

static int host_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n'))
		buf[--n] = 0;
	return 0;
}

static int host_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int host_set(const char *path, const char *val)
{
	for (size_t i = 0; i < NR_HOST_KNOBS; i++)
		if (!strcmp(host_knobs[i].path, path) && !host_knobs[i].saved) {
			if (host_read(path, host_knobs[i].val, sizeof(host_knobs[i].val)))
				return -errno;
			host_knobs[i].saved = true;
		}
	return host_write(path, val);
}

static void host_restore(void)
{
	for (size_t i = 0; i < NR_HOST_KNOBS; i++)
		if (host_knobs[i].saved) {
			host_write(host_knobs[i].path, host_knobs[i].val);
			host_knobs[i].saved = false;
		}
}

static uint64_t host_u64(const char *path)
{
	char buf[64];

	return host_read(path, buf, sizeof(buf)) ? 0 : strtoull(buf, NULL, 10);
}

/* khugepaged's utime + stime in clock ticks, or -1. */
static long khugepaged_ticks(void)
{
	static int pid = -1;
	char path[64], buf[512], *s;
	unsigned long ut, st;

	if (pid < 0) {
		for (int p = 2; p < 100000 && pid < 0; p++) {
			snprintf(path, sizeof(path), "/proc/%d/comm", p);
			if (!host_read(path, buf, sizeof(buf)) && !strcmp(buf, "khugepaged"))
				pid = p;
		}
		if (pid < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (host_read(path, buf, sizeof(buf)) || !(s = strrchr(buf, ')')))
		return -1;
	/* after ")": state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime */
	if (sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

static long smaps_rollup_kb(const char *key)
{
	char buf[4096], *s;
	size_t kl = strlen(key);

	if (host_read("/proc/self/smaps_rollup", buf, sizeof(buf)))
		return -1;
	for (s = buf; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (!strncmp(s, key, kl) && s[kl] == ':')
			return strtol(s + kl + 1, NULL, 10);
	return -1;
}

void *host_region(size_t len, char **mapping, size_t *maplen)
{
	char *m = mmap(NULL, len + PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	*mapping = m;
	*maplen = len + PMD;
	return (void *)(((uintptr_t)m + PMD - 1) & ~(PMD - 1));
}

struct host_cov {
	double coverage, bloat, pages_per_cpu_s;
	bool ok;
};

/* The real khugepaged over the same layout with @mpn. */
static struct host_cov host_coverage(unsigned int mpn)
{
	struct host_cov h = { NAN, NAN, NAN, false };
	char *m, buf[16], *base;
	size_t ml, resident = 0;
	unsigned char vec[NPTE];
	uint64_t fs0, pc0;
	long t0, t1, ahp0, ahp;
	double touched = 0, deadline;

	snprintf(buf, sizeof(buf), "%u", mpn);
	if (host_set(KHP "max_ptes_none", buf) || host_set(KHP "pages_to_scan", "65536") ||
	    host_set(KHP "scan_sleep_millisecs", "10"))
		return h;
	base = host_region(RANGES * PMD, &m, &ml);
	if (!base)
		return h;
	ahp0 = smaps_rollup_kb("AnonHugePages");
	for (int r = 0; r < RANGES; r++)
		for (int i = 0; i < NPTE; i++)
			if (layout_touched(r, i)) {
				base[(size_t)r * PMD + (size_t)i * PG] = 1;
				touched++;
			}
	fs0 = host_u64(KHP "full_scans");
	pc0 = host_u64(KHP "pages_collapsed");
	t0 = khugepaged_ticks();
	madvise(base, RANGES * PMD, MADV_HUGEPAGE);
	deadline = bench_now() + 10;
	while (host_u64(KHP "full_scans") < fs0 + 3 && bench_now() < deadline)
		usleep(5000);
	t1 = khugepaged_ticks();
	ahp = smaps_rollup_kb("AnonHugePages");
	for (int r = 0; r < RANGES; r++) {
		if (mincore(base + (size_t)r * PMD, PMD, vec))
			goto out;
		for (int i = 0; i < NPTE; i++)
			resident += vec[i] & 1;
	}
	h.coverage = (double)(ahp - ahp0) / 4 / (double)resident;
	h.bloat = (double)resident - touched;
	if (t0 >= 0 && t1 > t0)
		h.pages_per_cpu_s = (double)(host_u64(KHP "pages_collapsed") - pc0) * NPTE /
				    ((double)(t1 - t0) / (double)sysconf(_SC_CLK_TCK));
	h.ok = true;
out:
	munmap(m, ml);
	return h;
}

/* ---- MADV_COLLAPSE latency ---- */

struct madv_out {
	int err;
	double med[2], p99[2], cyc[2];
};

static void madv_model(void *argp, void *outp)
{
	struct madv_out *o = outp;
	struct mmlab_proc *p = NULL;
	struct mmlab_task *t;
	double ns[RANGES], cyc[RANGES];
	uint64_t addr = 0, base, fa;
	int ret;

	(void)argp;
	memset(o, 0, sizeof(*o));
	ret = machine(2, 256ULL << 20, &p);
	for (int sparse = 0; sparse < 2 && !ret; sparse++) {
		t = mmlab_main_task(p);
		ret = mmlab_mmap(t, 0, RANGES * PMD + PMD, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &addr);
		base = (addr + PMD - 1) & ~(PMD - 1);
		for (uint64_t i = 0; i < RANGES * NPTE && !ret; i += sparse ? 8 : 1)
			ret = mmlab_touch(t, base + i * PG, PG, true, &fa);
		for (int r = 0; r < RANGES && !ret; r++) {
			uint64_t c0 = mmlab_cpu_cycles(0), t0 = now_ns();

			ret = mmlab_madvise(t, base + (uint64_t)r * PMD, PMD, MADV_COLLAPSE);
			ns[r] = (double)(now_ns() - t0);
			cyc[r] = (double)(mmlab_cpu_cycles(0) - c0);
		}
		o->med[sparse] = quantile(ns, RANGES, 0.5);
		o->p99[sparse] = quantile(ns, RANGES, 0.99);
		o->cyc[sparse] = quantile(cyc, RANGES, 0.5);
		if (!ret)
			ret = mmlab_munmap(t, addr, RANGES * PMD + PMD);
	}
	o->err = ret;
	if (p)
		mmlab_exit(p);
	mmlab_machine_destroy();
}

static int madv_host(double med[2], double p99[2])
{
	double ns[RANGES];

	for (int sparse = 0; sparse < 2; sparse++) {
		char *m, *base = host_region(RANGES * PMD, &m, &(size_t){ 0 });
		size_t ml = RANGES * PMD + PMD;

		if (!base)
			return -ENOMEM;
		for (size_t i = 0; i < RANGES * NPTE; i += sparse ? 8 : 1)
			base[i * PG] = 1;
		for (int r = 0; r < RANGES; r++) {
			uint64_t t0 = now_ns();

			if (madvise(base + (size_t)r * PMD, PMD, MADV_COLLAPSE)) {
				munmap(m, ml);
				return -errno;
			}
			ns[r] = (double)(now_ns() - t0);
		}
		med[sparse] = quantile(ns, RANGES, 0.5);
		p99[sparse] = quantile(ns, RANGES, 0.99);
		munmap(m, ml);
	}
	return 0;
}

/* ---- the benchmark ---- */

/* The coverage part: the host's khugepaged and the model's, per
 * configuration, creep guard and max_ptes_none. */
static int collapse_coverage(struct bench_ctx *ctx, bool model, bool host)
{
	struct host_cov hc[NR_MPN];
	struct bench_rec *r;
	char err[128];
	int ret = 0;

	/* the host's khugepaged over the layout, PMD order */
	for (size_t i = 0; i < NR_MPN; i++) {
		hc[i].ok = false;
		if (host) {
			bench_progress(ctx, "collapse: host khugepaged max_ptes_none=%u", mpn_values[i]);
			hc[i] = host_coverage(mpn_values[i]);
		}
	}
	host_restore();
	for (size_t c = 0; c < NR_CFG && model; c++)
		for (int g = 1; g >= (cfgs[c].mthp ? 0 : 1); g--)
			for (size_t i = 0; i < NR_MPN; i++) {
				struct cov_args a = { (int)c, g, mpn_values[i] };
				struct cov_out o;

				bench_progress(ctx, "collapse: %s guard=%d max_ptes_none=%u",
					       cfgs[c].name, g, a.mpn);
				if (bench_isolate(cov_model, &a, &o, sizeof(o), 60, err, sizeof(err))) {
					fprintf(stderr, "mmlab bench collapse: %s: %s\n", cfgs[c].name, err);
					ret = 1;
					continue;
				}
				if (o.err) {
					fprintf(stderr, "mmlab bench collapse: %s: %s (%d)\n",
						cfgs[c].name, o.what, o.err);
					ret = 1;
					continue;
				}
				r = bench_rec_new(ctx);
				bench_rec_str(r, "part", "coverage");
				bench_rec_str(r, "orders", cfgs[c].name);
				if (cfgs[c].mthp)
					bench_rec_int(r, "creep_guard", g);
				else
					bench_rec_null(r, "creep_guard");
				bench_rec_int(r, "max_ptes_none", a.mpn);
				bench_rec_num(r, "touched_pages", o.touched);
				bench_rec_num(r, "anon_pages", o.anon_pages);
				bench_rec_num(r, "coverage", o.coverage);
				bench_rec_num(r, "bloat_pages", o.bloat);
				bench_rec_num(r, "passes", o.passes);
				bench_rec_num(r, "collapses", o.collapses);
				bench_rec_num(r, "collapse_ns_median", o.lat_med);
				bench_rec_num(r, "collapse_ns_p99", o.lat_p99);
				bench_rec_rate(r, "pages_per_cpu_s",
					       o.cpu_s > 0 ? o.pages_collapsed / o.cpu_s : NAN);
				if (!cfgs[c].mthp && hc[i].ok) {
					bench_rec_num(r, "host_coverage", hc[i].coverage);
					bench_rec_num(r, "host_bloat_pages", hc[i].bloat);
					bench_rec_num(r, "coverage_ratio", hc[i].coverage > 0 ?
						      o.coverage / hc[i].coverage : NAN);
					bench_rec_rate(r, "host_pages_per_cpu_s", hc[i].pages_per_cpu_s);
				} else {
					bench_rec_null(r, "host_coverage");
					bench_rec_null(r, "host_bloat_pages");
					bench_rec_null(r, "coverage_ratio");
					bench_rec_null(r, "host_pages_per_cpu_s");
				}
				bench_emit(ctx, r);
			}
	return ret;
}

/* The MADV_COLLAPSE part: its latency per 2 MiB, full and sparse. */
static int collapse_madv(struct bench_ctx *ctx, bool model, bool host)
{
	struct madv_out mo;
	double hmed[2] = { NAN, NAN }, hp99[2] = { NAN, NAN };
	bool mok = false;
	struct bench_rec *r;
	char err[128];
	int ret = 0;

	memset(&mo, 0, sizeof(mo));
	if (model) {
		bench_progress(ctx, "collapse: MADV_COLLAPSE latency, model");
		mok = !bench_isolate(madv_model, NULL, &mo, sizeof(mo), 60, err, sizeof(err)) &&
		      !mo.err;
		if (!mok) {
			fprintf(stderr, "mmlab bench collapse: madv_collapse model: %s %d\n",
				err, mo.err);
			ret = 1;
		}
	}
	if (host && madv_host(hmed, hp99))
		fprintf(stderr, "mmlab bench collapse: host MADV_COLLAPSE failed\n");
	for (int sp = 0; sp < 2; sp++) {
		r = bench_rec_new(ctx);
		bench_rec_str(r, "part", "madv_collapse");
		bench_rec_str(r, "layout", sp ? "sparse" : "full");
		if (mok) {
			bench_rec_num(r, "model_ns_median", mo.med[sp]);
			bench_rec_num(r, "model_ns_p99", mo.p99[sp]);
			bench_rec_num(r, "model_sim_cycles_median", mo.cyc[sp]);
		} else {
			bench_rec_null(r, "model_ns_median");
			bench_rec_null(r, "model_ns_p99");
			bench_rec_null(r, "model_sim_cycles_median");
		}
		bench_rec_num(r, "host_ns_median", hmed[sp]);
		bench_rec_num(r, "host_ns_p99", hp99[sp]);
		bench_rec_num(r, "ratio", mok ? mo.med[sp] / hmed[sp] : NAN);
		bench_emit(ctx, r);
	}
	return ret;
}

int bench_collapse(struct bench_ctx *ctx)
{
	bool model = !ctx->opts.host_only, host = !ctx->opts.model_only;
	int ret = 0;

	ret |= collapse_coverage(ctx, model, host);
	ret |= collapse_madv(ctx, model, host);
	ret |= collapse_faults(ctx, model, host);
	host_restore();
	return ret;
}
