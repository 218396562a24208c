/*
 * report.c - `mmlab report DB -o report.html`: one self-contained HTML
 * page from a results database (sweepdb.c).  Per metric (each numeric
 * observation, benchmark field, simulated and wall time, and the vmstat
 * counters asked for) a plot against the swept parameter: one series per
 * combination of the other swept parameters, each point the mean across
 * seeds with a min-max bar (points that ran to their end only: exit status
 * 0 or 1).  gnuplot draws them (its SVG terminal), the
 * SVG goes inline; then the table of points and the metadata.
 * Each <figure class="plot"> says in data-series how many series it
 * draws, for checks of the rendered page.  Single-threaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "meta.h"
#include "sweepdb.h"

#define MAX_PARAMS	32

struct rpoint {
	int64_t id;
	int status;
	double wall, sim;
	bool has_sim;
	uint64_t seed;
	char *param[MAX_PARAMS];	/* by index into report.pname */
};

struct report {
	sqlite3 *db;
	const char *db_path;
	struct rpoint *pt;
	int npt;
	char *pname[MAX_PARAMS];	/* parameter names but seed */
	int nparam;
	bool swept[MAX_PARAMS];
	int x;				/* the x parameter; -1: seed */
	char **metric;			/* "obs:NAME", "bench:R.FIELD", ... */
	int nmetric;
	FILE *out;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: mmlab report DB -o REPORT.html [--x PARAM] [--vmstat NAME,...]\n"
"\n"
"One self-contained HTML page from a sweep's database: per metric (every\n"
"numeric observation, benchmark field, sim_seconds and wall_seconds) a\n"
"plot against the swept parameter, one series per value of the other\n"
"swept parameters, the mean across seeds with a min-max bar; the table of\n"
"points; the metadata.  Plots are drawn by gnuplot (Debian: gnuplot-nox).\n"
"\n"
"options:\n"
"  -o FILE          where the page goes\n"
"  --x PARAM        the parameter on the x axis (default: cpus when swept,\n"
"                   else the first swept parameter)\n"
"  --vmstat LIST    also plot these vmstat deltas (comma-separated)\n"
"  -h, --help       this text\n"
"\n"
"exit status: 0 written; 2 bad usage, database or gnuplot missing.\n");
}

