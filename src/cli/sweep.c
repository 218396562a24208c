/*
 * sweep.c - `mmlab sweep`: run every point of a grid (grid.c) that the
 * results database does not hold yet, --jobs at a time, each in a worker
 * process (its own process group) that runs the point as a child mmlab
 * (point.c) and leaves its result in a file; the parent alone writes the
 * database (sweepdb.c), one transaction per point, and draws the progress
 * line on a terminal.  SIGINT/SIGTERM stop the workers; the points done
 * are kept, and the same command resumes.  Slurm: slurm.c.
 */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "bench/bench.h"
#include "meta.h"
#include "options.h"
#include "sweep.h"
#include "sweepdb.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: mmlab sweep --db FILE [grid options] SCRIPT.lua [ARG...] [-- ARG...]\n"
"       mmlab sweep --db FILE [grid options] --bench NAME [-- BENCH OPTION...]\n"
"       mmlab sweep --db FILE [grid options] --replay TRACE.mmt\n"
"       mmlab sweep --db FILE --grid GRID.lua\n"
"       mmlab sweep --db FILE --collect [DIR]\n"
"\n"
"Run a grid of points, the product of the axes below, each point a run of\n"
"a scenario (mmlab run), a benchmark (mmlab bench) or a recorded program's\n"
"trace (mmlab replay), and store every\n"
"result in an SQLite database (docs/experiments.md has the schema).\n"
"Points the database holds already are skipped: the same command resumes\n"
"an interrupted sweep.\n"
"\n"
"grid options (each list: values separated by commas):\n"
"  --cpus LIST            simulated CPUs, e.g. 2,4,8\n"
"  --mem LIST             model memory sizes, e.g. 256M,1G\n"
"  --set KNOB=LIST        a knob's values (repeatable); KNOB is its path\n"
"                         or a unique end of it: luf/enabled=0,1\n"
"  --seeds LIST           seeds: 1,2,3 or 1-10 (default 1)\n"
"  --deterministic        run each point under the seeded scheduler\n"
"  --timeout SECONDS      per point (default 600, 0 for none)\n"
"  --grid GRID.lua        the grid from a Lua file instead\n"
"\n"
"options:\n"
"  --db FILE              the results database (created when absent)\n"
"  --jobs J               points run at once (default: this host's CPUs)\n"
"  --dry-run              list the points and whether each is stored\n"
"  --slurm[=OPTIONS]      submit the points not stored as one Slurm job\n"
"                         array (sbatch OPTIONS, e.g. --slurm=\"-p debug\");\n"
"                         each task writes a result file in the directory\n"
"  --slurm-dir DIR        that directory (default FILE.slurm; on a file\n"
"                         system the cluster's nodes share)\n"
"  --collect [DIR]        store the result files of a Slurm sweep\n"
"  -h, --help             this text\n"
"\n"
"A progress line (done/total, failures, ETA) is drawn on stderr when it is\n"
"a terminal.\n"
"\n"
"exit status: 0 every point ran to its end (exit 0, or 77 skipped); 1 some\n"
"point failed (its status is stored); 2 bad usage or database; 130 stopped\n"
"by a signal.\n");
}

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	stop_sig = sig;
}

