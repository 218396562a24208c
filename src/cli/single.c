/*
 * single.c - `mmlab run --json` (one run as one JSON object: what it
 * observed, its vmstat deltas, exit status, wall and simulated time, and
 * the metadata a sweep stores) and `mmlab run --repeat N` (N seeds, and
 * per numeric observation the mean, standard deviation, min and max, as
 * `perf stat -r` does).  Each run is a child mmlab (point.c).
 */
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta.h"
#include "options.h"
#include "point.h"

static void cli_point(const struct cli *c, struct point *p, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	p->target = c->o.script;
	for (int i = 0; i < c->o.argc && i < POINT_MAX_ARGS; i++)
		p->args[p->nr_args++] = c->o.argv[i];
	p->cpus = c->o.cpus;
	p->mem = c->o.mem;
	p->seed = seed;
	for (int i = 0; i < c->o.nr_sets && i < POINT_MAX_SETS; i++)
		p->sets[p->nr_sets++] = c->o.sets[i];
	p->deterministic = c->o.deterministic;
	p->timeout = c->o.timeout;
	p->backend = strcmp(c->o.backend, "model") ? c->o.backend : NULL;
	p->unsafe_lua = c->o.unsafe_lua;
}

/* One series of values of a name across the runs. */
struct series {
	char *name;
	double *v;
	int n;
	bool numeric;
	char *first;		/* non-numeric: the first value */
	bool same;		/* non-numeric: all runs agree */
};

struct stats {
	struct series *s;
	int n;
};

static struct series *series_get(struct stats *st, const char *name, int runs)
{
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->s[i].name, name))
			return &st->s[i];
	st->s = realloc(st->s, (st->n + 1) * sizeof(*st->s));
	st->s[st->n] = (struct series){ strdup(name), calloc(runs, sizeof(double)),
					0, true, NULL, true };
	return &st->s[st->n++];
}

static void add(struct stats *st, const char *name, const char *val, int runs)
{
	struct series *s = series_get(st, name, runs);
	double d;

	if (point_num(val, &d) && s->numeric) {
		s->v[s->n++] = d;
		return;
	}
	s->numeric = false;
	if (!s->first)
		s->first = strdup(val);
	else if (strcmp(s->first, val))
		s->same = false;
}

static void summary(const struct series *s, double *mean, double *sd,
		    double *min, double *max)
{
	double sum = 0, sq = 0;

	*min = INFINITY;
	*max = -INFINITY;
	for (int i = 0; i < s->n; i++) {
		sum += s->v[i];
		*min = s->v[i] < *min ? s->v[i] : *min;
		*max = s->v[i] > *max ? s->v[i] : *max;
	}
	*mean = s->n ? sum / s->n : 0;
	for (int i = 0; i < s->n; i++)
		sq += (s->v[i] - *mean) * (s->v[i] - *mean);
	*sd = s->n > 1 ? sqrt(sq / (s->n - 1)) : 0;
}

static void print_text(const struct cli *c, const struct stats *st, int runs,
		       int failed)
{
	printf("\n mmlab run %s (%d runs, seeds %llu-%llu%s):\n\n", c->o.script,
	       runs, (unsigned long long)c->o.seed,
	       (unsigned long long)(c->o.seed + runs - 1),
	       failed ? ", some failed" : "");
	printf(" %16s    %-9s %8s %14s %14s  %s\n", "mean", "stddev", "", "min",
	       "max", "name");
	for (int i = 0; i < st->n; i++) {
		const struct series *s = &st->s[i];
		double mean, sd, min, max;

		if (!s->numeric) {
			printf(" %16s %-52s %s\n", s->same ? s->first : "(differs)",
			       "", s->name);
			continue;
		}
		summary(s, &mean, &sd, &min, &max);
		printf(" %16.6g +- %-9.4g (%5.1f%%) %14.6g %14.6g  %s\n", mean, sd,
		       mean ? 100 * sd / fabs(mean) : 0, min, max, s->name);
	}
}

static void print_json(const struct point_result *r0, const struct stats *st,
		       const int *status, int runs)
{
	fputs("{\"runs\":", stdout);
	printf("%d,\"exit_status\":[", runs);
	for (int i = 0; i < runs; i++)
		printf("%s%d", i ? "," : "", status[i]);
	fputs("],\"stats\":{", stdout);
	for (int i = 0, k = 0; i < st->n; i++) {
		const struct series *s = &st->s[i];
		double mean, sd, min, max;

		if (!s->numeric)
			continue;
		summary(s, &mean, &sd, &min, &max);
		printf("%s", k++ ? "," : "");
		json_string(stdout, s->name);
		printf(":{\"n\":%d,\"mean\":%.9g,\"stddev\":%.9g,\"min\":%.9g,"
		       "\"max\":%.9g}", s->n, mean, sd, min, max);
	}
	fputs("},\"first_run\":", stdout);
	point_json(stdout, r0);
	fputs("}\n", stdout);
}

static int worst(int a, int b)
{
	int rank[3] = { a == 2 || a > 77 ? 3 : a == 1 ? 2 : a == 0 ? 1 : 0,
			b == 2 || b > 77 ? 3 : b == 1 ? 2 : b == 0 ? 1 : 0 };

	return rank[0] >= rank[1] ? a : b;
}

