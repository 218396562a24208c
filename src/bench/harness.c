/*
 * harness.c - runs benchmarks and prints their records.
 *
 * Records are printed as JSON lines the moment a benchmark emits them (so a
 * long run can be followed and a later crash loses nothing), or gathered
 * per benchmark and printed as tables: consecutive records with the same
 * keys form one table.  Also the small helpers every benchmark needs:
 * time, sizes, VmRSS, and bench_isolate() which runs model code in a child.
 *
 * Not thread-safe: only the thread running `mmlab bench` calls in here.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <mmlab/mmlab.h>
#include <unistd.h>

#include "bench.h"

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (!p) {
		fprintf(stderr, "mmlab bench: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- records ---- */

struct bench_rec *bench_rec_new(struct bench_ctx *ctx)
{
	struct bench_rec *r = xcalloc(1, sizeof(*r));

	r->bench = ctx->cur ? ctx->cur->name : "?";
	return r;
}

static struct bench_field *rec_add(struct bench_rec *r, const char *key,
				   enum bench_ftype type)
{
	struct bench_field *f;

	if (r->nr >= BENCH_MAX_FIELDS) {
		fprintf(stderr, "mmlab bench: %s: too many fields (%s)\n",
			r->bench, key);
		abort();
	}
	f = &r->f[r->nr++];
	f->key = key;
	f->type = type;
	return f;
}

void bench_rec_str(struct bench_rec *r, const char *key, const char *val)
{
	struct bench_field *f = rec_add(r, key, BF_STR);

	f->s = strdup(val ? val : "");
	if (!f->s)
		abort();
}

void bench_rec_int(struct bench_rec *r, const char *key, int64_t val)
{
	rec_add(r, key, BF_INT)->i = val;
}

void bench_rec_num(struct bench_rec *r, const char *key, double val)
{
	struct bench_field *f = rec_add(r, key, isfinite(val) ? BF_NUM : BF_NULL);

	f->d = val;
}

void bench_rec_rate(struct bench_rec *r, const char *key, double val)
{
	struct bench_field *f = rec_add(r, key, isfinite(val) ? BF_RATE : BF_NULL);

	f->d = val;
}

void bench_rec_null(struct bench_rec *r, const char *key)
{
	rec_add(r, key, BF_NULL);
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_num(FILE *out, double d)
{
	/* No exponents for the magnitudes benchmarks produce. */
	if (fabs(d) < 1e15 && d == (double)(long long)d)
		fprintf(out, "%lld", (long long)d);
	else if (fabs(d) >= 1000 && fabs(d) < 1e15)
		fprintf(out, "%.0f", d);
	else
		fprintf(out, "%.6g", d);
}

static void print_json(FILE *out, const struct bench_rec *r)
{
	fprintf(out, "{\"bench\":");
	json_str(out, r->bench);
	for (unsigned int i = 0; i < r->nr; i++) {
		const struct bench_field *f = &r->f[i];

		fputc(',', out);
		json_str(out, f->key);
		fputc(':', out);
		switch (f->type) {
		case BF_NULL:
			fputs("null", out);
			break;
		case BF_STR:
			json_str(out, f->s);
			break;
		case BF_INT:
			fprintf(out, "%lld", (long long)f->i);
			break;
		case BF_NUM:
		case BF_RATE:
			json_num(out, f->d);
			break;
		}
	}
	fputs("}\n", out);
	fflush(out);
}

void bench_emit(struct bench_ctx *ctx, struct bench_rec *r)
{
	if (ctx->nr_recs == ctx->cap_recs) {
		size_t cap = ctx->cap_recs ? 2 * ctx->cap_recs : 64;
		void *p = realloc(ctx->recs, cap * sizeof(*ctx->recs));

		if (!p) {
			fprintf(stderr, "mmlab bench: out of memory\n");
			exit(1);
		}
		ctx->recs = p;
		ctx->cap_recs = cap;
	}
	ctx->recs[ctx->nr_recs++] = r;
	if (ctx->opts.json)
		print_json(ctx->out, r);
}

const struct bench_field *bench_field_get(const struct bench_rec *r,
					  const char *key)
{
	for (unsigned int i = 0; i < r->nr; i++)
		if (!strcmp(r->f[i].key, key))
			return &r->f[i];
	return NULL;
}

bool bench_get_num(const struct bench_rec *r, const char *key, double *out)
{
	const struct bench_field *f = r ? bench_field_get(r, key) : NULL;

	if (!f)
		return false;
	switch (f->type) {
	case BF_INT:
		*out = (double)f->i;
		return true;
	case BF_NUM:
	case BF_RATE:
		*out = f->d;
		return true;
	default:
		return false;
	}
}

const struct bench_rec *bench_find(const struct bench_ctx *ctx,
				   const char *bench, const char *key,
				   const char *val)
{
	for (size_t i = 0; i < ctx->nr_recs; i++) {
		const struct bench_rec *r = ctx->recs[i];
		const struct bench_field *f;

		if (strcmp(r->bench, bench))
			continue;
		if (!key)
			return r;
		f = bench_field_get(r, key);
		if (f && f->type == BF_STR && !strcmp(f->s, val))
			return r;
	}
	return NULL;
}

bool bench_ran(const struct bench_ctx *ctx, const char *bench)
{
	return bench_find(ctx, bench, NULL, NULL) != NULL;
}

void bench_ctx_free(struct bench_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nr_recs; i++) {
		struct bench_rec *r = ctx->recs[i];

		for (unsigned int j = 0; j < r->nr; j++)
			if (r->f[j].type == BF_STR)
				free(r->f[j].s);
		free(r);
	}
	free(ctx->recs);
	ctx->recs = NULL;
	ctx->nr_recs = ctx->cap_recs = 0;
}