static void html(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

/* "luf/enabled" for the model's knob paths */
static const char *short_name(const char *p)
{
	static const char pre[] = "/sys/kernel/mm/mmlab/";

	return strncmp(p, pre, sizeof(pre) - 1) ? p : p + sizeof(pre) - 1;
}

static int param_index(struct report *r, const char *name, bool add)
{
	for (int i = 0; i < r->nparam; i++)
		if (!strcmp(r->pname[i], name))
			return i;
	if (!add || r->nparam == MAX_PARAMS)
		return -1;
	r->pname[r->nparam] = strdup(name);
	return r->nparam++;
}

static int load_points(struct report *r)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(r->db, "SELECT id, exit_status, wall_seconds, "
			       "sim_seconds, seed FROM points ORDER BY id", -1,
			       &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct rpoint *p;

		r->pt = realloc(r->pt, (r->npt + 1) * sizeof(*r->pt));
		p = &r->pt[r->npt++];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(st, 0);
		p->status = sqlite3_column_int(st, 1);
		p->wall = sqlite3_column_double(st, 2);
		p->has_sim = sqlite3_column_type(st, 3) != SQLITE_NULL;
		p->sim = sqlite3_column_double(st, 3);
		p->seed = (uint64_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(r->db, "SELECT point_id, name, value FROM params "
			       "WHERE name != 'seed'", -1, &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int k = param_index(r, (const char *)sqlite3_column_text(st, 1), true);

		for (int i = 0; i < r->npt && k >= 0; i++)
			if (r->pt[i].id == id)
				r->pt[i].param[k] = strdup((const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	return 0;
}

static const char *pval(const struct rpoint *p, int k)
{
	return k < 0 ? NULL : p->param[k] ? p->param[k] : "default";
}

static bool numeric(const char *s)
{
	char *end;

	strtod(s, &end);
	return *s && !*end;
}

/* Which parameters vary; the x axis. */
static int choose_x(struct report *r, const char *want)
{
	r->x = -1;
	for (int k = 0; k < r->nparam; k++)
		for (int i = 1; i < r->npt && !r->swept[k]; i++)
			r->swept[k] = strcmp(pval(&r->pt[i], k), pval(&r->pt[0], k));
	if (want) {
		int k = param_index(r, want, false);

		for (int j = 0; k < 0 && j < r->nparam; j++)
			if (!strcmp(short_name(r->pname[j]), want))
				k = j;
		if (k < 0 && strcmp(want, "seed")) {
			fprintf(stderr, "mmlab report: --x %s: no such parameter in "
				"%s\n", want, r->db_path);
			return 2;
		}
		r->x = k;
		return 0;
	}
	r->x = param_index(r, "cpus", false);
	if (r->x >= 0 && r->swept[r->x])
		return 0;
	r->x = -1;
	for (int k = 0; k < r->nparam && r->x < 0; k++)
		if (r->swept[k])
			r->x = k;
	return 0;
}

static void add_metric(struct report *r, const char *m)
{
	for (int i = 0; i < r->nmetric; i++)
		if (!strcmp(r->metric[i], m))
			return;
	r->metric = realloc(r->metric, (r->nmetric + 1) * sizeof(char *));
	r->metric[r->nmetric++] = strdup(m);
}

static int find_metrics(struct report *r, const char *vmstat)
{
	static const char *const q[] = {
		"SELECT DISTINCT 'obs:' || name FROM observations WHERE num IS NOT NULL ORDER BY rowid",
		"SELECT DISTINCT 'bench:' || record || '.' || field FROM bench_records "
		"WHERE num IS NOT NULL ORDER BY rowid",
	};
	sqlite3_stmt *st;

	for (int i = 0; i < 2; i++) {
		if (sqlite3_prepare_v2(r->db, q[i], -1, &st, NULL))
			return -1;
		while (sqlite3_step(st) == SQLITE_ROW)
			add_metric(r, (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	for (int i = 0; i < r->npt; i++)
		if (r->pt[i].has_sim) {
			add_metric(r, "sim_seconds");
			break;
		}
	add_metric(r, "wall_seconds");
	if (vmstat) {
		char *copy = strdup(vmstat), *tok, *save, m[300];

		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			snprintf(m, sizeof(m), "vmstat:%s", tok);
			add_metric(r, m);
		}
		free(copy);
	}
	return 0;
}

/* The metric's value at a point: false when it has none. */
static bool metric_value(struct report *r, const char *m, const struct rpoint *p,
			 double *v)
{
	sqlite3_stmt *st;
	const char *sql;
	bool ok = false;

	if (!strcmp(m, "wall_seconds"))
		return *v = p->wall, true;
	if (!strcmp(m, "sim_seconds"))
		return *v = p->sim, p->has_sim;
	if (!strncmp(m, "obs:", 4))
		sql = "SELECT num FROM observations WHERE point_id = ?1 AND name = ?2";
	else if (!strncmp(m, "vmstat:", 7))
		sql = "SELECT delta FROM vmstat WHERE point_id = ?1 AND name = ?2";
	else
		sql = "SELECT num FROM bench_records WHERE point_id = ?1 AND "
		      "record || '.' || field = ?2";
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL))
		return false;
	sqlite3_bind_int64(st, 1, p->id);
	sqlite3_bind_text(st, 2, strchr(m, ':') + 1, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*v = sqlite3_column_double(st, 0);
		ok = true;
	} else if (!strncmp(m, "vmstat:", 7)) {
		*v = 0;		/* a counter that did not move is not stored */
		ok = true;
	}
	sqlite3_finalize(st);
	return ok;
}

/* The series a point belongs to: the other swept parameters' values. */
static char *series_label(struct report *r, const struct rpoint *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	for (int k = 0; k < r->nparam; k++) {
		if (!r->swept[k] || k == r->x)
			continue;
		fprintf(f, "%s%s=%s", first ? "" : ", ", short_name(r->pname[k]),
			pval(p, k));
		first = false;
	}
	if (first)
		fputs("all", f);
	fclose(f);
	return buf;
}

struct cell {
	char *series, *x;
	double sum, min, max;
	int n;
};

static int cell_cmp(const void *a, const void *b)
{
	const struct cell *p = a, *q = b;
	int c = strcmp(p->series, q->series);

	if (c)
		return c;
	if (numeric(p->x) && numeric(q->x)) {
		double d = strtod(p->x, NULL) - strtod(q->x, NULL);

		return (d > 0) - (d < 0);
	}
	return strcmp(p->x, q->x);
}

/* Group the metric's values by (series, x): mean, min, max. */
static struct cell *cells(struct report *r, const char *m, int *ncell)
{
	struct cell *c = NULL;
	int n = 0;

	for (int i = 0; i < r->npt; i++) {
		const struct rpoint *p = &r->pt[i];
		char *s, xbuf[32];
		const char *x;
		double v;
		int j;

		/* runs that ended in an error or were skipped are in the
		 * table, not in the plots */
		if ((p->status != 0 && p->status != 1) || !metric_value(r, m, p, &v))
			continue;
		snprintf(xbuf, sizeof(xbuf), "%llu", (unsigned long long)p->seed);
		x = r->x < 0 ? xbuf : pval(p, r->x);
		s = series_label(r, p);
		for (j = 0; j < n; j++)
			if (!strcmp(c[j].series, s) && !strcmp(c[j].x, x))
				break;
		if (j == n) {
			c = realloc(c, (n + 1) * sizeof(*c));
			c[n++] = (struct cell){ strdup(s), strdup(x), 0, v, v, 0 };
		}
		c[j].sum += v;
		c[j].min = v < c[j].min ? v : c[j].min;
		c[j].max = v > c[j].max ? v : c[j].max;
		c[j].n++;
		free(s);
	}
	qsort(c, n, sizeof(*c), cell_cmp);
	*ncell = n;
	return c;
}

/* gnuplot's script for one metric; returns the number of series. */
static int plot_script(struct report *r, FILE *f, const char *m, const char *svg,
		       struct cell *c, int n)
{
	bool num = true;
	int nseries = 0;

	for (int i = 0; i < n; i++)
		num &= numeric(c[i].x);
	fprintf(f, "set terminal svg size 640,400 enhanced font 'sans,12' "
		"background '#ffffff'\nset output '%s'\nset encoding utf8\n"
		"set title \"%s\" noenhanced\nset xlabel \"%s\" noenhanced\n"
		"set grid\nset key outside right top noenhanced\n"
		"set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n",
		svg, strchr(m, ':') ? strchr(m, ':') + 1 : m,
		r->x < 0 ? "seed" : short_name(r->pname[r->x]));
	fputs("plot ", f);
	for (int i = 0; i < n; i++)
		if (!i || strcmp(c[i].series, c[i - 1].series)) {
			fprintf(f, "%s'-' using %s with yerrorlines pt 7 lw 2 title \"",
				nseries++ ? ", " : "", num ? "1:2:3:4" : "0:2:3:4:xtic(1)");
			for (const char *s = c[i].series; *s; s++)
				fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
			fputc('"', f);
		}
	fputc('\n', f);
	for (int i = 0; i < n; i++) {
		if (num)
			fprintf(f, "%s", c[i].x);
		else	/* a label: xtic(1) */
			fprintf(f, "\"%s\"", c[i].x);
		fprintf(f, " %.10g %.10g %.10g\n", c[i].sum / c[i].n, c[i].min,
			c[i].max);
		if (i + 1 == n || strcmp(c[i].series, c[i + 1].series))
			fputs("e\n", f);
	}
	return nseries;
}

/* Run gnuplot on script; the SVG it wrote inline into the page. */
static int run_gnuplot(struct report *r, const char *script, const char *svg)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	char line[4096], log[4400];
	int status;
	pid_t pid;
	FILE *f;

	/* its warnings (a range of one value widened) only if it fails */
	snprintf(log, sizeof(log), "%s.log", script);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd >= 0)
			dup2(fd, 2);
		execvp("gnuplot", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		fprintf(stderr, "mmlab report: gnuplot not found (Debian package "
			"gnuplot-nox)\n");
		return -1;
	}
	f = fopen(svg, "re");
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !f) {
		FILE *l = fopen(log, "re");

		while (l && fgets(line, sizeof(line), l))
			fputs(line, stderr);
		if (l)
			fclose(l);
		fprintf(stderr, "mmlab report: gnuplot failed on %s\n", script);
		if (f)
			fclose(f);
		unlink(log);
		return -1;
	}
	unlink(log);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "<?xml", 5) && strncmp(line, "<!DOCTYPE", 9) &&
		    strncmp(line, " \"-//W3C", 8) && strncmp(line, " \"http://www.w3.org/Graphics", 28))
			fputs(line, r->out);
	fclose(f);
	return 0;
}

