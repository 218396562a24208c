/*
 * tlb.c - `mmlab bench tlb`: TLB shootdown IPIs per operation, host kernel
 * beside the model.
 *
 * The host kernel sends exactly 1 IPI to a running peer thread for munmap of
 * a touched page, 2 for mprotect RO then RW of a touched page, 0 for an
 * untouched one; the model must agree.  Host: host_ipi.c, a peer
 * thread spinning on a second CPU, /proc/interrupts "TLB:" deltas, the mode
 * of --reps x 7 valid trials (at least 20).  Model: a process whose second task,
 * on CPU 1, has touched the process's memory (so CPU 1 has the mm loaded)
 * right before the main task on CPU 0 does the operation; the count is the
 * change of vmstat nr_tlb_remote_flush_received, the most frequent over
 * --reps trials (they should all agree: a warning says when they do not).
 * The model runs in a child process (bench_isolate).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <mmlab/mmlab.h>

#include "bench.h"
#include "host_ipi.h"
#include "script/host_profile.h"

#define MODEL_MAX_COUNT	63

struct tlb_model {
	int ipis[HOST_IPI_NR_CASES];	/* -1: not measured */
	int min[HOST_IPI_NR_CASES], max[HOST_IPI_NR_CASES];
	int err;
	char what[160];
};

static int received(uint64_t *v)
{
	return mmlab_vmstat_get("nr_tlb_remote_flush_received", v);
}

static int trial_fail(struct tlb_model *m, enum host_ipi_case c, int err,
		      const char *what)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%s: %s", host_ipi_case_name(c), what);
	return bench_fail(m, err, buf);
}

/* One trial of case @c; the flushes CPU 1 received, or -errno. */
static int model_trial(struct tlb_model *m, struct mmlab_task *t0,
		       struct mmlab_task *t1, uint64_t peer_addr,
		       enum host_ipi_case c)
{
	const uint64_t len = MMLAB_PAGE_SIZE;
	uint64_t addr, fa, before, after;
	int ret;

	ret = mmlab_mmap(t0, 0, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &addr);
	if (ret)
		return trial_fail(m, c, ret, "mmlab_mmap");
	if (c != HOST_IPI_MUNMAP_UNTOUCHED) {
		ret = mmlab_touch(t0, addr, len, true, &fa);
		if (ret)
			return trial_fail(m, c, ret < 0 ? ret : -EFAULT, "mmlab_touch");
	}
	/* The peer runs in this mm, as the host's spinning thread does. */
	ret = mmlab_touch(t1, peer_addr, len, false, &fa);
	if (ret)
		return trial_fail(m, c, ret < 0 ? ret : -EFAULT, "mmlab_touch (peer)");

	ret = received(&before);
	if (ret)
		return trial_fail(m, c, ret, "vmstat nr_tlb_remote_flush_received");
	switch (c) {
	case HOST_IPI_MUNMAP_TOUCHED:
	case HOST_IPI_MUNMAP_UNTOUCHED:
		ret = mmlab_munmap(t0, addr, len);
		if (ret)
			return trial_fail(m, c, ret, "mmlab_munmap");
		break;
	case HOST_IPI_MPROTECT_RO_RW:
		ret = mmlab_mprotect(t0, addr, len, PROT_READ);
		if (!ret)
			ret = mmlab_mprotect(t0, addr, len, PROT_READ | PROT_WRITE);
		if (ret)
			return trial_fail(m, c, ret, "mmlab_mprotect");
		break;
	default:
		return trial_fail(m, c, -EINVAL, "case");
	}
	ret = received(&after);
	if (ret)
		return trial_fail(m, c, ret, "vmstat nr_tlb_remote_flush_received");
	if (c == HOST_IPI_MPROTECT_RO_RW)
		mmlab_munmap(t0, addr, len);
	return (int)(after - before);
}

