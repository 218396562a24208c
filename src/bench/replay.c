/*
 * replay.c - `mmlab bench replay`: how fast the model replays recorded
 * accesses (src/record/, mmlab_access_run).
 *
 * - hit path: one task replays runs of accesses over 64 pages that stay in
 *   its L1 TLB (stale-TLB detector off): accesses per second of wall time
 *   and of the thread's CPU time (this machine's CPUs are shared), and host
 *   instructions per access: the hardware counter's, or where it cannot be
 *   read (a guest without a PMU) callgrind's over `mmlab replay` of a
 *   synthetic trace of the same accesses;
 * - scaling: two host threads, each a task on its own CPU replaying its own
 *   64 pages, against one;
 * - file: a synthetic trace of the same accesses written and replayed by
 *   `mmlab replay`'s engine (decompression and decoding included);
 * - program: when the recorder is built, `sort` of generated lines is
 *   recorded and replayed; its replay time beside the program's native
 *   time (the trace header's native_s);
 * - luf: `zstd -T2` recorded, replayed on 2 CPUs in 4 MiB of memory with
 *   swap (reclaim unmaps the pages both compressing threads read), LUF off
 *   and on: shootdowns, IPIs, pages reclaimed;
 * - ptreclaim: Python (Debian's python3 binary) writing 16 MiB of a
 *   private anonymous mmap and discarding it with MADV_DONTNEED, then
 *   exiting at once (the mapping stays), replayed with page-table
 *   reclaim's zap on and off: VmPTE at the end.
 *
 * The model side runs in a forked child (bench_isolate).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <mmlab/mmlab.h>
#include "bench.h"
#include "record/replay.h"
#include "record/trace.h"

#define HIT_PAGES	64
#define RUN_LEN		(1u << 16)
#define HIT_RUNS	512		/* 33.5 M accesses a thread */
#define FILE_ACCESSES	(16u << 20)
#define CG_ACCESSES	(1u << 20)	/* the callgrind count's replay */

struct hit_result {
	double wall_s[2], cpu_s[2];	/* [threads - 1] */
	uint64_t accesses[2];
	uint64_t hits_l1;		/* counted by the model, 1 thread */
	double instructions;		/* per access, -1 unknown */
	const char *instr_by;		/* how they were counted */
	char instr_why[160];
	double file_wall_s, file_cpu_s;
	uint64_t file_accesses;
	char err[256];
};

/* The hardware instruction counter of this thread, or -1 with why. */
static int instr_open(char *why, size_t len)
{
	struct perf_event_attr a = { .type = PERF_TYPE_HARDWARE, .size = sizeof(a),
				     .config = PERF_COUNT_HW_INSTRUCTIONS,
				     .disabled = 1, .exclude_kernel = 1, .exclude_hv = 1 };
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);

	if (fd < 0)
		snprintf(why, len, "perf_event_open(instructions): %s", strerror(errno));
	return fd;
}

struct worker {
	struct mmlab_task *task;
	struct mmlab_access *v;
	double cpu_s;
	uint64_t done;
	int ret;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t fault;
	double t0 = bench_thread_cpu_s();

	for (unsigned int r = 0; r < HIT_RUNS && !w->ret; r++)
		w->done += mmlab_access_run(w->task, w->v, RUN_LEN, &w->ret, &fault);
	w->cpu_s = bench_thread_cpu_s() - t0;
	return NULL;
}

/* Runs over HIT_PAGES pages at @base, every page written first. */
static struct mmlab_access *make_runs(struct mmlab_task *t, uint64_t base)
{
	struct mmlab_access *v = malloc(RUN_LEN * sizeof(*v));
	uint64_t fault;

	mmlab_touch(t, base, HIT_PAGES * MMLAB_PAGE_SIZE, true, &fault);
	for (unsigned int i = 0; i < RUN_LEN; i++)
		v[i] = (struct mmlab_access){ base + (i % HIT_PAGES) * MMLAB_PAGE_SIZE +
					      (i * 72) % 4000, 8, i & 1 };
	return v;
}