static int plots(struct report *r)
{
	char dir[4200], script[4300], svg[4300];
	int ret = 0;

	if (meta_mkdtemp(dir, sizeof(dir), "report"))
		return -1;
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	snprintf(svg, sizeof(svg), "%s/plot.svg", dir);
	fputs("<h2>Plots</h2>\n", r->out);
	for (int i = 0; i < r->nmetric && !ret; i++) {
		const char *m = r->metric[i];
		int n, nseries;
		struct cell *c = cells(r, m, &n);
		FILE *f = fopen(script, "we");

		if (!f || !n) {
			if (f)
				fclose(f);
			free(c);
			continue;
		}
		nseries = plot_script(r, f, m, svg, c, n);
		fclose(f);
		fprintf(r->out, "<figure class=\"plot\" data-metric=\"");
		html(r->out, m);
		fprintf(r->out, "\" data-series=\"%d\">\n", nseries);
		ret = run_gnuplot(r, script, svg);
		fputs("<figcaption>", r->out);
		html(r->out, m);
		fprintf(r->out, ": mean across seeds, bars from min to max; %d "
			"series</figcaption></figure>\n", nseries);
		for (int j = 0; j < n; j++) {
			free(c[j].series);
			free(c[j].x);
		}
		free(c);
	}
	unlink(script);
	unlink(svg);
	rmdir(dir);
	return ret;
}

