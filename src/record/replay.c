/*
 * replay.c - replaying a recorded trace on the model: the machine, the
 * trace's threads as tasks of one process, every access through the TLB
 * and the page walker (mmlab_touch), address-space events through
 * replay_syscall.c, and the figures a replay reports (counter deltas, RSS
 * and page tables sampled over the run).  See replay.h for the mapping of
 * threads to CPUs and of the trace's addresses to the model's.
 *
 * One host thread replays everything, so the records keep the trace's
 * order; no lock of its own.  A caller's tick (replay_opts) runs on that
 * thread between two batches, every tick_every accesses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/replay.h"

#define TASK_SIZE_USER	(1ULL << 47)
#define SAMPLE_START	(1ULL << 16)

const char *const replay_counters[] = {
	"pgfault", "pgmajfault", "mmlab_cow_copies", "mmlab_cow_reuses", "pgreuse",
	"thp_fault_alloc", "thp_fault_fallback", "mmlab_mthp_fault_alloc",
	"thp_split_pmd", "thp_collapse_alloc", "numa_hint_faults",
	"mmlab_tlb_hits", "mmlab_tlb_l1_hits", "mmlab_tlb_l2_hits",
	"mmlab_tlb_misses", "mmlab_page_walks",
	"nr_tlb_remote_flush", "nr_tlb_remote_flush_received",
	"nr_tlb_local_flush_all", "nr_tlb_local_flush_one",
	"mmlab_ipis_zap", "mmlab_ipis_change_prot", "mmlab_ipis_batched",
	"mmlab_ipis_other", "mmlab_luf_alloc_flush_ipis", "mmlab_luf_mm_flush_ipis",
	"mmlab_luf_write_flush_ipis", "mmlab_luf_deferred",
	"stale_tlb_reports", "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct",
	"pgsteal_kswapd", "pgsteal_direct", "mmlab_pt_reclaim_tables_freed",
	"pgalloc_normal", "pgfree", "pgmigrate_success", "pgmigrate_fail",
	"pgpromote_success", "pgdemote_kswapd", "pgdemote_direct",
	"mmlab_ipis_batched_pending", "mmlab_pt_reclaim_scans",
	"mmlab_pt_reclaim_tables_scanned",
};
const unsigned int replay_nr_counters = sizeof(replay_counters) / sizeof(replay_counters[0]);

int replay_stop(struct replay *rp, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	n = (size_t)snprintf(rp->res->stop, sizeof(rp->res->stop), "record %" PRIu64
			     " (thread %" PRIu64 "): ", mmt_reader_records(rp->rd), rp->cur);
	va_start(ap, fmt);
	vsnprintf(rp->res->stop + n, sizeof(rp->res->stop) - n, fmt, ap);
	va_end(ap);
	return 1;
}

struct mmlab_task *replay_task(struct replay *rp)
{
	return rp->tasks[rp->cur];
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double sim_seconds(unsigned int cpus)
{
	uint64_t max = 0;

	for (unsigned int c = 0; c < cpus; c++)
		if (mmlab_cpu_cycles(c) > max)
			max = mmlab_cpu_cycles(c);
	return max / 3e9;	/* the cost model's 3 GHz */
}

static void counters_read(uint64_t *v)
{
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		if (mmlab_vmstat_get(replay_counters[i], &v[i]))
			v[i] = 0;
}