static int hit_threads(struct mmlab_proc *p, unsigned int n, struct hit_result *out)
{
	struct worker w[2] = { 0 };
	pthread_t th[2];
	double t0;

	for (unsigned int k = 0; k < n; k++) {
		uint64_t base;

		if (k == 0)
			w[k].task = mmlab_main_task(p);
		else if (mmlab_thread(p, k, &w[k].task))
			return -1;
		if (mmlab_mmap(w[k].task, 0, HIT_PAGES * MMLAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &base))
			return -1;
		w[k].v = make_runs(w[k].task, base);
	}
	t0 = bench_now();
	for (unsigned int k = 0; k < n; k++)
		mmlab_thread_create(&th[k], worker_main, &w[k]);
	for (unsigned int k = 0; k < n; k++)
		mmlab_thread_join(th[k]);
	out->wall_s[n - 1] = bench_now() - t0;
	out->cpu_s[n - 1] = 0;
	out->accesses[n - 1] = 0;
	for (unsigned int k = 0; k < n; k++) {
		out->cpu_s[n - 1] = w[k].cpu_s > out->cpu_s[n - 1] ? w[k].cpu_s : out->cpu_s[n - 1];
		out->accesses[n - 1] += w[k].done;
		free(w[k].v);
		if (w[k].ret)
			return -1;
	}
	return 0;
}

/* Instructions per access of one run on the main task (a warm TLB). */
static void count_instructions(struct mmlab_proc *p, struct hit_result *out)
{
	struct mmlab_task *t = mmlab_main_task(p);
	struct mmlab_access *v;
	uint64_t base, fault, n = 0;
	int fd = instr_open(out->instr_why, sizeof(out->instr_why)), ret;

	out->instructions = -1;
	if (fd < 0)
		return;
	mmlab_mmap(t, 0, HIT_PAGES * MMLAB_PAGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &base);
	v = make_runs(t, base);
	mmlab_access_run(t, v, RUN_LEN, &ret, &fault);
	ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	mmlab_access_run(t, v, RUN_LEN, &ret, &fault);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fd, &n, sizeof(n)) == sizeof(n) && n)
		out->instructions = (double)n / RUN_LEN;
	else
		snprintf(out->instr_why, sizeof(out->instr_why), "the counter read 0");
	close(fd);
	free(v);
}

static int machine(unsigned int cpus, struct mmlab_proc **p)
{
	struct mmlab_config cfg;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = cpus;
	cfg.node_bytes[0] = 256ULL << 20;
	cfg.no_data = true;
	cfg.stale_check = 0;
	if (mmlab_machine_create(&cfg))
		return -1;
	return mmlab_spawn(p);
}

/* @n of the hit path's accesses as a trace file at @path (made by
 * mkstemp): 0, or -1. */
static int write_hit_trace(char *path, uint32_t n)
{
	struct mmt_enc e = { 0 };
	struct mmt_writer *w;
	uint64_t a[6] = { 0, HIT_PAGES * MMLAB_PAGE_SIZE, 3, 0x22, ~0ULL, 0 };
	const uint64_t base = 0x7f0000000000ULL;
	char err[256];
	int fd = mkstemp(path), ret = -1;

	if (fd < 0)
		return -1;
	close(fd);
	mmt_enc_thread(&e, 1);
	mmt_enc_syscall(&e, 9, 6, a, (int64_t)base);
	for (uint32_t i = 0; i < n; i++)
		mmt_enc_access(&e, base + (i % HIT_PAGES) * MMLAB_PAGE_SIZE + (i * 72) % 4000,
			       8, i & 1);
	mmt_enc_end(&e);
	w = mmt_writer_open(path, "tracer=synthetic\n", err, sizeof(err));
	if (w && !mmt_writer_put(w, e.buf, e.len) && !mmt_writer_close(w))
		ret = 0;
	mmt_enc_free(&e);
	if (ret)
		unlink(path);
	return ret;
}

