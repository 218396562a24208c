/*
 * test_trace.c - the trace format and the replay engine on synthetic
 * traces: a round trip through the writer and the reader; a two-thread
 * trace whose replay must give the faults, RSS, threads and shootdowns the
 * records imply (mmap, munmap, brk, mremap); a trace whose event the model
 * refuses stops with its record number; truncated, corrupt, wrong-version,
 * garbage and END-less files are refused with the byte offset, by the
 * reader and by `mmlab replay` (exit 2); the replay's periodic tick; and
 * mmlab_access_run's short path against its full path (the same counts and
 * cycles).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "record/replay.h"
#include "record/trace.h"

static char dir[] = "/tmp/mmlab-trace-XXXXXX";

#include "record_util.h"


static void write_trace(const char *path, const struct mmt_enc *e, const char *hdr)
{
	char err[256];
	struct mmt_writer *w = mmt_writer_open(path, hdr, err, sizeof(err));

	assert_non_null(w);
	assert_int_equal(mmt_writer_put(w, e->buf, e->len), 0);
	assert_int_equal(mmt_writer_close(w), 0);
}

static void sys(struct mmt_enc *e, uint64_t nr, int64_t result, int n, ...)
{
	uint64_t a[6] = { 0 };
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		a[i] = va_arg(ap, uint64_t);
	va_end(ap);
	mmt_enc_syscall(e, nr, (unsigned int)n, a, result);
}

#define A	0x7f0000000000ULL	/* 1 MiB, two threads */
#define HEAP	0x600000ULL
#define R1	0x7f1000000000ULL	/* 64 KiB, moved to R2 and grown */
#define R2	0x7f2000000000ULL

/* The two-thread program: expected 304 faults (see replay_synthetic). */
static void build_program_end(struct mmt_enc *e, bool end)
{
	mmt_enc_thread(e, 1);
	sys(e, 12, HEAP, 1, 0ULL);				/* brk(0) */
	sys(e, 9, A, 6, 0ULL, 1ULL << 20, 3ULL, 0x22ULL, ~0ULL, 0ULL);	/* mmap */
	for (uint64_t i = 0; i < 256; i++)
		mmt_enc_access(e, A + i * 4096 + 8, 8, true);
	mmt_enc_thread_new(e, 1, 2);
	mmt_enc_thread(e, 2);
	for (uint64_t i = 0; i < 256; i++)
		mmt_enc_access(e, A + i * 4096 + 16, 4, false);
	mmt_enc_thread(e, 1);
	sys(e, 11, 0, 2, A, 1ULL << 20);			/* munmap */
	sys(e, 12, HEAP + 65536, 1, HEAP + 65536);		/* brk */
	for (uint64_t i = 0; i < 16; i++)
		mmt_enc_access(e, HEAP + i * 4096, 1, true);
	sys(e, 9, R1, 6, 0ULL, 65536ULL, 3ULL, 0x22ULL, ~0ULL, 0ULL);
	for (uint64_t i = 0; i < 16; i++)
		mmt_enc_access(e, R1 + i * 4096, 2, true);
	sys(e, 25, R2, 5, R1, 65536ULL, 131072ULL, 1ULL, 0ULL);	/* mremap MAYMOVE */
	mmt_enc_thread(e, 2);
	for (uint64_t i = 0; i < 32; i++)
		mmt_enc_access(e, R2 + i * 4096 + 8, 4, i >= 16);
	mmt_enc_access(e, R2 + 15 * 4096 + 4094, 4, false);	/* two pages */
	sys(e, 11, -22, 2, 0x1001ULL, 4096ULL);		/* a failed munmap */
	mmt_enc_thread_exit(e, 2);
	if (end)
		mmt_enc_end(e);
}

static void build_program(struct mmt_enc *e)
{
	build_program_end(e, true);
}