static int opt_err(const char *fmt, const char *a)
{
	fprintf(stderr, "mmlab sweep: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, " (see 'mmlab sweep --help')\n");
	return 2;
}

static void grid_arg(struct sweep *s, const char *a)
{
	s->grid_argv[s->grid_argc++] = (char *)a;
}

/* One option with its value; 0, 2 (said why) or -1 (not a value option).
 * val NULL: 0 when name is one, -1 when not. */
static int value_opt(struct sweep *s, const char *name, const char *val)
{
	static const char *const grid_opts[] = { "--cpus", "--mem", "--set",
		"--seeds", "--timeout", "--grid", "--bench", "--replay", NULL };
	static const char *const other_opts[] = { "--db", "--jobs", "--slurm-dir",
		"--out", "--task", "--task-list", NULL };
	char *end;
	int k;

	if (!val) {	/* only: is it an option that takes a value? */
		for (k = 0; grid_opts[k]; k++)
			if (!strcmp(grid_opts[k], name))
				return 0;
		for (k = 0; other_opts[k]; k++)
			if (!strcmp(other_opts[k], name))
				return 0;
		return -1;
	}
	if (!strcmp(name, "--db")) {
		s->db_path = val;
		return 0;
	}
	if (!strcmp(name, "--jobs")) {
		long j = strtol(val, &end, 10);

		if (*end || end == val || j < 1 || j > 1024)
			return opt_err("--jobs '%s': a number from 1 to 1024", val);
		s->jobs = (unsigned int)j;
		return 0;
	}
	if (!strcmp(name, "--slurm-dir") || !strcmp(name, "--out")) {
		s->dir = val;
		return 0;
	}
	if (!strcmp(name, "--task-list")) {
		s->task_list = val;
		return 0;
	}
	if (!strcmp(name, "--task")) {
		s->task = strtol(val, &end, 10);
		return *end || s->task < 0 ? opt_err("--task '%s': a point index", val) : 0;
	}
	for (k = 0; grid_opts[k] && strcmp(grid_opts[k], name); k++)
		;
	if (!grid_opts[k])
		return -1;
	grid_arg(s, strdup(name));	/* name is the caller's buffer */
	grid_arg(s, val);
	if (!strcmp(name, "--cpus") || !strcmp(name, "--mem"))
		return grid_add_axis(&s->g, name + 2, val, name);
	if (!strcmp(name, "--seeds"))
		return grid_set_seeds(&s->g, val, "--seeds");
	if (!strcmp(name, "--grid")) {
		s->from_grid = true;
		return grid_load_lua(&s->g, val);
	}
	if (!strcmp(name, "--bench") || !strcmp(name, "--replay")) {
		s->g.bench = name[2] == 'b';
		s->g.replay = !s->g.bench;
		s->g.target = strdup(val);
		return 0;
	}
	if (!strcmp(name, "--timeout")) {
		long t = strtol(val, &end, 10);

		if (*end || end == val || t < 0 || t > 7 * 86400)
			return opt_err("--timeout '%s': seconds (0 for none, at "
				       "most a week)", val);
		s->g.timeout = (unsigned int)t;
		return 0;
	}
	/* --set KNOB=LIST */
	{
		char *kv = strdup(val), *eq = strchr(kv, '=');
		int ret;

		if (!eq || eq == kv || !eq[1]) {
			free(kv);
			return opt_err("--set '%s': expected KNOB=v1,v2,... such "
				       "as luf/enabled=0,1", val);
		}
		*eq = 0;
		ret = grid_add_axis(&s->g, kv, eq + 1, "--set");
		free(kv);
		return ret;
	}
}

/* Flags; 0, 256 (--help printed), or -1 (not a flag). */
static int flag_opt(struct sweep *s, const char *a, bool *dry)
{
	if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
		usage(stdout);
		return 256;
	}
	if (!strcmp(a, "--deterministic")) {
		grid_arg(s, a);
		s->g.deterministic = true;
	} else if (!strcmp(a, "--dry-run")) {
		*dry = true;
	} else if (!strcmp(a, "--slurm") || !strncmp(a, "--slurm=", 8)) {
		s->slurm = true;
		s->sbatch_opts = a[7] ? a + 8 : "";
	} else if (!strcmp(a, "--collect")) {
		s->collect = true;
	} else {
		return -1;
	}
	return 0;
}

/* The script (or, with --bench, the benchmark's options) and its
 * arguments from argv[i]. */
static int positional(struct sweep *s, int argc, char **argv, int i, bool dashdash)
{
	if (s->collect) {
		if (i < argc)
			s->dir = argv[i++];
		return i < argc ? opt_err("--collect takes one directory, not '%s'",
					  argv[i]) : 0;
	}
	if (s->from_grid) {
		/* the grid file names what runs and its arguments */
		return i < argc ? opt_err("'%s' after --grid: the grid file gives "
					  "the scenario and its arguments", argv[i]) : 0;
	}
	grid_arg(s, "--");
	if (!s->g.bench && !s->g.target) {
		if (i >= argc)
			return opt_err("no scenario, --bench, --replay or --grid given%s", "");
		s->g.target = argv[i++];
		grid_arg(s, s->g.target);
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--") && !dashdash) {
			dashdash = true;
			continue;
		}
		if (argv[i][0] == '-' && !dashdash && !s->g.bench)
			return opt_err("'%s' after the script: options go before "
				       "it, a script argument that starts with '-' "
				       "after '--'", argv[i]);
		if (s->g.nr_args == POINT_MAX_ARGS)
			return opt_err("more than 32 arguments%s", "");
		s->g.args[s->g.nr_args++] = argv[i];
		grid_arg(s, argv[i]);
	}
	return 0;
}