/* The same accesses as a trace file, replayed by the engine. */
static void file_replay(struct hit_result *out)
{
	static struct replay_result res;
	struct replay_opts o = { .cpus = 1, .mem = 256ULL << 20, .seed = 1 };
	char path[] = "/tmp/mmlab-bench-replay-XXXXXX";
	double c0;

	if (write_hit_trace(path, FILE_ACCESSES))
		return;
	c0 = bench_thread_cpu_s();
	if (!replay_trace(path, &o, &res)) {
		out->file_wall_s = res.host_s;
		out->file_cpu_s = bench_thread_cpu_s() - c0;
		out->file_accesses = res.accesses;
	}
	unlink(path);
}

/*
 * Without the hardware counter: instructions per access counted by
 * valgrind's callgrind, inclusive of mmlab_access_run (the batches'
 * entry and exit included), over `mmlab replay --no-stale-check` of
 * CG_ACCESSES of the hit path's accesses.  -1 with @why when it cannot.
 */
static double callgrind_instructions(const char *exe, char *why, size_t len)
{
	char trace[] = "/tmp/mmlab-bench-cg-XXXXXX", out[64], cmd[8192], line[256];
	double ir = -1;
	FILE *f;

	if (system("valgrind --version >/dev/null 2>&1")) {
		snprintf(why + strlen(why), len - strlen(why), "; valgrind: not found");
		return -1;
	}
	if (write_hit_trace(trace, CG_ACCESSES))
		return -1;
	snprintf(out, sizeof(out), "%s.out", trace);
	snprintf(cmd, sizeof(cmd), "valgrind --tool=callgrind --callgrind-out-file=%s "
		 "--toggle-collect=mmlab_access_run '%s' replay --cpus 1 --mem 256M "
		 "--no-stale-check %s >/dev/null 2>&1", out, exe, trace);
	f = system(cmd) ? NULL : fopen(out, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "summary: ", 9))
			ir = atof(line + 9) / CG_ACCESSES;
	if (f)
		fclose(f);
	if (ir < 0)
		snprintf(why + strlen(why), len - strlen(why), "; callgrind: no count");
	unlink(out);
	unlink(trace);
	return ir;
}

static void model_side(void *arg, void *outp)
{
	struct hit_result *out = outp;
	struct mmlab_proc *p;

	for (unsigned int n = 1; n <= 2; n++) {
		if (machine(2, &p) || hit_threads(p, n, out)) {
			snprintf(out->err, sizeof(out->err), "the %u-thread run failed", n);
			return;
		}
		if (n == 1)
			mmlab_vmstat_get("mmlab_tlb_l1_hits", &out->hits_l1);
		mmlab_exit(p);
		mmlab_machine_destroy();
	}
	if (!machine(1, &p)) {
		count_instructions(p, out);
		mmlab_exit(p);
		mmlab_machine_destroy();
	}
	file_replay(out);
}