static void sample(struct replay *rp)
{
	struct replay_result *res = rp->res;
	struct replay_sample *s;
	struct mmlab_status st;
	uint64_t thp = 0;

	if (res->nsamples == REPLAY_MAX_SAMPLES) {
		/* keep every other sample and sample half as often */
		for (unsigned int i = 0; i < REPLAY_MAX_SAMPLES / 2; i++)
			res->samples[i] = res->samples[2 * i + 1];
		res->nsamples = REPLAY_MAX_SAMPLES / 2;
		res->sample_every *= 2;
	}
	mmlab_status(rp->proc, &st);
	mmlab_vmstat_get("nr_anon_transparent_hugepages", &thp);
	s = &res->samples[res->nsamples++];
	*s = (struct replay_sample){ mmt_reader_records(rp->rd), res->accesses,
		st.VmRSS, st.RssAnon, st.VmPTE, thp * 2048, st.VmSwap,
		sim_seconds(rp->o->cpus) };
	if (st.VmRSS > res->peak_rss_kb)
		res->peak_rss_kb = st.VmRSS;
	if (st.VmPTE > res->peak_pte_kb)
		res->peak_pte_kb = st.VmPTE;
}

static int new_thread(struct replay *rp, uint64_t parent, uint64_t tid)
{
	int ret;

	if (tid != rp->ntasks)
		return replay_stop(rp, "THREAD_NEW %" PRIu64 ": threads are numbered "
				   "in order (expected %" PRIu64 ")", tid, rp->ntasks);
	if (parent == 0 || parent >= rp->ntasks)
		return replay_stop(rp, "THREAD_NEW %" PRIu64 ": unknown parent %" PRIu64,
				   tid, parent);
	rp->tasks = realloc(rp->tasks, (tid + 1) * sizeof(*rp->tasks));
	ret = mmlab_thread(rp->proc, (unsigned int)((tid - 1) % rp->o->cpus),
			   &rp->tasks[tid]);
	if (ret)
		return replay_stop(rp, "THREAD_NEW %" PRIu64 ": %s", tid, strerror(-ret));
	rp->ntasks++;
	rp->res->threads++;
	return 0;
}

/* Make the accesses batched so far. */
static int replay_flush(struct replay *rp)
{
	const struct mmlab_access *a;
	uint64_t fault = 0;
	size_t n = rp->nbatch, done;
	int ret;

	if (!n)
		return 0;
	rp->nbatch = 0;
	done = mmlab_access_run(rp->tasks[rp->cur], rp->batch, n, &ret, &fault);
	if (!ret)
		return 0;
	a = &rp->batch[done];
	rp->res->accesses -= n - done - 1;
	snprintf(rp->res->stop, sizeof(rp->res->stop), "record %" PRIu64 " (thread %"
		 PRIu64 "): %s of %u bytes at 0x%" PRIx64 ": %s at 0x%" PRIx64
		 " on the model", rp->batch_first + done, rp->cur,
		 a->write ? "write" : "read", a->size, a->addr,
		 ret == MMLAB_SIGSEGV ? "SIGSEGV" : ret == MMLAB_SIGBUS ? "SIGBUS" :
		 strerror(-ret), fault);
	return 1;
}

/*
 * Accesses @acc[0..n) of the trace, records @recno + 1 onwards, into the
 * batch (flushed when full): each counted; one above user space skipped
 * and counted; one in the recorded heap moved to the model's heap.  The
 * batch, the counts and the heap's range are kept in locals (every access
 * of a replay goes through this loop); the counts are stored before each
 * flush, whose error path reads them.
 */
static int replay_accesses(struct replay *rp, uint64_t recno, const struct mmt_access *acc,
			   size_t n)
{
	struct replay_result *res = rp->res;
	const uint64_t lo = rp->rec_brk_start, len = rp->have_brk ? rp->rec_brk_end - lo : 0;
	const uint64_t shift = rp->model_brk_start - lo;
	struct mmlab_access *b = rp->batch;
	size_t nb = rp->nbatch, counted = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t addr = acc[i].addr;

		if (__builtin_expect(addr >= TASK_SIZE_USER, 0)) {
			res->skipped_kernel++;
			continue;
		}
		if (addr - lo < len)	/* in the recorded heap */
			addr += shift;
		if (!nb)
			rp->batch_first = recno + i + 1;
		b[nb++] = (struct mmlab_access){ addr, acc[i].size ? acc[i].size : 1,
						 acc[i].write };
		if (nb == REPLAY_BATCH) {
			int ret;

			res->accesses += i + 1 - counted;
			counted = i + 1;
			rp->nbatch = nb;
			ret = replay_flush(rp);
			if (ret)
				return ret;
			nb = 0;
		}
	}
	res->accesses += n - counted;
	rp->nbatch = nb;
	return 0;
}