static void points_table(struct report *r)
{
	FILE *o = r->out;

	fprintf(o, "<h2>Points</h2>\n<table class=\"points\"><tr><th>id</th>");
	for (int k = 0; k < r->nparam; k++) {
		fputs("<th>", o);
		html(o, short_name(r->pname[k]));
		fputs("</th>", o);
	}
	fputs("<th>seed</th><th>exit</th>", o);
	for (int m = 0; m < r->nmetric; m++) {
		fputs("<th>", o);
		html(o, strchr(r->metric[m], ':') ? strchr(r->metric[m], ':') + 1 :
		     r->metric[m]);
		fputs("</th>", o);
	}
	fputs("</tr>\n", o);
	for (int i = 0; i < r->npt; i++) {
		const struct rpoint *p = &r->pt[i];

		fprintf(o, "<tr%s><td>%lld</td>", p->status && p->status != 77 ?
			" class=\"failed\"" : "", (long long)p->id);
		for (int k = 0; k < r->nparam; k++) {
			fputs("<td>", o);
			html(o, pval(p, k));
			fputs("</td>", o);
		}
		fprintf(o, "<td>%llu</td><td>%d</td>", (unsigned long long)p->seed,
			p->status);
		for (int m = 0; m < r->nmetric; m++) {
			double v;

			if (metric_value(r, r->metric[m], p, &v))
				fprintf(o, "<td>%.6g</td>", v);
			else
				fputs("<td></td>", o);
		}
		fputs("</tr>\n", o);
	}
	fputs("</table>\n", o);
}

/* Every row of a query as a table (the metadata). */
static void query_table(struct report *r, const char *title, const char *sql)
{
	sqlite3_stmt *st;
	int n;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL))
		return;
	n = sqlite3_column_count(st);
	fprintf(r->out, "<h3>%s</h3>\n<table class=\"meta\"><tr>", title);
	for (int i = 0; i < n; i++) {
		fputs("<th>", r->out);
		html(r->out, sqlite3_column_name(st, i));
		fputs("</th>", r->out);
	}
	fputs("</tr>\n", r->out);
	while (sqlite3_step(st) == SQLITE_ROW) {
		fputs("<tr>", r->out);
		for (int i = 0; i < n; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			bool big = v && strlen(v) > 200;

			fputs(big ? "<td><details><summary>show</summary><pre>" : "<td>",
			      r->out);
			html(r->out, v ? v : "");
			fputs(big ? "</pre></details></td>" : "</td>", r->out);
		}
		fputs("</tr>\n", r->out);
	}
	fputs("</table>\n", r->out);
	sqlite3_finalize(st);
}