static int parse(struct sweep *s, int argc, char **argv, bool *dry)
{
	int i, ret;

	s->grid_argv = calloc(argc * 2 + 8, sizeof(char *));
	s->task = -1;
	s->g.timeout = 600;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		char name[64];
		bool next;

		if (!strcmp(a, "--")) {
			i++;
			return positional(s, argc, argv, i, true);
		}
		if (a[0] != '-' || !a[1])
			break;
		ret = flag_opt(s, a, dry);
		if (ret > 0)
			return ret;
		if (!ret)
			continue;
		val = cli_option_split(argc, argv, i, name, sizeof(name), &next);
		ret = val ? value_opt(s, name, val) : -1;
		if (ret < 0 && !val && value_opt(s, name, NULL) != -1)
			return opt_err("%s needs a value", a);
		if (ret < 0)
			return opt_err("unknown option '%s'", a);
		if (ret)
			return ret;
		if (next)
			i++;
	}
	return positional(s, argc, argv, i, false);
}

struct run_state {
	size_t total, skipped, done, failed, running;
	time_t start;
	bool tty;
};

static void progress(struct run_state *rs, bool last)
{
	long eta = -1;
	size_t todo = rs->total - rs->skipped;

	if (!rs->tty)
		return;
	if (rs->done)
		eta = (long)((double)(time(NULL) - rs->start) / rs->done *
			     (todo - rs->done));
	fprintf(stderr, "\r\033[Ksweep: %zu/%zu done, %zu failed, %zu running",
		rs->done + rs->skipped, rs->total, rs->failed, rs->running);
	if (eta >= 0 && !last)
		fprintf(stderr, ", ETA %ldm%02lds", eta / 60, eta % 60);
	if (last)
		fputc('\n', stderr);
}

/* A worker: run point i, its result into path; never returns. */
static void worker(const struct grid *g, size_t i, const char *dir,
		   const char *path)
{
	struct point p;
	struct point_result r;

	setpgid(0, 0);
	/* what a killed worker leaves goes with the sweep's directory */
	setenv("TMPDIR", dir, 1);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	grid_point(g, i, &p);
	if (point_run(&p, &r, NULL))
		_exit(2);
	_exit(point_save(&r, path) ? 2 : 0);
}

struct slot {
	pid_t pid;
	size_t point;
};

/* A worker ended: store its result. */
static void reap(sqlite3 *db, int64_t sweep, const struct grid *g, const char *dir,
		 struct slot *slot, int wstatus, struct run_state *rs)
{
	struct point_result r;
	char path[4300];

	snprintf(path, sizeof(path), "%s/%zu.res", dir, slot->point);
	rs->running--;
	if (stop_sig) {
		unlink(path);
		return;
	}
	rs->done++;
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) || point_load(&r, path)) {
		rs->failed++;
		return;
	}
	if (r.status != 0 && r.status != 77)
		rs->failed++;
	if (sweepdb_store(db, sweep, &r))
		rs->failed++;
	point_result_free(&r);
	unlink(path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) && errno != ENOENT;
}