static void emit_hit(struct bench_ctx *ctx, const struct hit_result *h)
{
	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "part", "hit_path");
	bench_rec_int(r, "pages", HIT_PAGES);
	bench_rec_int(r, "accesses", (int64_t)h->accesses[0]);
	bench_rec_rate(r, "per_s_wall", h->accesses[0] / h->wall_s[0]);
	bench_rec_rate(r, "per_s_cpu", h->accesses[0] / h->cpu_s[0]);
	bench_rec_num(r, "l1_hit_share", (double)h->hits_l1 / h->accesses[0]);
	if (h->instructions >= 0)
		bench_rec_num(r, "instructions_per_access", h->instructions);
	else
		bench_rec_null(r, "instructions_per_access");
	bench_rec_str(r, "instructions_by", h->instr_by);
	bench_rec_str(r, "note", h->instructions >= 0 ? "" : h->instr_why);
	bench_emit(ctx, r);

	r = bench_rec_new(ctx);
	bench_rec_str(r, "part", "scaling");
	bench_rec_rate(r, "one_thread_per_s", h->accesses[0] / h->wall_s[0]);
	bench_rec_rate(r, "two_threads_per_s", h->accesses[1] / h->wall_s[1]);
	bench_rec_num(r, "scaling_wall", (h->accesses[1] / h->wall_s[1]) /
					 (h->accesses[0] / h->wall_s[0]));
	bench_rec_num(r, "scaling_cpu", (h->accesses[1] / h->cpu_s[1]) /
					(h->accesses[0] / h->cpu_s[0]));
	bench_rec_int(r, "host_cpus", sysconf(_SC_NPROCESSORS_ONLN));
	bench_emit(ctx, r);

	r = bench_rec_new(ctx);
	bench_rec_str(r, "part", "file");
	bench_rec_int(r, "accesses", (int64_t)h->file_accesses);
	if (h->file_accesses) {
		bench_rec_rate(r, "per_s_wall", h->file_accesses / h->file_wall_s);
		bench_rec_rate(r, "per_s_cpu", h->file_accesses / h->file_cpu_s);
	} else {
		bench_rec_null(r, "per_s_wall");
		bench_rec_null(r, "per_s_cpu");
	}
	bench_emit(ctx, r);
}

struct prog_result {
	double native_s, replay_s, replay_cpu_s, record_s;
	uint64_t accesses;
	char err[256];
};

/* `sort` of generated lines, recorded and replayed (needs the recorder). */
static void program_side(void *arg, void *outp)
{
	static struct replay_result res;
	struct replay_opts o = { .cpus = 2, .mem = 1ULL << 30, .seed = 1 };
	struct prog_result *out = outp;
	const char *exe = arg;
	char dir[] = "/tmp/mmlab-bench-sort-XXXXXX", cmd[1024], path[256], v[64];
	struct mmt_reader *rd;
	double t0;
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/lines", dir);
	f = fopen(path, "w");
	for (int i = 0; f && i < 20000; i++)
		fprintf(f, "%08x line %d\n", (unsigned int)(i * 2654435761u), i);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' record --quiet -o %s/sort.mmt sort --parallel=1 "
		 "-o %s/sorted %s 2>/dev/null", exe, dir, dir, path);
	t0 = bench_now();
	if (system(cmd)) {
		snprintf(out->err, sizeof(out->err), "mmlab record failed or is not built");
		goto out;
	}
	out->record_s = bench_now() - t0;
	snprintf(path, sizeof(path), "%s/sort.mmt", dir);
	rd = mmt_reader_open(path, cmd, sizeof(cmd));
	if (rd && mmt_header_get(mmt_reader_header(rd), "native_s", v, sizeof(v)))
		out->native_s = atof(v);
	mmt_reader_close(rd);
	t0 = bench_thread_cpu_s();
	if (replay_trace(path, &o, &res))
		snprintf(out->err, sizeof(out->err), "replay: %.200s", res.stop);
	out->replay_s = res.host_s;
	out->replay_cpu_s = bench_thread_cpu_s() - t0;
	out->accesses = res.accesses;
out:
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return;
}

/* Record @cmd (a shell-quoted command line) into @trace; 0 or -1. */
static int record_cmd(const char *exe, const char *trace, const char *cmd)
{
	char line[2048];

	snprintf(line, sizeof(line), "'%s' record --quiet --no-native -o %s -- %s "
		 ">/dev/null 2>&1", exe, trace, cmd);
	return system(line) ? -1 : 0;
}

struct cases_result {
	uint64_t luf[2][6];	/* remote flushes, received, batched IPIs, pgsteal, luf deferred, stale */
	uint64_t pte_kb[2];	/* VmPTE at the end, zap off / on */
	uint64_t luf_accesses, pt_accesses;
	char err[256];
};

