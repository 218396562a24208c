/*
 * test_record.c - `mmlab record` on real programs, then their replay:
 * tests/record_mt.c (two threads on their own regions, sbrk, a realloc
 * that glibc grows with mremap), Debian's `sort` (one thread) and
 * `xz -T2` (two compressing threads), each recorded and replayed to its
 * end with the stale-TLB detector on and no report.  Thread attribution is
 * checked on record_mt: every write to a thread's region comes from one
 * trace thread, not the main one, a different one per region.  Exits 77
 * when the recorder is not built (no valgrind tool libraries).
 * argv: record_mt's path.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "record/replay.h"
#include "record/trace.h"

static char dir[] = "/tmp/mmlab-record-XXXXXX";

#include "record_util.h"

static const char *record_mt, *exe;

static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Replay @path on @cpus CPUs: it must reach its end, with no stale-TLB
 * report. */
static void replay_ok(const char *path, unsigned int cpus, struct replay_result *res)
{
	struct replay_opts o = { .cpus = cpus, .mem = 1ULL << 30, .seed = 1,
				 .stale_check = true };
	int ret = replay_trace(path, &o, res);

	if (ret)
		fail_msg("replay %s: %d: %s", path, ret, res->stop);
	assert_int_equal(counter(res, "stale_tlb_reports"), 0);
	assert_int_equal(res->accesses, res->accesses);
}

/* With the detector off, accesses take the short path (mm/access_run.c):
 * every counter, the end state and the simulated time must be the same as
 * @ref's (replayed with the detector on, the full path). */
static void same_without_detector(const char *path, unsigned int cpus,
				  const struct replay_result *ref)
{
	static struct replay_result res;
	struct replay_opts o = { .cpus = cpus, .mem = 1ULL << 30, .seed = 1 };

	assert_int_equal(replay_trace(path, &o, &res), 0);
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		if (res.counters[i] != ref->counters[i])
			fail_msg("%s: %s %" PRIu64 " with the short path, %" PRIu64
				 " without", path, replay_counters[i], res.counters[i],
				 ref->counters[i]);
	assert_memory_equal(&res.end, &ref->end, sizeof(res.end));
	assert_true(res.sim_s == ref->sim_s);
	assert_true(counter(&res, "mmlab_tlb_l1_hits") > res.accesses / 2);
}

/* The program discards 8 MiB with MADV_DONTNEED: with page-table reclaim
 * (pt_reclaim/zap, 6.14+, the default) its four PTE tables are freed; the
 * older kernel keeps them (16 kB more VmPTE at the end). */
static void page_table_reclaim(const char *path, const struct replay_result *zap)
{
	static struct replay_result res;
	const char *sets[] = { "/sys/kernel/mm/mmlab/pt_reclaim/zap=0" };
	struct replay_opts o = { .cpus = 2, .mem = 1ULL << 30, .seed = 1,
				 .stale_check = true, .sets = sets, .nsets = 1 };

	assert_int_equal(replay_trace(path, &o, &res), 0);
	assert_int_equal(res.end.VmPTE, zap->end.VmPTE + 4 * 4);
}

struct census {
	uint64_t threads, mremaps, brks, mmaps, files, region_writes[2];
	uint64_t region_tid[2];
	bool mixed;
};

static void scan_trace(const char *path, uint64_t r0, uint64_t r1, uint64_t len,
		       struct census *c)
{
	struct mmt_reader *r;
	struct mmt_rec rec;
	uint64_t cur = 1, base[2] = { r0, r1 };
	char err[640];
	int ret;

	memset(c, 0, sizeof(*c));
	c->threads = 1;
	r = mmt_reader_open(path, err, sizeof(err));
	if (!r)
		fail_msg("%s", err);
	while ((ret = mmt_reader_next(r, &rec)) > 0) {
		if (rec.type == MMT_THREAD)
			cur = rec.tid;
		else if (rec.type == MMT_THREAD_NEW)
			c->threads++;
		else if (rec.type == MMT_FILE || (rec.type == MMT_SEGMENT && rec.kind == MMT_SEG_FILE))
			c->files++;
		else if (rec.type == MMT_SYSCALL && rec.nr == 25)
			c->mremaps++;
		else if (rec.type == MMT_SYSCALL && rec.nr == 12 && rec.args[0])
			c->brks++;
		else if (rec.type == MMT_SYSCALL && rec.nr == 9)
			c->mmaps++;
		else if (rec.type == MMT_ACCESS_MAX && rec.write)
			for (int k = 0; k < 2; k++)
				if (rec.addr >= base[k] && rec.addr < base[k] + len) {
					if (c->region_tid[k] && c->region_tid[k] != cur)
						c->mixed = true;
					c->region_tid[k] = cur;
					c->region_writes[k]++;
				}
	}
	if (ret < 0)
		fail_msg("%s", mmt_reader_error(r));
	mmt_reader_close(r);
}

