/*
 * point.c - run one point of an experiment (point.h) as a child mmlab
 * process and gather what it produced: a scenario as `mmlab run
 * --observations FILE --results FILE` (observations; vmstat deltas,
 * simulated cycles and non-default knobs from src/script/run_stats.c), a
 * benchmark as `mmlab bench --json` (its records), knobs through
 * MMLAB_SET.  Also a result's file form (Slurm tasks) and its JSON.
 * No shared state: each call works on its own point and result.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mmlab/mmlab.h>
#include "meta.h"
#include "script/script.h"
#include "point.h"

#define OUTPUT_MAX	(64 << 10)
#define RESULT_MAGIC	"mmlab-point-result\t1"

void kv_add(struct kv *l, const char *k, const char *v)
{
	if (l->n == l->cap) {
		l->cap = l->cap * 2 + 16;
		l->k = realloc(l->k, l->cap * sizeof(*l->k));
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->k || !l->v) {
			fprintf(stderr, "mmlab: out of memory\n");
			exit(2);
		}
	}
	l->k[l->n] = strdup(k);
	l->v[l->n++] = strdup(v ? v : "");
}

const char *kv_get(const struct kv *l, const char *k)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->k[i], k))
			return l->v[i];
	return NULL;
}

void kv_free(struct kv *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->k[i]);
		free(l->v[i]);
	}
	free(l->k);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool point_num(const char *s, double *out)
{
	char *end;

	if (!s)
		return false;
	if (!strcmp(s, "true") || !strcmp(s, "false")) {
		*out = s[0] == 't';
		return true;
	}
	if (!*s)
		return false;
	*out = strtod(s, &end);
	return !*end && *out == *out;
}

void point_params(const struct point *p, struct kv *out)
{
	char buf[32];

	if (p->cpus) {
		snprintf(buf, sizeof(buf), "%u", p->cpus);
		kv_add(out, "cpus", buf);
	}
	if (p->mem) {
		snprintf(buf, sizeof(buf), "%" PRIu64, p->mem);
		kv_add(out, "mem", buf);
	}
	for (int i = 0; i < p->nr_sets; i++) {
		char *k = strdup(p->sets[i]), *eq = strchr(k, '=');

		*eq = 0;
		kv_add(out, k, eq + 1);
		free(k);
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, p->seed);
	kv_add(out, "seed", buf);
}

char *point_key(const struct point *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, "%s %s", p->bench ? "bench" : p->replay ? "replay" : "run", p->target);
	if (p->backend)
		fprintf(f, " --backend %s", p->backend);
	for (int i = 0; i < p->nr_args; i++)
		fprintf(f, " %s", p->args[i]);
	fprintf(f, " |");
	if (p->cpus)
		fprintf(f, " cpus=%u", p->cpus);
	if (p->mem)
		fprintf(f, " mem=%" PRIu64, p->mem);
	for (int i = 0; i < p->nr_sets; i++)
		fprintf(f, " %s", p->sets[i]);
	if (p->deterministic)
		fprintf(f, " deterministic");
	fprintf(f, " seed=%" PRIu64, p->seed);
	fclose(f);
	return buf;
}

struct argv_buf {
	char *argv[POINT_MAX_ARGS + 2 * POINT_MAX_SETS + 32];
	int n;
	char num[4][32];
};

static void push(struct argv_buf *a, const char *s)
{
	if (a->n < (int)(sizeof(a->argv) / sizeof(a->argv[0])) - 1)
		a->argv[a->n++] = (char *)s;
	a->argv[a->n] = NULL;
}

/* --cpus, --mem and --seed of a point */
static void push_machine(const struct point *p, struct argv_buf *a)
{
	if (p->cpus) {
		snprintf(a->num[0], 32, "%u", p->cpus);
		push(a, "--cpus");
		push(a, a->num[0]);
	}
	if (p->mem) {
		snprintf(a->num[1], 32, "%" PRIu64, p->mem);
		push(a, "--mem");
		push(a, a->num[1]);
	}
	snprintf(a->num[2], 32, "%" PRIu64, p->seed);
	push(a, "--seed");
	push(a, a->num[2]);
}

/* --deterministic and the point's --set KNOB=VALUE */
static void push_knobs(const struct point *p, struct argv_buf *a)
{
	if (p->deterministic)
		push(a, "--deterministic");
	for (int i = 0; i < p->nr_sets; i++) {
		push(a, "--set");
		push(a, p->sets[i]);
	}
}