/* ---- tables ---- */

void bench_fmt_rate(char *buf, size_t len, double v)
{
	static const char sfx[] = { 0, 'k', 'M', 'G', 'T' };
	unsigned int i = 0;

	while (fabs(v) >= 1000 && i < sizeof(sfx) - 1) {
		v /= 1000;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%.3g", v);
	else
		snprintf(buf, len, "%.3g%c", v, sfx[i]);
}

static void fmt_field(char *buf, size_t len, const struct bench_field *f)
{
	switch (f->type) {
	case BF_NULL:
		snprintf(buf, len, "-");
		break;
	case BF_STR:
		snprintf(buf, len, "%s", f->s);
		break;
	case BF_INT:
		snprintf(buf, len, "%lld", (long long)f->i);
		break;
	case BF_NUM:
		if (fabs(f->d) >= 1000)
			snprintf(buf, len, "%.0f", f->d);
		else
			snprintf(buf, len, "%.3g", f->d);
		break;
	case BF_RATE:
		bench_fmt_rate(buf, len, f->d);
		break;
	}
}

static bool same_keys(const struct bench_rec *a, const struct bench_rec *b)
{
	if (a->nr != b->nr || strcmp(a->bench, b->bench))
		return false;
	for (unsigned int i = 0; i < a->nr; i++)
		if (strcmp(a->f[i].key, b->f[i].key))
			return false;
	return true;
}

#define CELL 96

/* Records [from, to) share their keys: one table, numbers right-aligned. */
static void print_group(FILE *out, struct bench_rec **recs, size_t n)
{
	unsigned int nf = recs[0]->nr;
	int w[BENCH_MAX_FIELDS];
	bool left[BENCH_MAX_FIELDS];
	char cell[CELL];

	for (unsigned int j = 0; j < nf; j++) {
		w[j] = strlen(recs[0]->f[j].key);
		left[j] = true;
		for (size_t i = 0; i < n; i++) {
			const struct bench_field *f = &recs[i]->f[j];

			fmt_field(cell, sizeof(cell), f);
			if ((int)strlen(cell) > w[j])
				w[j] = strlen(cell);
			if (f->type != BF_STR && f->type != BF_NULL)
				left[j] = false;
		}
	}
	for (unsigned int j = 0; j < nf; j++)
		fprintf(out, "%s%*s", j ? "  " : "  ", left[j] ? -w[j] : w[j],
			recs[0]->f[j].key);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		for (unsigned int j = 0; j < nf; j++) {
			fmt_field(cell, sizeof(cell), &recs[i]->f[j]);
			fprintf(out, "  %*s", left[j] ? -w[j] : w[j], cell);
		}
		fputc('\n', out);
	}
}

void bench_print_table(struct bench_ctx *ctx, size_t from, size_t to)
{
	size_t i = from;

	while (i < to) {
		size_t j = i + 1;

		while (j < to && same_keys(ctx->recs[i], ctx->recs[j]))
			j++;
		if (i != from)
			fputc('\n', ctx->out);
		print_group(ctx->out, ctx->recs + i, j - i);
		i = j;
	}
}

/* ---- running ---- */