static void round_trip(void **state)
{
	struct mmt_enc e = { 0 };
	struct mmt_reader *r;
	struct mmt_rec rec;
	uint64_t n = 0, acc = 0, last = 0;
	char err[256], v[64];

	build_program(&e);
	write_trace(tpath("rt.mmt"), &e, "tracer=synthetic\narg=prog\narg=x y\n");
	r = mmt_reader_open(tpath("rt.mmt"), err, sizeof(err));
	assert_non_null(r);
	assert_true(mmt_header_get(mmt_reader_header(r), "arg", v, sizeof(v)));
	assert_string_equal(v, "prog");
	while (mmt_reader_next(r, &rec) > 0) {
		n++;
		if (rec.type == MMT_ACCESS_MAX) {
			acc++;
			last = rec.addr;
		}
		if (rec.type == MMT_END) {
			assert_int_equal(rec.accesses, e.accesses);
			assert_int_equal(rec.events, e.events);
		}
	}
	assert_string_equal(mmt_reader_error(r), "");
	assert_int_equal(acc, 256 * 2 + 16 + 16 + 33);
	assert_int_equal(last, R2 + 15 * 4096 + 4094);
	assert_int_equal(n, mmt_reader_records(r));
	mmt_reader_close(r);
	mmt_enc_free(&e);
}

static void replay_synthetic(void **state)
{
	static struct replay_result res;
	struct replay_opts o = { .cpus = 2, .mem = 256ULL << 20, .seed = 1,
				 .stale_check = true };
	struct mmt_enc e = { 0 };

	build_program(&e);
	write_trace(tpath("prog.mmt"), &e, "tracer=synthetic\n");
	assert_int_equal(replay_trace(tpath("prog.mmt"), &o, &res), 0);
	assert_string_equal(res.stop, "");
	assert_int_equal(res.threads, 2);
	assert_int_equal(res.accesses, e.accesses);
	assert_int_equal(res.skipped_failed, 1);
	/* 256 written pages, 16 heap pages, 16 before the move and 16 after
	 * it; thread 2 reading pages present faults nothing */
	assert_int_equal(counter(&res, "pgfault"), 256 + 16 + 16 + 16);
	/* the munmap shot down thread 2's CPU */
	assert_true(counter(&res, "nr_tlb_remote_flush") >= 1);
	assert_int_equal(counter(&res, "stale_tlb_reports"), 0);
	/* stack 4 kB + heap 64 kB + the moved region's 32 pages */
	assert_int_equal(res.end.VmRSS, 4 + 64 + 32 * 4);
	assert_true(res.peak_rss_kb >= 1024);
	mmt_enc_free(&e);
}

static void replay_refused_event(void **state)
{
	static struct replay_result res;
	struct replay_opts o = { .cpus = 1, .mem = 64ULL << 20, .seed = 1 };
	struct mmt_enc e = { 0 };

	mmt_enc_thread(&e, 1);
	sys(&e, 9, A, 6, 0ULL, 65536ULL, 1ULL, 0x22ULL, ~0ULL, 0ULL);
	mmt_enc_access(&e, A, 8, true);		/* a write to a read-only page */
	mmt_enc_end(&e);
	write_trace(tpath("segv.mmt"), &e, "tracer=synthetic\n");
	assert_int_equal(replay_trace(tpath("segv.mmt"), &o, &res), 1);
	assert_non_null(strstr(res.stop, "record 3 (thread 1): write of 8 bytes"));
	assert_non_null(strstr(res.stop, "SIGSEGV"));
	mmt_enc_free(&e);

	memset(&e, 0, sizeof(e));
	mmt_enc_thread(&e, 1);
	sys(&e, 323, 3, 1, 0ULL);			/* userfaultfd */
	mmt_enc_end(&e);
	write_trace(tpath("uffd.mmt"), &e, "tracer=synthetic\n");
	assert_int_equal(replay_trace(tpath("uffd.mmt"), &o, &res), 1);
	assert_non_null(strstr(res.stop, "record 2 (thread 1): system call userfaultfd"));
	mmt_enc_free(&e);
}

/* The reader's error for @path contains @want; `mmlab replay` exits 2
 * with it. */
