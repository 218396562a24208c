/*
 * core.c - `mmlab bench core`: the model's basic memory-manager paths beside
 * the host kernel's, same sizes, same run.
 *
 * For each operation (anonymous write faults, MADV_DONTNEED, munmap, pagemap
 * read, fork of a populated process including the child's exit and reap) it
 * reports model and host rates per second and their ratio, the best of
 * --reps repetitions on each side, with mmlab's speed goal (ratio >= 2 for
 * faults, >= 1 for the rest).  It also reports the host RSS the model costs
 * per simulated GiB touched, and the model's metadata bytes per frame.
 *
 * The model side runs in a child process (bench_isolate): its frames and CPU
 * threads never sit in the process whose fork is timed, and a crash in the
 * model leaves the host figures intact.  The host side uses this process:
 * anonymous memory with MADV_NOHUGEPAGE so 4 KiB faults are measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmlab/mmlab.h>

#include "bench.h"

enum core_op {
	OP_ANON_FAULT,
	OP_DONTNEED,
	OP_MUNMAP,
	OP_PAGEMAP,
	OP_FORK,
	NR_CORE_OPS
};

static const struct {
	const char *name;
	double goal;		/* model/host ratio wanted */
	double host_ref;	/* host figure measured earlier */
} core_ops[NR_CORE_OPS] = {
	[OP_ANON_FAULT]	= { "anon_fault",	2, 0.61e6 },	/* faults/s */
	[OP_DONTNEED]	= { "dontneed",		1, 7.5e6 },	/* pages/s */
	[OP_MUNMAP]	= { "munmap",		1, 8.3e6 },	/* pages/s */
	[OP_PAGEMAP]	= { "pagemap",		1, 68e6 },	/* entries/s */
	[OP_FORK]	= { "fork",		1, 1 / 11.6e-3 }, /* forks/s */
};

/* Entries per pagemap read, both sides: 512 KiB of entries. */
#define PAGEMAP_CHUNK	65536

/* One side's figures: plain data, it crosses a pipe from the model child. */
struct core_side {
	double per_s[NR_CORE_OPS];	/* best rate; NAN when not measured */
	double rss_mib_per_gib;		/* model: host RSS per simulated GiB */
	double meta_bytes_per_frame;	/* model */
	int err;			/* -errno of the call that failed */
	char what[160];			/* that call, for the message */
};

struct core_args {
	uint64_t size;
	unsigned int reps;
};

static void side_init(struct core_side *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < NR_CORE_OPS; i++)
		s->per_s[i] = NAN;
	s->rss_mib_per_gib = NAN;
	s->meta_bytes_per_frame = NAN;
}

static void best(struct core_side *s, enum core_op op, double rate)
{
	if (isnan(s->per_s[op]) || rate > s->per_s[op])
		s->per_s[op] = rate;
}

/* ---- the model ---- */

