/*
 * bench.h - the benchmark harness shared by every `mmlab bench` benchmark.
 *
 * A benchmark is a function in the registry (registry.c) that measures
 * something and reports it as records: flat objects of named fields, always
 * starting with "bench": NAME.  The harness prints each record as one JSON
 * object per line (--json) or collects a benchmark's records and prints them
 * as aligned tables when it ends.  Records are kept for the whole run, so the
 * claims table (claims.c) can quote what a benchmark measured.
 *
 * Adding a benchmark: write `int bench_NAME(struct bench_ctx *ctx)` in its
 * own file under src/bench/, add its prototype and one line to the table in
 * registry.c, and, if it measures a claim, a `measured` function for
 * that claim in claims.c.  Model-side work that could crash or hang goes
 * through bench_isolate() so that host figures survive a broken model.
 *
 * Single-threaded: the harness is only used by the thread running `mmlab
 * bench`; benchmarks that start threads keep them away from it.
 */
#ifndef MMLAB_BENCH_BENCH_H
#define MMLAB_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_GIB		(1ULL << 30)
#define BENCH_DEFAULT_SIZE	BENCH_GIB
#define BENCH_DEFAULT_REPS	3

/* madvise advice older C libraries lack. */
#ifndef MADV_FREE
#define MADV_FREE	8
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

struct bench_opts {
	bool json;		/* one JSON object per line */
	uint64_t size;		/* bytes of memory the benchmark works on */
	unsigned int reps;	/* repetitions; the best one is reported */
	bool host_only;		/* skip the model side */
	bool model_only;	/* skip the host side */
};

enum bench_ftype {
	BF_NULL,	/* not measured: JSON null, "-" in tables */
	BF_STR,
	BF_INT,
	BF_NUM,		/* a plain number: ratio, kB, ... */
	BF_RATE,	/* per second: printed with a k/M/G suffix in tables */
};

struct bench_field {
	const char *key;	/* a string literal: never copied or freed */
	enum bench_ftype type;
	union {
		char *s;
		int64_t i;
		double d;
	};
};

#define BENCH_MAX_FIELDS	40

struct bench_rec {
	const char *bench;
	unsigned int nr;
	struct bench_field f[BENCH_MAX_FIELDS];
};

struct bench_ctx {
	struct bench_opts opts;
	const struct bench_desc *cur;	/* the benchmark running */
	struct bench_rec **recs;	/* every record of the run */
	size_t nr_recs, cap_recs;
	size_t first_rec_of_cur;	/* records of the running benchmark */
	FILE *out;
};

typedef int (*bench_fn)(struct bench_ctx *ctx);

struct bench_desc {
	const char *name;
	const char *desc;
	bench_fn fn;
};

/* registry.c: the benchmarks, in the order `mmlab bench` runs them. */
extern const struct bench_desc bench_registry[];
const struct bench_desc *bench_lookup(const char *name);

/* Records: build one, then bench_emit() it (which owns it afterwards). */
struct bench_rec *bench_rec_new(struct bench_ctx *ctx);
void bench_rec_str(struct bench_rec *r, const char *key, const char *val);
void bench_rec_int(struct bench_rec *r, const char *key, int64_t val);
void bench_rec_num(struct bench_rec *r, const char *key, double val);
void bench_rec_rate(struct bench_rec *r, const char *key, double val);
void bench_rec_null(struct bench_rec *r, const char *key);
void bench_emit(struct bench_ctx *ctx, struct bench_rec *r);

/* Look records up (claims.c): the first record of @bench whose string field
 * @key equals @val (any record of @bench when @key is NULL). */
const struct bench_rec *bench_find(const struct bench_ctx *ctx,
				   const char *bench, const char *key,
				   const char *val);
const struct bench_field *bench_field_get(const struct bench_rec *r,
					  const char *key);
/* A numeric field as a double: false when absent or null. */
bool bench_get_num(const struct bench_rec *r, const char *key, double *out);
bool bench_ran(const struct bench_ctx *ctx, const char *bench);

/* Run every benchmark in @names (all when @nr == 0); the text output's
 * closing part is the claims table.  Returns 0, or 1 when one failed. */
int bench_run(struct bench_ctx *ctx, const char *const *names, size_t nr);
void bench_ctx_free(struct bench_ctx *ctx);

/* Table output of records [from, to) (harness.c). */
void bench_print_table(struct bench_ctx *ctx, size_t from, size_t to);
/* A per-second figure as "612.3k", "7.50M". */
void bench_fmt_rate(char *buf, size_t len, double v);

/* claims.c: print the claims beside what this run measured. */
void bench_print_claims(struct bench_ctx *ctx, const char *const *names,
			size_t nr);

/* Helpers */
double bench_now(void);			/* CLOCK_MONOTONIC seconds */
int bench_parse_size(const char *s, uint64_t *out);
/* A "NAME:  N kB" field of this process's /proc/self/status, or -1. */
long bench_host_status_kb(const char *field);
/* VmRSS of this process in kB, or -1. */
long bench_host_vmrss_kb(void);
/* Progress for a human on stderr (only when stderr is a terminal). */
void bench_progress(const struct bench_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Helpers the benchmarks share (harness.c).  A benchmark's model side keeps
 * its first failure in its output struct's `int err` (-errno) and
 * `char what[]` (the call, for the message): bench_fail() and BENCH_TRY()
 * work on any struct with those two fields.
 */
/* A vmstat counter of the model (0 when the model has none by that name). */
uint64_t bench_vm(const char *name);
/* CPU seconds of the calling thread. */
double bench_thread_cpu_s(void);
/* Keep the first failure: *@err = @ret (-EIO for 0) and "@what: strerror"
 * in @buf, unless *@err is set already; returns *@err. */
int bench_fail_at(int *err, char *buf, size_t len, int ret, const char *what);
#define bench_fail(o, ret, msg) \
	bench_fail_at(&(o)->err, (o)->what, sizeof((o)->what), (ret), (msg))
/* Run @call; on a non-zero result record it (a positive one as -EFAULT)
 * and return from the calling function. */
#define BENCH_TRY(o, call, msg) do {					\
	int _r = (call);						\
	if (_r)								\
		return bench_fail(o, _r < 0 ? _r : -EFAULT, msg);	\
} while (0)
/* A model process with @size of private anonymous memory at *@addr, given
 * MADV_NOHUGEPAGE (4 KiB faults, as the host's range): 0, or -errno with
 * the failing call in *@what (the process is gone then). */
struct mmlab_proc;
int bench_anon_proc(uint64_t size, struct mmlab_proc **p, uint64_t *addr, const char **what);
/* A number, or null when @v is NaN (not measured). */
void bench_rec_num_or_null(struct bench_rec *r, const char *key, double v);

/*
 * Run @fn(arg, out) in a forked child with a time limit and copy its @out
 * (@len bytes, plain data) back.  Returns 0, or -1 with a reason in @err
 * (crashed with a signal, timed out, exited early).  The model runs this way
 * so that a crash or a hang in it costs only the model's figures, and so
 * that its memory and threads never sit in the process whose host figures
 * (fork in particular) are measured.
 */
int bench_isolate(void (*fn)(void *arg, void *out), void *arg, void *out,
		  size_t len, unsigned int timeout_s, char *err, size_t errlen);

#endif