/* mmlab replay --records: its summary, counters and end state as flat
 * records (stored as a benchmark's are) */
static void replay_argv(const struct point *p, struct argv_buf *a)
{
	push(a, "replay");
	push(a, "--records");
	push_machine(p, a);
	push_knobs(p, a);
	push(a, p->target);
}

static void build_argv(const struct point *p, struct argv_buf *a,
		       const char *obs, const char *res)
{
	a->n = 0;
	push(a, "mmlab");
	if (p->bench) {
		push(a, "bench");
		push(a, "--json");
		push(a, p->target);
		for (int i = 0; i < p->nr_args; i++)
			push(a, p->args[i]);
		return;
	}
	if (p->replay) {
		replay_argv(p, a);
		return;
	}
	push(a, "run");
	if (p->backend) {
		push(a, "--backend");
		push(a, p->backend);
	}
	if (p->unsafe_lua)
		push(a, "--unsafe-lua");
	push(a, "--observations");
	push(a, obs);
	push(a, "--results");
	push(a, res);
	push_machine(p, a);
	snprintf(a->num[3], 32, "%u", p->timeout);
	push(a, "--timeout");
	push(a, a->num[3]);
	push_knobs(p, a);
	push(a, "--");
	push(a, p->target);
	for (int i = 0; i < p->nr_args; i++)
		push(a, p->args[i]);
}

/* A benchmark takes the point's knobs from MMLAB_SET, after the caller's. */
static void bench_env(const struct point *p)
{
	const char *old = getenv("MMLAB_SET");
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!p->nr_sets)
		return;
	f = open_memstream(&buf, &len);
	if (old && *old)
		fprintf(f, "%s;", old);
	for (int i = 0; i < p->nr_sets; i++)
		fprintf(f, "%s%s", i ? ";" : "", p->sets[i]);
	fclose(f);
	setenv("MMLAB_SET", buf, 1);
	free(buf);
}

char *tsv_unescape(char *s)
{
	char *r = s, *w = s;

	for (; *r; r++) {
		if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
	return s;
}

/* Each line of path split at tabs into at most 4 fields, unescaped. */
static void each_line(const char *path, void (*fn)(void *ctx, char **f, int n),
		      void *ctx)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *fld[4];
	size_t cap = 0;
	ssize_t len;

	if (!f)
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		int n = 0;
		char *s = line, *tab;

		if (line[len - 1] == '\n')
			line[len - 1] = 0;
		while (n < 4) {
			tab = n < 3 ? strchr(s, '\t') : NULL;
			if (tab)
				*tab = 0;
			fld[n++] = tsv_unescape(s);
			if (!tab)
				break;
			s = tab + 1;
		}
		fn(ctx, fld, n);
	}
	free(line);
	fclose(f);
}

/* name, name#2, name#3, ... for an observation made again */
static void obs_line(void *ctx, char **f, int n)
{
	struct kv *obs = ctx;
	char key[512];
	int k = 1;

	if (n < 2)
		return;
	snprintf(key, sizeof(key), "%s", f[0]);
	while (kv_get(obs, key))
		snprintf(key, sizeof(key), "%s#%d", f[0], ++k);
	kv_add(obs, key, f[1]);
}

/* A knob at its stock default; this process has no machine up.  Read-only
 * ones (statistics) have none and are left out. */
static bool knob_is_default(const char *path, const char *val)
{
	char def[256];

	if (mmlab_knob_default(path, def, sizeof(def)))
		return true;
	def[strcspn(def, "\n")] = 0;
	return !strcmp(def, val);
}

static void stats_line(void *ctx, char **f, int n)
{
	struct point_result *r = ctx;

	if (n == 3 && !strcmp(f[0], "vmstat"))
		kv_add(&r->vmstat, f[1], f[2]);
	else if (n == 3 && !strcmp(f[0], "knob") && !knob_is_default(f[1], f[2]))
		kv_add(&r->knobs, f[1], f[2]);
	else if (n == 2 && !strcmp(f[0], "sim_cycles"))
		r->sim_cycles = strtoll(f[1], NULL, 10);
}

struct bench_parse {
	struct point_result *r;
	int rec;
};

static void bench_field(void *ctx, const char *k, const char *v)
{
	struct bench_parse *b = ctx;
	char key[300];

	snprintf(key, sizeof(key), "%d.%s", b->rec, k);
	kv_add(&b->r->bench, key, v ? v : "null");
}