int single_run(struct cli *c, int argc, char **argv)
{
	int runs = c->repeat ? (int)c->repeat : 1, ret = -1, failed = 0;
	int *status = calloc(runs, sizeof(int));
	struct point_result r0 = { 0 };
	struct stats st = { 0 };
	bool tty = isatty(2);

	for (int i = 0; i < runs; i++) {
		struct point p;
		struct point_result r;
		char buf[32];

		cli_point(c, &p, c->o.seed + i);
		if (tty && runs > 1)
			fprintf(stderr, "\r\033[Krun %d/%d", i + 1, runs);
		if (point_run(&p, &r, c->json || runs > 1 ? NULL : stdout))
			return 2;
		status[i] = r.status;
		ret = ret < 0 ? r.status : worst(ret, r.status);
		failed += r.status != 0 && r.status != 77;
		if (runs > 1 && r.status && r.status != 77)
			fprintf(stderr, "%smmlab run: seed %llu: exit %d\n%s",
				tty ? "\r\033[K" : "", (unsigned long long)r.seed,
				r.status, r.output);
		for (int k = 0; k < r.obs.n; k++)
			add(&st, r.obs.k[k], r.obs.v[k], runs);
		if (r.sim_cycles >= 0) {
			snprintf(buf, sizeof(buf), "%.9f", r.sim_cycles / POINT_SIM_HZ);
			add(&st, "sim_seconds", buf, runs);
		}
		snprintf(buf, sizeof(buf), "%.6f", r.wall_seconds);
		add(&st, "wall_seconds", buf, runs);
		if (i == 0)
			r0 = r;
		else
			point_result_free(&r);
	}
	if (tty && runs > 1)
		fprintf(stderr, "\r\033[K");
	if (c->json && runs == 1)
		point_json(stdout, &r0);
	else if (c->json)
		print_json(&r0, &st, status, runs);
	else if (runs > 1)
		print_text(c, &st, runs, failed);
	point_result_free(&r0);
	free(status);
	return ret;
}

static int saved_stdout = -1;

int diff_json_begin(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	fflush(stdout);
	saved_stdout = dup(1);
	if (fd < 0 || saved_stdout < 0 || dup2(fd, 1) < 0) {
		perror("mmlab diff: --json");
		return -1;
	}
	close(fd);
	return 0;
}

static void obs_object(const char *side, int status, char **name, char **val,
		       int n)
{
	printf(",\"%s\":{\"exit_status\":%d,\"observations\":{", side, status);
	for (int i = 0; i < n; i++) {
		printf("%s", i ? "," : "");
		json_string(stdout, name[i]);
		putchar(':');
		json_value(stdout, val[i]);
	}
	fputs("}}", stdout);
}

static const char *find(char **name, char **val, int n, const char *k)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(name[i], k))
			return val[i];
	return NULL;
}

/* One difference: name, the model's value, linux's (null: none). */
static void differ(bool *first, const char *k, const char *m, const char *l)
{
	printf("%s{\"name\":", *first ? "" : ",");
	json_string(stdout, k);
	fputs(",\"model\":", stdout);
	json_value(stdout, m);
	fputs(",\"linux\":", stdout);
	json_value(stdout, l);
	putchar('}');
	*first = false;
}

void diff_json_end(const struct cli *c, int argc, char **argv,
		   const int status[2], char **mname, char **mval, int mn,
		   char **lname, char **lval, int ln, int exit_status)
{
	struct point p;
	struct kv params = { 0 };
	char *cmd = meta_command(argc + 1, argv - 1), when[32];
	bool first = true, compared = status[0] != 77 && status[1] != 77;

	fflush(stdout);
	dup2(saved_stdout, 1);
	close(saved_stdout);
	cli_point(c, &p, c->o.seed);
	point_params(&p, &params);
	fputs("{\"metadata\":{\"mmlab_version\":", stdout);
	json_string(stdout, meta_version());
	fputs(",\"git_commit\":", stdout);
	json_string(stdout, meta_commit());
	fputs(",\"command\":", stdout);
	json_string(stdout, cmd);
	printf(",\"seed\":%llu,\"host\":", (unsigned long long)c->o.seed);
	json_string(stdout, meta_hostname());
	printf(",\"host_profile\":%s,\"stock\":%s,\"finished\":",
	       meta_host_profile_json(), c->stock ? "true" : "false");
	json_string(stdout, meta_now(when));
	fputs(",\"params\":{", stdout);
	for (int i = 0; i < params.n; i++) {
		printf("%s", i ? "," : "");
		json_string(stdout, params.k[i]);
		putchar(':');
		json_value(stdout, params.v[i]);
	}
	fputs("}}", stdout);
	obs_object("model", status[0], mname, mval, mn);
	obs_object("linux", status[1], lname, lval, ln);
	fputs(",\"differ\":[", stdout);
	for (int i = 0; compared && i < mn; i++) {
		const char *l = find(lname, lval, ln, mname[i]);

		if (!l || strcmp(l, mval[i]))
			differ(&first, mname[i], mval[i], l);
	}
	for (int i = 0; compared && i < ln; i++)
		if (!find(mname, mval, mn, lname[i]))
			differ(&first, lname[i], NULL, lval[i]);
	printf("],\"exit_status\":%d}\n", exit_status);
	fflush(stdout);
	kv_free(&params);
	free(cmd);
}