static void multi_threaded_program(void **state)
{
	static struct replay_result res;
	unsigned long long r0, r1, buf;
	struct census c;
	int pages;
	FILE *f;

	assert_int_equal(run("'%s' record --quiet --no-native -o %s '%s' %s", exe,
			     tpath("mt.mmt"), record_mt, tpath("mt.addr")), 0);
	f = fopen(tpath("mt.addr"), "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llx %llx %llx %d", &r0, &r1, &buf, &pages), 4);
	fclose(f);
	scan_trace(tpath("mt.mmt"), r0, r1, (uint64_t)pages * 4096, &c);
	assert_int_equal(c.threads, 3);
	assert_false(c.mixed);
	assert_true(c.region_tid[0] > 1 && c.region_tid[1] > 1);
	assert_true(c.region_tid[0] != c.region_tid[1]);
	assert_int_equal(c.region_writes[0], 2 * pages);
	assert_int_equal(c.region_writes[1], 2 * pages);
	assert_true(c.mremaps >= 7);	/* 1 MiB to 8 MiB in 1 MiB steps */
	assert_true(c.brks >= 1);

	replay_ok(tpath("mt.mmt"), 2, &res);
	assert_int_equal(res.threads, 3);
	/* the regions, 16 heap pages and 8 MiB of buffer, each page faulted */
	assert_true(counter(&res, "pgfault") >= 2 * 64 + 16 + 2048);
	/* the buffer's 8 MiB (and the discarded 8 MiB) were resident at the
	 * peak, freed at the end */
	assert_true(res.peak_rss_kb >= 8192 + 2 * 256);
	assert_true(res.end.VmRSS + 8192 <= res.peak_rss_kb);
	/* unmapping pages that CPU 1's thread used shot it down */
	assert_true(counter(&res, "nr_tlb_remote_flush") >= 1);
	same_without_detector(tpath("mt.mmt"), 2, &res);
	page_table_reclaim(tpath("mt.mmt"), &res);
}

static void debian_sort(void **state)
{
	static struct replay_result res;
	struct census c;
	FILE *f = fopen(tpath("lines"), "w");

	assert_non_null(f);
	for (int i = 0; i < 4000; i++)
		fprintf(f, "%08x line %d\n", (unsigned int)(i * 2654435761u), i);
	fclose(f);
	assert_int_equal(run("'%s' record --quiet -o %s sort --parallel=1 -o %s %s", exe,
			     tpath("sort.mmt"), tpath("sorted"), tpath("lines")), 0);
	assert_int_equal(run("sort -c %s", tpath("sorted")), 0);
	scan_trace(tpath("sort.mmt"), 0, 0, 0, &c);
	assert_int_equal(c.threads, 1);
	assert_true(c.files >= 4);	/* sort, ld.so, libc... */
	assert_true(c.mmaps >= 4);
	replay_ok(tpath("sort.mmt"), 1, &res);
	assert_int_equal(res.threads, 1);
	assert_true(res.end.RssShmem > 0);	/* the files' pages */
	same_without_detector(tpath("sort.mmt"), 1, &res);
}

static void debian_xz_two_threads(void **state)
{
	static struct replay_result res;
	struct census c;
	FILE *f = fopen(tpath("data"), "w");

	assert_non_null(f);
	for (int i = 0; i < 9000; i++)
		fprintf(f, "%d %x\n", i, (unsigned int)(i * 40503u));
	fclose(f);
	assert_int_equal(run("'%s' record --quiet -o %s xz -T2 -0 --block-size=32KiB -k -f %s",
			     exe, tpath("xz.mmt"), tpath("data")), 0);
	assert_int_equal(run("xz -t %s.xz", tpath("data")), 0);
	scan_trace(tpath("xz.mmt"), 0, 0, 0, &c);
	assert_true(c.threads >= 3);	/* main and two compressors */
	replay_ok(tpath("xz.mmt"), 2, &res);
	assert_int_equal(res.threads, c.threads);
}

static int cleanup(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(multi_threaded_program),
		cmocka_unit_test(debian_sort),
		cmocka_unit_test(debian_xz_two_threads),
	};

	exe = getenv("MMLAB_EXE");
	if (argc < 2 || !exe)
		return 1;
	record_mt = argv[1];
	if (run("'%s' record --quiet --no-native -o /dev/null /bin/true 2>/dev/null", exe) == 2) {
		printf("SKIP: mmlab record is not built in this build (a sanitizer build leaves the recorder out: a valgrind tool is static and cannot carry a sanitizer runtime; elsewhere valgrind's tool headers or libraries are missing)\n");
		return 77;
	}
	if (!mkdtemp(dir))
		return 1;
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