static char *read_all(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf = calloc(1, max + 1);
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, max, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static void gather(const struct point *p, struct point_result *r,
		   const char *obs, const char *res, const char *out)
{
	each_line(obs, obs_line, &r->obs);
	each_line(res, stats_line, r);
	r->output = read_all(out, OUTPUT_MAX);
	if (p->bench || p->replay) {
		struct bench_parse b = { r, 0 };
		char *copy = strdup(r->output), *save, *line;

		for (line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (line[0] == '{' && !json_flat_parse(line, bench_field, &b))
				b.rec++;
		free(copy);
	}
}

/* The child's command line without the temporary files: what reruns it. */
static char *command_of(const struct argv_buf *a)
{
	char *v[sizeof(a->argv) / sizeof(a->argv[0])];
	int n = 0;

	for (int i = 0; i < a->n; i++) {
		if (!strcmp(a->argv[i], "--observations") ||
		    !strcmp(a->argv[i], "--results")) {
			i++;
			continue;
		}
		v[n++] = a->argv[i];
	}
	return meta_command(n, v);
}

static int spawn(const struct point *p, char **argv, const char *out, int *status)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("mmlab: fork");
		return -1;
	}
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(2);
		if (p->bench)
			bench_env(p);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int point_run(const struct point *p, struct point_result *r, FILE *echo)
{
	char dir[4200], obs[4300], res[4300], out[4300];
	struct argv_buf a;
	struct timespec t0, t1;
	char when[32];
	int status, ret;

	memset(r, 0, sizeof(*r));
	r->sim_cycles = -1;
	if (meta_mkdtemp(dir, sizeof(dir), "point"))
		return -1;
	snprintf(obs, sizeof(obs), "%s/obs", dir);
	snprintf(res, sizeof(res), "%s/res", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	build_argv(p, &a, obs, res);
	r->key = point_key(p);
	r->kind = strdup(p->bench ? "bench" : p->replay ? "replay" : "scenario");
	r->target = strdup(p->target);
	r->command = command_of(&a);
	point_params(p, &r->params);
	r->seed = p->seed;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = spawn(p, a.argv, out, &status);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->wall_seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!ret)
		gather(p, r, obs, res, out);
	if (echo && r->output)
		fputs(r->output, echo);
	unlink(obs);
	unlink(res);
	unlink(out);
	rmdir(dir);
	r->version = strdup(meta_version());
	r->commit = strdup(meta_commit());
	r->host = strdup(meta_hostname());
	r->host_profile = strdup(meta_host_profile_json());
	r->finished = strdup(meta_now(when));
	return ret;
}

void point_result_free(struct point_result *r)
{
	free(r->key);
	free(r->kind);
	free(r->target);
	free(r->command);
	free(r->output);
	free(r->version);
	free(r->commit);
	free(r->host);
	free(r->host_profile);
	free(r->finished);
	kv_free(&r->params);
	kv_free(&r->obs);
	kv_free(&r->vmstat);
	kv_free(&r->knobs);
	kv_free(&r->bench);
	memset(r, 0, sizeof(*r));
}

static void put_field(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s\t", name);
	sc_tsv_put(f, v);
	fputc('\n', f);
}

static void put_kv(FILE *f, const char *tag, const struct kv *l)
{
	for (int i = 0; i < l->n; i++) {
		fprintf(f, "%s\t", tag);
		sc_tsv_put(f, l->k[i]);
		fputc('\t', f);
		sc_tsv_put(f, l->v[i]);
		fputc('\n', f);
	}
}

int point_save(const struct point_result *r, const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, RESULT_MAGIC "\n");
	put_field(f, "key", r->key);
	put_field(f, "kind", r->kind);
	put_field(f, "target", r->target);
	put_field(f, "command", r->command);
	fprintf(f, "status\t%d\nwall\t%.9g\nsim_cycles\t%" PRId64 "\nseed\t%" PRIu64 "\n",
		r->status, r->wall_seconds, r->sim_cycles, r->seed);
	put_field(f, "version", r->version);
	put_field(f, "commit", r->commit);
	put_field(f, "host", r->host);
	put_field(f, "host_profile", r->host_profile);
	put_field(f, "finished", r->finished);
	put_field(f, "output", r->output);
	put_kv(f, "param", &r->params);
	put_kv(f, "obs", &r->obs);
	put_kv(f, "vmstat", &r->vmstat);
	put_kv(f, "knob", &r->knobs);
	put_kv(f, "bench", &r->bench);
	fprintf(f, "end\n");
	if (fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

struct load_ctx {
	struct point_result *r;
	int lines;
	bool magic, end;
};

static void load_line(void *ctx, char **f, int n)
{
	struct load_ctx *c = ctx;
	struct point_result *r = c->r;
	static const char *const kvs[] = { "param", "obs", "vmstat", "knob", "bench" };
	struct kv *lists[] = { &r->params, &r->obs, &r->vmstat, &r->knobs, &r->bench };
	struct { const char *name; char **dst; } strs[] = {
		{ "key", &r->key }, { "command", &r->command },
		{ "kind", &r->kind }, { "target", &r->target },
		{ "version", &r->version }, { "commit", &r->commit },
		{ "host", &r->host }, { "host_profile", &r->host_profile },
		{ "finished", &r->finished }, { "output", &r->output },
	};

	if (c->lines++ == 0) {
		c->magic = n == 2 && !strcmp(f[0], "mmlab-point-result") &&
			   !strcmp(f[1], "1");
		return;
	}
	if (n == 1 && !strcmp(f[0], "end"))
		c->end = true;
	for (size_t i = 0; n == 3 && i < 5; i++)
		if (!strcmp(f[0], kvs[i]))
			kv_add(lists[i], f[1], f[2]);
	for (size_t i = 0; n == 2 && i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(f[0], strs[i].name)) {
			free(*strs[i].dst);
			*strs[i].dst = strdup(f[1]);
		}
	if (n != 2)
		return;
	if (!strcmp(f[0], "status"))
		r->status = atoi(f[1]);
	else if (!strcmp(f[0], "wall"))
		r->wall_seconds = strtod(f[1], NULL);
	else if (!strcmp(f[0], "sim_cycles"))
		r->sim_cycles = strtoll(f[1], NULL, 10);
	else if (!strcmp(f[0], "seed"))
		r->seed = strtoull(f[1], NULL, 10);
}

int point_load(struct point_result *r, const char *path)
{
	struct load_ctx c = { r, 0, false, false };

	memset(r, 0, sizeof(*r));
	if (access(path, R_OK)) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", path, strerror(errno));
		return -1;
	}
	each_line(path, load_line, &c);
	if (!c.magic || !c.end || !r->key || !r->kind || !r->target) {
		fprintf(stderr, "mmlab sweep: %s: not a complete point result "
			"(first line \"mmlab-point-result<TAB>1\", last \"end\")\n",
			path);
		point_result_free(r);
		return -1;
	}
	return 0;
}

static void json_kv(FILE *f, const char *name, const struct kv *l, bool last)
{
	fprintf(f, "\"%s\":{", name);
	for (int i = 0; i < l->n; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_string(f, l->k[i]);
		fputc(':', f);
		json_value(f, l->v[i]);
	}
	fprintf(f, "}%s", last ? "" : ",");
}

void point_json(FILE *f, const struct point_result *r)
{
	fputs("{\"metadata\":{\"mmlab_version\":", f);
	json_string(f, r->version);
	fputs(",\"git_commit\":", f);
	json_string(f, r->commit);
	fputs(",\"command\":", f);
	json_string(f, r->command);
	fprintf(f, ",\"seed\":%" PRIu64 ",\"host\":", r->seed);
	json_string(f, r->host);
	fprintf(f, ",\"host_profile\":%s,\"finished\":",
		r->host_profile ? r->host_profile : "[]");
	json_string(f, r->finished);
	fputc(',', f);
	json_kv(f, "params", &r->params, false);
	json_kv(f, "knobs", &r->knobs, true);
	fprintf(f, "},\"exit_status\":%d,\"wall_seconds\":%.6f,\"sim_seconds\":",
		r->status, r->wall_seconds);
	if (r->sim_cycles >= 0)
		fprintf(f, "%.9f", r->sim_cycles / POINT_SIM_HZ);
	else
		fputs("null", f);
	fputc(',', f);
	json_kv(f, "observations", &r->obs, false);
	json_kv(f, "vmstat", &r->vmstat, false);
	json_kv(f, "bench", &r->bench, false);
	fputs("\"output\":", f);
	json_string(f, r->output);
	fputs("}\n", f);
}