int bench_run(struct bench_ctx *ctx, const char *const *names, size_t nr)
{
	const struct bench_desc *todo[64];
	size_t n = 0;
	int ret = 0;

	if (!nr) {
		for (const struct bench_desc *d = bench_registry; d->name; d++)
			if (n < 64)
				todo[n++] = d;
	} else {
		for (size_t i = 0; i < nr && n < 64; i++) {
			const struct bench_desc *d = bench_lookup(names[i]);

			if (!d)
				return 2;	/* the caller checked the names */
			todo[n++] = d;
		}
	}

	for (size_t i = 0; i < n; i++) {
		int err;

		ctx->cur = todo[i];
		ctx->first_rec_of_cur = ctx->nr_recs;
		bench_progress(ctx, "running %s ...", todo[i]->name);
		err = todo[i]->fn(ctx);
		if (err) {
			fprintf(stderr, "mmlab bench: %s failed\n", todo[i]->name);
			ret = 1;
		}
		if (!ctx->opts.json) {
			fprintf(ctx->out, "%s== %s: %s\n", i ? "\n" : "",
				todo[i]->name, todo[i]->desc);
			bench_print_table(ctx, ctx->first_rec_of_cur, ctx->nr_recs);
			fflush(ctx->out);
		}
	}
	ctx->cur = NULL;
	if (!ctx->opts.json)
		bench_print_claims(ctx, names, nr);
	return ret;
}

/* ---- helpers ---- */

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double bench_thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

uint64_t bench_vm(const char *name)
{
	uint64_t v = 0;

	mmlab_vmstat_get(name, &v);
	return v;
}

int bench_fail_at(int *err, char *buf, size_t len, int ret, const char *what)
{
	if (!*err) {
		*err = ret ? ret : -EIO;
		snprintf(buf, len, "%s: %s", what, strerror(-*err));
	}
	return *err;
}

void bench_rec_num_or_null(struct bench_rec *r, const char *key, double v)
{
	if (isnan(v))
		bench_rec_null(r, key);
	else
		bench_rec_num(r, key, v);
}

int bench_anon_proc(uint64_t size, struct mmlab_proc **p, uint64_t *addr, const char **what)
{
	struct mmlab_task *t;
	int ret = mmlab_spawn(p);

	if (ret) {
		*what = "mmlab_spawn";
		return ret;
	}
	t = mmlab_main_task(*p);
	ret = mmlab_mmap(t, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0, addr);
	if (ret) {
		*what = "mmlab_mmap";
		mmlab_exit(*p);
		return ret;
	}
	/* as on the host: 4 KiB faults even once the model has THP */
	mmlab_madvise(t, *addr, size, MADV_NOHUGEPAGE);
	return 0;
}

int bench_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	case 't': case 'T':
		shift = 40;
		end++;
		break;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

long bench_host_status_kb(const char *field)
{
	char buf[4096], key[64];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char *p;

	if (fd < 0)
		return -1;
	n = read(fd, buf + 1, sizeof(buf) - 2);
	close(fd);
	if (n <= 0)
		return -1;
	buf[0] = '\n';
	buf[n + 1] = 0;
	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

long bench_host_vmrss_kb(void)
{
	return bench_host_status_kb("VmRSS");
}

void bench_progress(const struct bench_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!isatty(STDERR_FILENO))
		return;
	va_start(ap, fmt);
	fputs("mmlab bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Read @len bytes before @deadline (bench_now() time): 0, -1 early EOF or
 * error, -2 timed out. */
static int read_full(int fd, void *buf, size_t len, double deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - bench_now();
		ssize_t n;
		int r;

		if (left <= 0)
			return -2;
		r = poll(&pfd, 1, left > 1e6 ? 1000000000 : (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			continue;
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

int bench_isolate(void (*fn)(void *arg, void *out), void *arg, void *out,
		  size_t len, unsigned int timeout_s, char *err, size_t errlen)
{
	int fds[2], status;
	pid_t pid;
	int got;

	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		close(fds[0]);
		fn(arg, out);
		_exit(write_full(fds[1], out, len) ? 3 : 0);
	}
	close(fds[1]);
	got = read_full(fds[0], out, len, bench_now() + timeout_s);
	close(fds[0]);
	if (got == -2)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == -2) {
		snprintf(err, errlen, "timed out after %u s", timeout_s);
		return -1;
	}
	if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "crashed: %s", strsignal(WTERMSIG(status)));
		return -1;
	}
	if (got || !WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "exited with status %d before reporting",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}