static uint64_t res_counter(const struct replay_result *res, const char *name)
{
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		if (!strcmp(replay_counters[i], name))
			return res->counters[i];
	return 0;
}

static void cases_side(void *arg, void *outp)
{
	static struct replay_result res;
	static const char *const luf_sets[2][1] = {
		{ "/sys/kernel/mm/mmlab/luf/enabled=0" }, { "/sys/kernel/mm/mmlab/luf/enabled=1" } };
	static const char *const zap_sets[2][1] = {
		{ "/sys/kernel/mm/mmlab/pt_reclaim/zap=0" }, { "/sys/kernel/mm/mmlab/pt_reclaim/zap=1" } };
	struct cases_result *out = outp;
	char dir[] = "/tmp/mmlab-bench-cases-XXXXXX", trace[256], cmd[1024];
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(cmd, sizeof(cmd), "%s/data", dir);
	f = fopen(cmd, "w");
	for (int i = 0; f && i < 40000; i++)
		fprintf(f, "%08x line %d\n", (unsigned int)(i * 2654435761u), i);
	if (f)
		fclose(f);
	snprintf(trace, sizeof(trace), "%s/zstd.mmt", dir);
	snprintf(cmd, sizeof(cmd), "zstd -T2 -q -f %s/data -o %s/data.zst", dir, dir);
	if (record_cmd(arg, trace, cmd)) {
		snprintf(out->err, sizeof(out->err), "recording zstd -T2 failed (is mmlab record built?)");
		goto out;
	}
	for (int on = 0; on < 2; on++) {
		struct replay_opts o = { .cpus = 2, .mem = 4ULL << 20, .swap = 64ULL << 20,
					 .seed = 1, .stale_check = true,
					 .sets = (const char **)luf_sets[on], .nsets = 1 };

		if (replay_trace(trace, &o, &res)) {
			snprintf(out->err, sizeof(out->err), "luf replay: %.200s", res.stop);
			goto out;
		}
		out->luf_accesses = res.accesses;
		out->luf[on][0] = res_counter(&res, "nr_tlb_remote_flush");
		out->luf[on][1] = res_counter(&res, "nr_tlb_remote_flush_received");
		out->luf[on][2] = res_counter(&res, "mmlab_ipis_batched");
		out->luf[on][3] = res_counter(&res, "pgsteal_kswapd") + res_counter(&res, "pgsteal_direct");
		out->luf[on][4] = res_counter(&res, "mmlab_luf_deferred");
		out->luf[on][5] = res_counter(&res, "stale_tlb_reports");
	}
	snprintf(trace, sizeof(trace), "%s/py.mmt", dir);
	if (record_cmd(arg, trace, "/usr/bin/python3 -c 'import mmap, os; m = mmap.mmap(-1, 16 << 20, "
		       "flags=mmap.MAP_PRIVATE); m.write(bytes(16 << 20)); "
		       "m.madvise(mmap.MADV_DONTNEED); os._exit(0)'")) {
		snprintf(out->err, sizeof(out->err), "recording python3 failed");
		goto out;
	}
	for (int on = 0; on < 2; on++) {
		struct replay_opts o = { .cpus = 1, .mem = 1ULL << 30, .seed = 1,
					 .sets = (const char **)zap_sets[on], .nsets = 1 };

		if (replay_trace(trace, &o, &res)) {
			snprintf(out->err, sizeof(out->err), "ptreclaim replay: %.200s", res.stop);
			goto out;
		}
		out->pt_accesses = res.accesses;
		out->pte_kb[on] = res.end.VmPTE;
	}
out:
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return;
}