static void page_head(struct report *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<title>mmlab report: ", r->out);
	html(r->out, r->db_path);
	fputs("</title>\n<style>\nbody{font-family:sans-serif;margin:2em;"
	      "background:#fff;color:#111}\ntable{border-collapse:collapse;"
	      "font-size:90%}\ntd,th{border:1px solid #bbb;padding:2px 6px;"
	      "text-align:right}\ntr.failed{background:#fdd}\nfigure.plot{"
	      "display:inline-block;margin:1em}\npre{text-align:left;"
	      "white-space:pre-wrap;max-width:60em}\n</style></head><body>\n"
	      "<h1>mmlab report</h1>\n<p>", r->out);
	html(r->out, r->db_path);
	fprintf(r->out, ": %d points; x axis: %s; parameters swept:", r->npt,
		r->x < 0 ? "seed" : short_name(r->pname[r->x]));
	for (int k = 0; k < r->nparam; k++)
		if (r->swept[k]) {
			fputc(' ', r->out);
			html(r->out, short_name(r->pname[k]));
		}
	fputs("</p>\n", r->out);
}

static int write_report(struct report *r, const char *x, const char *vmstat)
{
	int ret;

	if (load_points(r) || find_metrics(r, vmstat)) {
		fprintf(stderr, "mmlab report: %s: %s\n", r->db_path,
			sqlite3_errmsg(r->db));
		return 2;
	}
	if (!r->npt) {
		fprintf(stderr, "mmlab report: %s holds no points\n", r->db_path);
		return 2;
	}
	ret = choose_x(r, x);
	if (ret)
		return ret;
	page_head(r);
	if (plots(r))
		return 2;
	points_table(r);
	fputs("<h2>Metadata</h2>\n", r->out);
	query_table(r, "Sweeps", "SELECT * FROM sweeps ORDER BY id");
	query_table(r, "Hosts", "SELECT * FROM hosts");
	query_table(r, "Knobs not at their default",
		    "SELECT path, value, count(*) AS points FROM knobs "
		    "GROUP BY path, value ORDER BY path, value");
	query_table(r, "Commands", "SELECT id, command, mmlab_version, git_commit, "
		    "host, finished FROM points ORDER BY id");
	fputs("</body></html>\n", r->out);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report r = { 0 };
	const char *out = NULL, *x = NULL, *vmstat = NULL;
	char tmp[4200];
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if ((!strcmp(a, "-o") || !strcmp(a, "--x") || !strcmp(a, "--vmstat")) &&
		    i + 1 < argc) {
			const char **dst = a[1] == 'o' ? &out : a[2] == 'x' ? &x : &vmstat;

			*dst = argv[++i];
		} else if (a[0] == '-') {
			fprintf(stderr, "mmlab report: unknown option or missing "
				"value '%s' (see 'mmlab report --help')\n", a);
			return 2;
		} else if (r.db_path) {
			fprintf(stderr, "mmlab report: one database, not '%s'\n", a);
			return 2;
		} else {
			r.db_path = a;
		}
	}
	if (!r.db_path || !out) {
		fprintf(stderr, "mmlab report: give a database and -o FILE\n");
		usage(stderr);
		return 2;
	}
	r.db = sweepdb_open(r.db_path, false, "report");
	if (!r.db)
		return 2;
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	r.out = fopen(tmp, "we");
	if (!r.out) {
		fprintf(stderr, "mmlab report: %s: %s\n", tmp, strerror(errno));
		sweepdb_close(r.db);
		return 2;
	}
	ret = write_report(&r, x, vmstat);
	if (fclose(r.out) && !ret) {
		fprintf(stderr, "mmlab report: %s: write failed\n", tmp);
		ret = 2;
	}
	if (!ret && rename(tmp, out)) {
		fprintf(stderr, "mmlab report: %s: %s\n", out, strerror(errno));
		ret = 2;
	}
	if (ret)
		unlink(tmp);
	else
		printf("report: %s (%d points, %d plots)\n", out, r.npt, r.nmetric);
	sweepdb_close(r.db);
	return ret;
}