static int model_rep(struct core_side *s, const struct core_args *a,
		     unsigned int rep, uint64_t *pm)
{
	const uint64_t npages = a->size / MMLAB_PAGE_SIZE;
	struct mmlab_proc *p, *child;
	struct mmlab_task *t;
	uint64_t addr, fa;
	long rss0 = 0, rss1;
	const char *what;
	double t0;
	int ret;

	ret = bench_anon_proc(a->size, &p, &addr, &what);
	if (ret)
		return bench_fail(s, ret, what);
	t = mmlab_main_task(p);

	if (!rep)
		rss0 = bench_host_vmrss_kb();
	t0 = bench_now();
	ret = mmlab_touch(t, addr, a->size, true, &fa);
	if (ret) {
		bench_fail(s, ret < 0 ? ret : -EFAULT, "mmlab_touch (anon_fault)");
		goto out;
	}
	best(s, OP_ANON_FAULT, npages / (bench_now() - t0));
	if (!rep) {
		rss1 = bench_host_vmrss_kb();
		if (rss0 >= 0 && rss1 >= 0)
			s->rss_mib_per_gib = (rss1 - rss0) / 1024.0 /
					     ((double)a->size / BENCH_GIB);
	}

	t0 = bench_now();
	for (uint64_t i = 0; i < npages; i += PAGEMAP_CHUNK) {
		uint64_t n = npages - i < PAGEMAP_CHUNK ? npages - i : PAGEMAP_CHUNK;

		ret = mmlab_pagemap(p, addr + i * MMLAB_PAGE_SIZE, n, pm);
		if (ret) {
			bench_fail(s, ret, "mmlab_pagemap");
			goto out;
		}
	}
	best(s, OP_PAGEMAP, npages / (bench_now() - t0));

	t0 = bench_now();
	ret = mmlab_fork(p, &child);
	if (ret) {
		bench_fail(s, ret, "mmlab_fork");
		goto out;
	}
	ret = mmlab_exit(child);
	if (ret) {
		bench_fail(s, ret, "mmlab_exit (fork child)");
		goto out;
	}
	best(s, OP_FORK, 1 / (bench_now() - t0));

	t0 = bench_now();
	ret = mmlab_madvise(t, addr, a->size, MADV_DONTNEED);
	if (ret) {
		bench_fail(s, ret, "mmlab_madvise(MADV_DONTNEED)");
		goto out;
	}
	best(s, OP_DONTNEED, npages / (bench_now() - t0));

	ret = mmlab_touch(t, addr, a->size, true, &fa);
	if (ret) {
		bench_fail(s, ret < 0 ? ret : -EFAULT, "mmlab_touch (refault)");
		goto out;
	}
	t0 = bench_now();
	ret = mmlab_munmap(t, addr, a->size);
	if (ret) {
		bench_fail(s, ret, "mmlab_munmap");
		goto out;
	}
	best(s, OP_MUNMAP, npages / (bench_now() - t0));
out:
	mmlab_exit(p);
	return ret;
}

static void model_side(void *arg, void *out)
{
	const struct core_args *a = arg;
	struct core_side *s = out;
	struct mmlab_config cfg;
	uint64_t need, *pm;
	int ret;

	side_init(s);
	pm = malloc(PAGEMAP_CHUNK * sizeof(*pm));
	if (!pm) {
		bench_fail(s, -ENOMEM, "malloc");
		return;
	}
	mmlab_config_default(&cfg);
	/* Room for the range, its refault and the fork's page tables. */
	need = (a->size + a->size / 2 + BENCH_GIB - 1) / BENCH_GIB * BENCH_GIB;
	if (cfg.node_bytes[0] < need)
		cfg.node_bytes[0] = need;
	ret = mmlab_machine_create(&cfg);
	if (ret) {
		bench_fail(s, ret, "mmlab_machine_create");
		free(pm);
		return;
	}
	s->meta_bytes_per_frame = mmlab_metadata_bytes_per_frame();
	for (unsigned int rep = 0; rep < a->reps; rep++)
		if (model_rep(s, a, rep, pm))
			break;
	mmlab_machine_destroy();
	free(pm);
}

/* ---- the host kernel ---- */

static void host_touch(volatile char *p, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += MMLAB_PAGE_SIZE)
		p[off] = ((off >> 12) & 0xff) | 1;
}