static void expect_bad(const char *path, const char *want)
{
	struct mmt_reader *r;
	struct mmt_rec rec;
	const char *exe = getenv("MMLAB_EXE");
	char err[640], cmd[1024], out[1024] = "";
	int ret = 0, st;
	FILE *f;

	r = mmt_reader_open(path, err, sizeof(err));
	if (r) {
		while ((ret = mmt_reader_next(r, &rec)) > 0)
			;
		snprintf(err, sizeof(err), "%s", mmt_reader_error(r));
		mmt_reader_close(r);
		assert_int_equal(ret, -1);
	}
	if (!strstr(err, want))
		fail_msg("%s: expected \"%s\", got \"%s\"", path, want, err);
	if (!exe)
		return;
	snprintf(cmd, sizeof(cmd), "'%s' replay --cpus 1 --mem 64M '%s' 2>&1 >/dev/null",
		 exe, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	fread(out, 1, sizeof(out) - 1, f);
	st = pclose(f);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != 2 || !strstr(out, want))
		fail_msg("mmlab replay %s: exit %d, \"%s\"", path, WEXITSTATUS(st), out);
}

static void copy_cut(const char *from, const char *to, long keep, long flip)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	int c;

	assert_non_null(a);
	assert_non_null(b);
	for (long i = 0; (c = fgetc(a)) != EOF && (keep < 0 || i < keep); i++)
		fputc(i == flip ? c ^ 0x5a : c, b);
	fclose(a);
	fclose(b);
}

static void bad_traces(void **state)
{
	struct mmt_enc e = { 0 };
	const char *good = tpath("good.mmt");
	char want[128];
	struct stat st;
	long hdr = 16 + (long)strlen("tracer=synthetic\n");

	build_program(&e);
	write_trace(good, &e, "tracer=synthetic\n");
	assert_int_equal(stat(good, &st), 0);

	copy_cut(good, tpath("trunc.mmt"), st.st_size - 7, -1);
	snprintf(want, sizeof(want), "truncated at byte %ld", (long)st.st_size - 7);
	expect_bad(tpath("trunc.mmt"), want);

	copy_cut(good, tpath("corrupt.mmt"), -1, hdr + 40);
	snprintf(want, sizeof(want), "corrupt zstd frame at byte %ld", hdr);
	expect_bad(tpath("corrupt.mmt"), want);

	copy_cut(good, tpath("version.mmt"), -1, 8);
	expect_bad(tpath("version.mmt"), "unsupported version 91 at byte 8");

	copy_cut(good, tpath("short.mmt"), 10, -1);
	expect_bad(tpath("short.mmt"), "truncated at byte 10");

	{
		FILE *f = fopen(tpath("garbage.mmt"), "wb");

		for (int i = 0; i < 5000; i++)
			fputc((i * 7919) & 0xff, f);
		fclose(f);
		expect_bad(tpath("garbage.mmt"), "bad magic at byte 0");
	}

	/* a stream without END, as a recorder killed before its end leaves */
	mmt_enc_free(&e);
	build_program_end(&e, false);
	write_trace(tpath("noend.mmt"), &e, "tracer=synthetic\n");
	assert_int_equal(stat(tpath("noend.mmt"), &st), 0);
	snprintf(want, sizeof(want), "truncated at byte %ld: the record stream ends "
		 "without its END record", (long)st.st_size);
	expect_bad(tpath("noend.mmt"), want);
	mmt_enc_free(&e);

	/* an unknown record tag inside a good frame */
	memset(&e, 0, sizeof(e));
	mmt_enc_thread(&e, 1);
	e.buf[0] = 0x55;
	mmt_enc_end(&e);
	write_trace(tpath("tag.mmt"), &e, "tracer=synthetic\n");
	expect_bad(tpath("tag.mmt"), "corrupt record at record stream byte 0");
	mmt_enc_free(&e);
}

/* The replay's tick: called every tick_every accesses, between batches. */
static void count_tick(struct mmlab_proc *p, void *arg)
{
	assert_non_null(p);
	(*(unsigned int *)arg)++;
}

static void replay_tick(void **state)
{
	static struct replay_result res;
	unsigned int ticks = 0;
	struct replay_opts o = { .cpus = 2, .nodes = 2, .mem = 128ULL << 20, .seed = 1,
				 .tick = count_tick, .tick_arg = &ticks, .tick_every = 100 };
	struct mmt_enc e = { 0 };

	build_program(&e);
	write_trace(tpath("tick.mmt"), &e, "tracer=synthetic\n");
	assert_int_equal(replay_trace(tpath("tick.mmt"), &o, &res), 0);
	/* at least once per tick_every accesses, at most once per batch of
	 * the reader's (1024 accesses) or event */
	assert_true(ticks >= 1);
	assert_true(ticks <= res.accesses / 100);
	mmt_enc_free(&e);
}