static void remove_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int run_local(struct sweep *s, sqlite3 *db, int64_t sweep)
{
	struct run_state rs = { .total = grid_size(&s->g), .start = time(NULL),
				.tty = isatty(2) };
	struct slot *slots = calloc(s->jobs, sizeof(*slots));
	char dir[4200];
	size_t next = 0;

	if (meta_mkdtemp(dir, sizeof(dir), "sweep"))
		return 2;
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART */
	bool killed = false;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		int wstatus;
		pid_t pid;

		/* start points while a slot is free */
		for (unsigned int j = 0; j < s->jobs && next < rs.total && !stop_sig; j++) {
			struct point p;
			char *key;
			char path[4300];

			if (slots[j].pid)
				continue;
			grid_point(&s->g, next, &p);
			key = point_key(&p);
			if (sweepdb_done(db, key)) {
				rs.skipped++;
				free(key);
				next++;
				j--;
				continue;
			}
			free(key);
			snprintf(path, sizeof(path), "%s/%zu.res", dir, next);
			fflush(NULL);
			pid = fork();
			if (pid < 0) {
				perror("mmlab sweep: fork");
				break;
			}
			if (pid == 0)
				worker(&s->g, next, dir, path);
			setpgid(pid, pid);
			slots[j] = (struct slot){ pid, next++ };
			rs.running++;
		}
		progress(&rs, false);
		if (!rs.running)
			break;
		pid = wait(&wstatus);
		if (stop_sig && !killed) {
			/* each worker leads a process group: it and its run */
			for (unsigned int j = 0; j < s->jobs; j++)
				if (slots[j].pid)
					kill(-slots[j].pid, SIGTERM);
			killed = true;
		}
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid < 0)
			continue;
		for (unsigned int j = 0; j < s->jobs; j++)
			if (slots[j].pid == pid) {
				reap(db, sweep, &s->g, dir, &slots[j], wstatus, &rs);
				slots[j].pid = 0;
			}
	}
	progress(&rs, true);
	remove_tree(dir);
	free(slots);
	if (stop_sig) {
		printf("sweep: stopped by signal %d: %zu points run, %zu were stored "
		       "before, %zu not run; the same command resumes\n", (int)stop_sig,
		       rs.done, rs.skipped, rs.total - rs.done - rs.skipped);
		return 130;
	}
	printf("sweep: %zu points: %zu run (%zu failed), %zu stored before; %s\n",
	       rs.total, rs.done, rs.failed, rs.skipped, s->db_path);
	return rs.failed ? 1 : 0;
}

static int dry_run(struct sweep *s, sqlite3 *db)
{
	size_t n = grid_size(&s->g);

	for (size_t i = 0; i < n; i++) {
		struct point p;
		char *key;

		grid_point(&s->g, i, &p);
		key = point_key(&p);
		printf("%zu\t%s\t%s\n", i, db && sweepdb_done(db, key) ? "stored" :
		       "to run", key);
		free(key);
	}
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep s = { 0 };
	sqlite3 *db = NULL;
	bool dry = false;
	int64_t sweep;
	int ret;

	s.command = meta_command(argc + 1, argv - 1);
	ret = parse(&s, argc, argv, &dry);
	if (ret)
		return ret & 255;
	if (!s.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		s.jobs = n > 0 ? (unsigned int)n : 1;
	}
	for (int i = 0; s.g.bench && i < s.g.nr_axes; i++)
		if (!strcmp(s.g.axis[i].name, "cpus") || !strcmp(s.g.axis[i].name, "mem"))
			return opt_err("--%s: a benchmark sets up its own machine "
				       "(its options go after '--')", s.g.axis[i].name);
	if (s.g.bench && !bench_lookup(s.g.target))
		return opt_err("--bench '%s': no such benchmark (mmlab bench --list)",
			       s.g.target);
	if (s.task >= 0)
		return slurm_task(&s);
	if (!s.db_path)
		return opt_err("--db FILE is needed%s", "");
	if (!s.collect && !s.g.bench && access(s.g.target, R_OK)) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", s.g.target, strerror(errno));
		return 2;
	}
	if (!dry || !access(s.db_path, F_OK)) {
		db = sweepdb_open(s.db_path, !dry, "sweep");
		if (!db)
			return 2;
	}
	if (dry)
		ret = dry_run(&s, db);
	else if (s.collect)
		ret = slurm_collect(&s, db);
	else if (s.slurm)
		ret = slurm_submit(&s);
	else if (!(sweep = sweepdb_begin(db, s.command)))
		ret = 2;
	else {
		ret = run_local(&s, db, sweep);
		sweepdb_end(db, sweep);
	}
	if (db)
		sweepdb_close(db);
	return ret;
}