static int host_rep(struct core_side *s, const struct core_args *a,
		    int pm_fd, uint64_t *pm)
{
	const uint64_t npages = a->size / MMLAB_PAGE_SIZE;
	char *p;
	double t0;
	pid_t pid;
	int status;

	p = mmap(NULL, a->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return bench_fail(s, -errno, "mmap");
	madvise(p, a->size, MADV_NOHUGEPAGE);

	t0 = bench_now();
	host_touch(p, a->size);
	best(s, OP_ANON_FAULT, npages / (bench_now() - t0));

	t0 = bench_now();
	for (uint64_t i = 0; i < npages; i += PAGEMAP_CHUNK) {
		uint64_t n = npages - i < PAGEMAP_CHUNK ? npages - i : PAGEMAP_CHUNK;
		off_t off = ((uintptr_t)p / MMLAB_PAGE_SIZE + i) * 8;

		if (pread(pm_fd, pm, n * 8, off) != (ssize_t)(n * 8)) {
			bench_fail(s, -errno ?: -EIO, "pread /proc/self/pagemap");
			munmap(p, a->size);
			return s->err;
		}
	}
	best(s, OP_PAGEMAP, npages / (bench_now() - t0));

	fflush(NULL);
	t0 = bench_now();
	pid = fork();
	if (pid < 0) {
		bench_fail(s, -errno, "fork");
		munmap(p, a->size);
		return s->err;
	}
	if (!pid)
		_exit(0);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	best(s, OP_FORK, 1 / (bench_now() - t0));

	t0 = bench_now();
	if (madvise(p, a->size, MADV_DONTNEED)) {
		bench_fail(s, -errno, "madvise(MADV_DONTNEED)");
		munmap(p, a->size);
		return s->err;
	}
	best(s, OP_DONTNEED, npages / (bench_now() - t0));

	host_touch(p, a->size);
	t0 = bench_now();
	if (munmap(p, a->size))
		return bench_fail(s, -errno, "munmap");
	best(s, OP_MUNMAP, npages / (bench_now() - t0));
	return 0;
}

static void host_side(const struct core_args *a, struct core_side *s)
{
	uint64_t *pm;
	int fd;

	side_init(s);
	pm = malloc(PAGEMAP_CHUNK * sizeof(*pm));
	if (!pm) {
		bench_fail(s, -ENOMEM, "malloc");
		return;
	}
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bench_fail(s, -errno, "open /proc/self/pagemap");
		free(pm);
		return;
	}
	for (unsigned int rep = 0; rep < a->reps; rep++)
		if (host_rep(s, a, fd, pm))
			break;
	close(fd);
	free(pm);
}

/* ---- records ---- */

int bench_core(struct bench_ctx *ctx)
{
	struct core_args a = { .size = ctx->opts.size, .reps = ctx->opts.reps };
	struct core_side model, host;
	char err[128];
	int ret = 0;

	side_init(&model);
	side_init(&host);
	if (!ctx->opts.host_only) {
		unsigned int timeout = 600 * (unsigned int)(a.size / BENCH_GIB + 1);

		bench_progress(ctx, "core: model side (%u x %llu MiB)", a.reps,
			       (unsigned long long)(a.size >> 20));
		if (bench_isolate(model_side, &a, &model, sizeof(model),
				  timeout, err, sizeof(err))) {
			side_init(&model);
			model.err = -EIO;
			snprintf(model.what, sizeof(model.what), "model %s", err);
		}
		if (model.err) {
			fprintf(stderr, "mmlab bench core: model: %s\n", model.what);
			ret = 1;
		}
	}
	if (!ctx->opts.model_only) {
		bench_progress(ctx, "core: host side (%u x %llu MiB)", a.reps,
			       (unsigned long long)(a.size >> 20));
		host_side(&a, &host);
		if (host.err) {
			fprintf(stderr, "mmlab bench core: host: %s\n", host.what);
			ret = 1;
		}
	}

	for (int i = 0; i < NR_CORE_OPS; i++) {
		struct bench_rec *r = bench_rec_new(ctx);
		double ratio = model.per_s[i] / host.per_s[i];

		bench_rec_str(r, "op", core_ops[i].name);
		bench_rec_rate(r, "model_per_s", model.per_s[i]);
		bench_rec_rate(r, "host_per_s", host.per_s[i]);
		bench_rec_num(r, "ratio", ratio);
		bench_rec_num(r, "goal", core_ops[i].goal);
		bench_rec_str(r, "verdict", isnan(ratio) ? "n/a" :
			      ratio >= core_ops[i].goal ? "pass" : "miss");
		bench_rec_rate(r, "host_ref_per_s", core_ops[i].host_ref);
		bench_emit(ctx, r);
	}

	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "op", "host_rss_per_sim_gib");
	bench_rec_num(r, "value", model.rss_mib_per_gib);
	bench_rec_str(r, "unit", "MiB");
	bench_emit(ctx, r);

	r = bench_rec_new(ctx);
	bench_rec_str(r, "op", "metadata_bytes_per_frame");
	bench_rec_num(r, "value", model.meta_bytes_per_frame);
	bench_rec_str(r, "unit", "bytes");
	bench_emit(ctx, r);
	return ret;
}