/*
 * mmlab_access_run's short path against its full path: the same accesses
 * from the same state, with the stale-TLB detector on (every access takes
 * the full path) and off (L1 hits take the short one), must give the same
 * counts, TLB hits and misses, faults and cycles.  Among them the cases
 * the short path must leave to the full one: an access across a page, one
 * of a page or more, one of size 0 at a page's start, the first write to
 * a page read so far (no D in the entry), write = 3 (bit 0 set).
 */
static void fast_path_run(int stale, uint64_t *out)
{
	static const char *const names[] = { "mmlab_tlb_l1_hits", "mmlab_tlb_l2_hits",
					     "mmlab_tlb_misses", "pgfault" };
	struct mmlab_access v[4096];
	struct mmlab_config cfg;
	struct mmlab_proc *p;
	struct mmlab_task *t;
	uint64_t base, fault, before[4];
	size_t n = 0, done;
	int ret;

	mmlab_config_default(&cfg);
	cfg.nr_cpus = 1;
	cfg.node_bytes[0] = 64ULL << 20;
	cfg.no_data = true;
	cfg.stale_check = stale;
	assert_int_equal(mmlab_machine_create(&cfg), 0);
	assert_int_equal(mmlab_spawn(&p), 0);
	t = mmlab_main_task(p);
	assert_int_equal(mmlab_mmap(t, 0, 310 * 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &base), 0);
	assert_int_equal(mmlab_touch(t, base, 40 * 4096, true, &fault), 0);
	assert_int_equal(mmlab_touch(t, base + 40 * 4096, 20 * 4096, false, &fault), 0);
	for (int r = 0; r < 6; r++) {
		for (uint32_t i = 0; i < 600; i++)
			v[n++] = (struct mmlab_access){ base + (i * 7 % 60) * 4096 + (i * 40) % 4000,
							 1u << (i % 7), (i / 3) & 1 };
		v[n++] = (struct mmlab_access){ base + 4090, 16, 0 };	/* across */
		v[n++] = (struct mmlab_access){ base + 4096, 4096, 0 };	/* a page */
		v[n++] = (struct mmlab_access){ base + 8192, 8192, 1 };	/* two */
		v[n++] = (struct mmlab_access){ base + 3 * 4096, 0, 0 };	/* size 0 */
		v[n++] = (struct mmlab_access){ base + 45 * 4096 + 8, 8, 3 };	/* write 3 */
		v[n++] = (struct mmlab_access){ base + 299 * 4096, 8, 0 };	/* a fault */
		v[n++] = (struct mmlab_access){ base + (300 + r) * 4096 - 8, 8, 2 };
	}
	for (int k = 0; k < 4; k++)
		mmlab_vmstat_get(names[k], &before[k]);
	out[4] = mmlab_cpu_cycles(0);
	done = mmlab_access_run(t, v, n, &ret, &fault);
	assert_int_equal(ret, 0);
	assert_int_equal(done, n);
	for (int k = 0; k < 4; k++) {
		mmlab_vmstat_get(names[k], &out[k]);
		out[k] -= before[k];
	}
	out[4] = mmlab_cpu_cycles(0) - out[4];
	mmlab_exit(p);
	mmlab_machine_destroy();
}

static void fast_path(void **state)
{
	uint64_t full[5], fast[5];

	fast_path_run(1, full);
	fast_path_run(0, fast);
	assert_true(fast[0] > 3000);	/* most accesses are L1 hits */
	for (int k = 0; k < 5; k++)
		if (full[k] != fast[k])
			fail_msg("figure %d: full path %llu, short path %llu", k,
				 (unsigned long long)full[k], (unsigned long long)fast[k]);
}

static int cleanup(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(replay_synthetic),
		cmocka_unit_test(replay_refused_event),
		cmocka_unit_test(bad_traces),
		cmocka_unit_test(replay_tick),
		cmocka_unit_test(fast_path),
	};

	if (!mkdtemp(dir))
		return 1;
	return cmocka_run_group_tests(tests, NULL, cleanup);
}