static int replay_one(struct replay *rp, const struct mmt_rec *rec)
{
	int ret;

	if (rec->type == MMT_ACCESS_MAX) {
		const struct mmt_access a = { rec->addr, rec->size, rec->write };

		return replay_accesses(rp, mmt_reader_records(rp->rd) - 1, &a, 1);
	}
	ret = replay_flush(rp);
	if (ret)
		return ret;
	switch (rec->type) {
	case MMT_THREAD:
		if (rec->tid == 0 || rec->tid >= rp->ntasks)
			return replay_stop(rp, "THREAD %" PRIu64 ": no such thread", rec->tid);
		rp->cur = rec->tid;
		return 0;
	case MMT_THREAD_NEW:
		rp->res->events++;
		return new_thread(rp, rec->tid, rec->tid2);
	case MMT_THREAD_EXIT:
		rp->res->events++;
		return 0;	/* the model's task stays, idle */
	case MMT_SYSCALL:
		rp->res->events++;
		return replay_syscall(rp, rec);
	case MMT_FILE:
		rp->pending_file = *rec;
		rp->have_file = true;
		return 0;
	case MMT_SEGMENT:
		rp->res->events++;
		return replay_segment(rp, rec);
	case MMT_BRK_START:
		rp->rec_brk_start = rp->rec_brk_end = rec->addr;
		rp->have_brk = true;
		return 0;
	case MMT_END:
		if (rec->accesses != rp->res->accesses)
			return replay_stop(rp, "END counts %" PRIu64 " accesses, the "
					   "trace has %" PRIu64, rec->accesses,
					   rp->res->accesses);
		return 0;
	}
	return replay_stop(rp, "record type 0x%x cannot be replayed", rec->type);
}

static int machine_up(struct replay *rp)
{
	const struct replay_opts *o = rp->o;
	struct mmlab_config cfg;
	int ret;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = o->cpus;
	cfg.nr_nodes = o->nodes > 1 ? o->nodes : 1;
	for (unsigned int i = 0; i < cfg.nr_nodes; i++)
		cfg.node_bytes[i] = o->mem;
	cfg.no_data = true;
	cfg.stale_check = o->stale_check ? 1 : 0;
	cfg.seed = o->seed;
	if (o->deterministic) {
		cfg.deterministic = 1;
		cfg.sched_seed = o->seed;
	}
	ret = mmlab_machine_create(&cfg);
	if (ret) {
		snprintf(rp->res->stop, sizeof(rp->res->stop), "cannot create the model "
			 "machine (%u cpus, %" PRIu64 " bytes): %s", o->cpus, o->mem,
			 strerror(-ret));
		return 2;
	}
	for (unsigned int i = 0; i < o->nsets; i++) {
		char path[512], *eq;

		snprintf(path, sizeof(path), "%s", o->sets[i]);
		eq = strchr(path, '=');
		if (eq)
			*eq = 0;
		ret = eq ? mmlab_knob_set(path, eq + 1) : -EINVAL;
		if (ret) {
			snprintf(rp->res->stop, sizeof(rp->res->stop), "--set %s: %s",
				 o->sets[i], !eq ? "expected PATH=VALUE" :
				 ret == -ENOENT ? "unknown knob path (ENOENT)" :
				 ret == -EINVAL ? "value refused (EINVAL)" :
				 ret == -EACCES ? "read-only (EACCES)" : strerror(-ret));
			return 2;
		}
	}
	if (o->stale_check)
		mmlab_knob_set("/sys/kernel/mm/mmlab/debug/stale_check", "1");
	if (o->swap && (ret = mmlab_swapon(o->swap)) < 0) {
		snprintf(rp->res->stop, sizeof(rp->res->stop), "swapon of %" PRIu64
			 " bytes: %s", o->swap, strerror(-ret));
		return 2;
	}
	ret = mmlab_spawn(&rp->proc);
	if (ret) {
		snprintf(rp->res->stop, sizeof(rp->res->stop), "spawn: %s", strerror(-ret));
		return 2;
	}
	rp->tasks = calloc(2, sizeof(*rp->tasks));
	rp->tasks[1] = mmlab_main_task(rp->proc);
	rp->ntasks = 2;
	rp->cur = 1;
	rp->res->threads = 1;
	mmlab_brk(rp->tasks[1], 0, &rp->model_brk_start);
	return 0;
}