static void emit_cases(struct bench_ctx *ctx, const char *exe)
{
	static struct cases_result cr;
	struct bench_rec *r;
	char err[256];

	if (bench_isolate(cases_side, (void *)exe, &cr, sizeof(cr), 900, err, sizeof(err)) ||
	    cr.err[0]) {
		r = bench_rec_new(ctx);
		bench_rec_str(r, "part", "luf");
		bench_rec_str(r, "note", cr.err[0] ? cr.err : err);
		bench_emit(ctx, r);
		return;
	}
	for (int on = 0; on < 2; on++) {
		r = bench_rec_new(ctx);
		bench_rec_str(r, "part", "luf");
		bench_rec_str(r, "program", "zstd -T2, 2 CPUs, 4M + 64M swap");
		bench_rec_str(r, "luf", on ? "on" : "off");
		bench_rec_int(r, "accesses", (int64_t)cr.luf_accesses);
		bench_rec_int(r, "remote_flushes", (int64_t)cr.luf[on][0]);
		bench_rec_int(r, "flushes_received", (int64_t)cr.luf[on][1]);
		bench_rec_int(r, "batched_ipis", (int64_t)cr.luf[on][2]);
		bench_rec_int(r, "pages_reclaimed", (int64_t)cr.luf[on][3]);
		bench_rec_int(r, "luf_deferred", (int64_t)cr.luf[on][4]);
		bench_rec_int(r, "stale_tlb_reports", (int64_t)cr.luf[on][5]);
		bench_emit(ctx, r);
	}
	r = bench_rec_new(ctx);
	bench_rec_str(r, "part", "ptreclaim");
	bench_rec_str(r, "program", "python3: 16 MiB written, MADV_DONTNEED");
	bench_rec_int(r, "accesses", (int64_t)cr.pt_accesses);
	bench_rec_int(r, "vmpte_kb_zap_off", (int64_t)cr.pte_kb[0]);
	bench_rec_int(r, "vmpte_kb_zap_on", (int64_t)cr.pte_kb[1]);
	bench_emit(ctx, r);
}

int bench_replay(struct bench_ctx *ctx)
{
	static struct hit_result h;
	struct prog_result pr = { 0 };
	char err[256], exe[4096];
	struct bench_rec *r;
	ssize_t n;

	if (ctx->opts.host_only)
		return 0;
	if (bench_isolate(model_side, NULL, &h, sizeof(h), 600, err, sizeof(err)) || h.err[0]) {
		fprintf(stderr, "bench replay: %s\n", h.err[0] ? h.err : err);
		return 1;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	h.instr_by = "perf: hardware counter, one run on a warm TLB";
	if (h.instructions < 0) {
		bench_progress(ctx, "replay: instructions per access by callgrind");
		h.instructions = callgrind_instructions(exe, h.instr_why, sizeof(h.instr_why));
		h.instr_by = h.instructions < 0 ? "" : "callgrind: mmlab_access_run inclusive, "
			     "mmlab replay of 1 M hit-path accesses";
	}
	emit_hit(ctx, &h);
	r = bench_rec_new(ctx);
	bench_rec_str(r, "part", "program");
	bench_rec_str(r, "program", "sort --parallel=1, 20000 lines");
	if (bench_isolate(program_side, exe, &pr, sizeof(pr), 600, err, sizeof(err)) ||
	    pr.err[0] || !pr.native_s) {
		bench_rec_null(r, "accesses");
		bench_rec_str(r, "note", pr.err[0] ? pr.err : err);
	} else {
		bench_rec_int(r, "accesses", (int64_t)pr.accesses);
		bench_rec_num(r, "native_s", pr.native_s);
		bench_rec_num(r, "record_s", pr.record_s);
		bench_rec_num(r, "replay_s", pr.replay_s);
		bench_rec_num(r, "replay_cpu_s", pr.replay_cpu_s);
		bench_rec_num(r, "replay_vs_native", pr.replay_s / pr.native_s);
		bench_rec_rate(r, "per_s_wall", pr.accesses / pr.replay_s);
	}
	bench_emit(ctx, r);
	emit_cases(ctx, exe);
	return 0;
}