static void model_side(void *arg, void *out)
{
	const unsigned int trials = *(const unsigned int *)arg;
	struct tlb_model *m = out;
	struct mmlab_config cfg;
	struct mmlab_proc *p;
	struct mmlab_task *t0, *t1;
	uint64_t peer_addr, fa;
	int ret;

	memset(m, 0, sizeof(*m));
	for (int c = 0; c < HOST_IPI_NR_CASES; c++)
		m->ipis[c] = -1;
	mmlab_config_default(&cfg);
	if (cfg.nr_cpus < 2)
		cfg.nr_cpus = 2;
	ret = mmlab_machine_create(&cfg);
	if (ret) {
		bench_fail(m, ret, "mmlab_machine_create");
		return;
	}
	ret = mmlab_spawn(&p);
	if (ret) {
		bench_fail(m, ret, "mmlab_spawn");
		goto out;
	}
	t0 = mmlab_main_task(p);
	ret = mmlab_thread(p, 1, &t1);
	if (ret) {
		bench_fail(m, ret, "mmlab_thread");
		goto out_exit;
	}
	ret = mmlab_mmap(t0, 0, MMLAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &peer_addr);
	if (ret) {
		bench_fail(m, ret, "mmlab_mmap (peer)");
		goto out_exit;
	}
	ret = mmlab_touch(t1, peer_addr, MMLAB_PAGE_SIZE, true, &fa);
	if (ret) {
		bench_fail(m, ret < 0 ? ret : -EFAULT, "mmlab_touch (peer)");
		goto out_exit;
	}
	for (int c = 0; c < HOST_IPI_NR_CASES; c++) {
		unsigned int hist[MODEL_MAX_COUNT + 1] = { 0 };
		int mode = 0;

		m->min[c] = INT32_MAX;
		m->max[c] = -1;
		for (unsigned int i = 0; i < trials; i++) {
			ret = model_trial(m, t0, t1, peer_addr, c);
			if (ret < 0)
				break;	/* m->what says why; try the next case */
			hist[ret < MODEL_MAX_COUNT ? ret : MODEL_MAX_COUNT]++;
			if (ret < m->min[c])
				m->min[c] = ret;
			if (ret > m->max[c])
				m->max[c] = ret;
		}
		if (ret < 0)
			continue;
		for (int v = 0; v <= MODEL_MAX_COUNT; v++)
			if (hist[v] > hist[mode])
				mode = v;
		m->ipis[c] = mode;
	}
out_exit:
	mmlab_exit(p);
out:
	mmlab_machine_destroy();
}

int bench_tlb(struct bench_ctx *ctx)
{
	unsigned int trials = ctx->opts.reps ? ctx->opts.reps : 1;
	unsigned int host_trials = trials * 7 < 20 ? 20 : trials * 7;
	int host[HOST_IPI_NR_CASES];
	struct tlb_model m;
	const char *host_na = NULL;
	char err[128];
	int ret = 0;

	memset(&m, 0, sizeof(m));
	for (int c = 0; c < HOST_IPI_NR_CASES; c++) {
		m.ipis[c] = -1;
		host[c] = -1;
	}
	if (!ctx->opts.host_only) {
		if (bench_isolate(model_side, &trials, &m, sizeof(m), 300, err,
				  sizeof(err))) {
			for (int c = 0; c < HOST_IPI_NR_CASES; c++)
				m.ipis[c] = -1;
			m.err = -EIO;
			snprintf(m.what, sizeof(m.what), "model %s", err);
		}
		if (m.err) {
			fprintf(stderr, "mmlab bench tlb: model: %s\n", m.what);
			ret = 1;
		}
	}
	for (int c = 0; c < HOST_IPI_NR_CASES; c++)
		if (m.ipis[c] >= 0 && m.min[c] != m.max[c])
			fprintf(stderr, "mmlab bench tlb: model %s: trials disagree "
				"(%d..%d IPIs)\n", host_ipi_case_name(c), m.min[c],
				m.max[c]);
	/* A host whose flushes do not show as IPIs (a paravirtualized guest
	 * flushing through its hypervisor) gives no host figure: n/a, with
	 * the host profile's reason, not a count of 0. */
	if (!ctx->opts.model_only &&
	    host_has(host_profile(), "tlb_ipis", &host_na) == 1)
		host_na = NULL;
	for (int c = 0; c < HOST_IPI_NR_CASES && !ctx->opts.model_only && !host_na; c++) {
		host[c] = host_ipi_delta(c, host_trials);
		if (host[c] < 0) {
			fprintf(stderr, "mmlab bench tlb: host %s: %s\n",
				host_ipi_case_name(c), strerror(-host[c]));
			/* No second CPU or no TLB line: not the model's fault. */
			if (host[c] != -EOPNOTSUPP && host[c] != -ENOENT)
				ret = 1;
			host[c] = -1;
		}
	}

	for (int c = 0; c < HOST_IPI_NR_CASES; c++) {
		struct bench_rec *r = bench_rec_new(ctx);
		int want = host_ipi_expected(c);

		bench_rec_str(r, "case", host_ipi_case_name(c));
		bench_rec_int(r, "expected_ipis", want);
		if (host[c] >= 0)
			bench_rec_int(r, "host_ipis", host[c]);
		else
			bench_rec_null(r, "host_ipis");
		if (host_na) {
			bench_rec_str(r, "host", "n/a");
			bench_rec_str(r, "host_reason", host_na);
		}
		if (m.ipis[c] >= 0)
			bench_rec_int(r, "model_ipis", m.ipis[c]);
		else
			bench_rec_null(r, "model_ipis");
		/* The model must agree with the host; where the host cannot be
		 * measured, the verdict is n/a and the documented count (the
		 * kernel's behaviour on bare x86-64) is beside it. */
		if (m.ipis[c] < 0 || host[c] < 0)
			bench_rec_str(r, "verdict", "n/a");
		else
			bench_rec_str(r, "verdict", m.ipis[c] == host[c] ? "pass" : "miss");
		if (m.ipis[c] >= 0)
			bench_rec_str(r, "model_vs_expected", m.ipis[c] == want ? "pass" : "miss");
		bench_emit(ctx, r);
	}
	return ret;
}