/* The loop: 0 at END, 1 stopped, 2 bad trace. */
static int replay_loop(struct replay *rp)
{
	struct replay_result *res = rp->res;
	uint64_t next_sample = res->sample_every;
	static struct mmt_access acc[1024];
	static struct mmt_rec rec;
	int ret;

	for (;;) {
		uint64_t recno = mmt_reader_records(rp->rd);
		size_t n = mmt_reader_accesses(rp->rd, acc, 1024);

		ret = replay_accesses(rp, recno, acc, n);
		if (ret)
			return ret;
		if (rp->o->tick && res->accesses >= rp->next_tick) {
			ret = replay_flush(rp);
			if (ret)
				return ret;
			rp->o->tick(rp->proc, rp->o->tick_arg);
			rp->next_tick = res->accesses + rp->o->tick_every;
		}
		if (n && mmt_reader_records(rp->rd) < next_sample)
			continue;
		ret = n ? 1 : mmt_reader_next(rp->rd, &rec);
		if (ret < 0) {
			snprintf(res->stop, sizeof(res->stop), "%s", mmt_reader_error(rp->rd));
			return 2;
		}
		if (ret == 0)
			return 0;
		ret = n ? 0 : replay_one(rp, &rec);
		if (ret)
			return ret;
		if (mmt_reader_records(rp->rd) >= next_sample) {
			ret = replay_flush(rp);
			if (ret)
				return ret;
			sample(rp);
			next_sample = mmt_reader_records(rp->rd) + res->sample_every;
		}
	}
}

int replay_trace(const char *path, const struct replay_opts *o,
		 struct replay_result *res)
{
	struct replay rp = { .o = o, .res = res };
	uint64_t before[96];
	char err[640];
	double t0;
	int ret;

	memset(res, 0, sizeof(*res));
	res->sample_every = SAMPLE_START;
	rp.next_tick = o->tick_every;
	rp.rd = mmt_reader_open(path, err, sizeof(err));
	if (!rp.rd) {
		snprintf(res->stop, sizeof(res->stop), "%s", err);
		return 2;
	}
	ret = machine_up(&rp);
	if (ret) {
		mmt_reader_close(rp.rd);
		return ret;
	}
	counters_read(before);
	rp.batch = malloc(REPLAY_BATCH * sizeof(*rp.batch));
	t0 = now_s();
	ret = replay_loop(&rp);
	if (!ret)
		ret = replay_flush(&rp);
	res->host_s = now_s() - t0;
	res->records = mmt_reader_records(rp.rd);
	sample(&rp);
	mmlab_quiesce();
	counters_read(res->counters);
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		res->counters[i] -= before[i];
	mmlab_status(rp.proc, &res->end);
	if (res->end.VmHWM > res->peak_rss_kb)
		res->peak_rss_kb = res->end.VmHWM;
	res->sim_s = sim_seconds(o->cpus);
	mmlab_exit(rp.proc);
	mmlab_machine_destroy();
	res->have_sched = !mmlab_sched_stats(&res->sched);
	mmt_reader_close(rp.rd);
	free(rp.tasks);
	free(rp.batch);
	free(rp.files);
	free(rp.shms);
	return ret;
}
