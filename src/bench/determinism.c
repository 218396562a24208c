/*
 * determinism.c - `mmlab bench determinism`: what the deterministic
 * scheduler costs in wall time, and how many schedules this machine
 * explores per second.
 *
 * Per scenario of a small fixed set (a parallel fill, a page-table race, a
 * single-CPU fork), the same script runs as `mmlab run` child processes of
 * this binary: free (the model's threads on host threads), then under the
 * deterministic scheduler with the random strategy and with PCT of depth 3,
 * one fixed seed, the three modes taking turns in each repetition so host
 * noise falls on all of them.  Each figure is the median of the
 * repetitions' wall times (CLOCK_MONOTONIC from fork to reap: the model's
 * start-up included, which the "startup" record measures on an empty
 * script).  The model's start-up grows with its memory and is most of a
 * short scenario's run, so the figures are also given net of it (`_net`:
 * the median less the empty script's, free or deterministic; null when
 * under DET_MIN_NET_MS, within the noise).  From the run's closing
 * `schedule:` line come the steps, the switches and the hash; every
 * repetition of a seed must give the same line, which the `replays` field
 * checks.  Slowdown is deterministic / free wall time.
 *
 * Exploration: the race scenario for seeds 1..K the way `mmlab explore`
 * runs them (child processes, as many at once as the host has CPUs, the
 * stale-TLB detector on), timed from the first start to the last reap:
 * seeds per second.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define DET_SEED	1
#define DET_MIN_REPS	5
#define DET_MAX_REPS	9
#define DET_TIMEOUT	"60"	/* seconds, per run (mmlab run --timeout) */
#define DET_MIN_NET_MS	10	/* a net time below this is not reported */
#define EXPLORE_SEEDS	16
#define EXPLORE_MAX_JOBS 8

enum det_mode { MODE_FREE, MODE_RANDOM, MODE_PCT, NR_MODES };

static const char *const mode_name[NR_MODES] = { "free", "random", "pct" };

static const struct det_scenario {
	const char *name;
	const char *path;	/* relative to the repository */
	const char *kind;
} det_scenarios[] = {
	{ "thread_parallel_fill", "scenarios/thread_parallel_fill.lua", "parallel" },
	{ "pmd_recheck_race", "tests/scenarios/pmd_recheck_race.lua", "race" },
	{ "cow_fork_exclusive", "scenarios/cow_fork_exclusive.lua", "single_cpu" },
};

#define RACE_SCENARIO	1	/* the one explored */

/* One run's outcome. */
struct det_run {
	double ms;
	bool has_schedule;
	uint64_t steps, switches, hash;
	char last[160];		/* its last line of output, for an error */
};

/* The figures of one mode over the repetitions. */
struct det_mode_res {
	double ms[DET_MAX_REPS];
	uint64_t steps, switches, hash;
	bool replays;		/* every repetition gave the first's schedule */
};

/*
 * The scenario's path: as given when it is there (the repository is the
 * working directory), else beside the directory of the binary's directory
 * (build/mmlab of the repository).
 */
static int find_script(const char *rel, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (!access(rel, R_OK)) {
		snprintf(buf, len, "%s", rel);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = 0;
	for (int up = 0; up < 2; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return -ENOENT;
		*slash = 0;
	}
	if (snprintf(buf, len, "%s/%s", exe, rel) >= (int)len)
		return -ENAMETOOLONG;
	return access(buf, R_OK) ? -errno : 0;
}

/* argv of `mmlab run` for @mode (@seed: the script's, and the schedule's). */
static void run_argv(char **argv, enum det_mode mode, const char *seed,
		     const char *script)
{
	int n = 0;

	argv[n++] = "mmlab";
	argv[n++] = "run";
	argv[n++] = "--seed";
	argv[n++] = (char *)seed;
	argv[n++] = "--timeout";
	argv[n++] = DET_TIMEOUT;
	if (mode != MODE_FREE) {
		argv[n++] = "--deterministic";
		argv[n++] = "--strategy";
		argv[n++] = mode == MODE_PCT ? "pct" : "random";
		argv[n++] = "--depth";
		argv[n++] = "3";
	}
	argv[n++] = "--";
	argv[n++] = (char *)script;
	argv[n] = NULL;
}

/* Start this binary with @argv, its output on @out_fd.  The pid or -errno. */
static pid_t spawn(char **argv, int out_fd, bool stale_check)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
			_exit(127);
		if (stale_check)
			setenv("MMLAB_STALE_CHECK", "1", 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	return pid;
}

static void parse_line(struct det_run *r, const char *line)
{
	unsigned long long steps, switches, hash;

	if (sscanf(line, "schedule: %llu steps, %llu switches, hash %llx",
		   &steps, &switches, &hash) == 3) {
		r->has_schedule = true;
		r->steps = steps;
		r->switches = switches;
		r->hash = hash;
	}
	if (*line && *line != '\n')
		snprintf(r->last, sizeof(r->last), "%.*s",
			 (int)strcspn(line, "\n"), line);
}

/* One run of @script in @mode, timed; 0, or -1 with @err set. */
static int run_once(const char *script, enum det_mode mode, struct det_run *r,
		    char *err, size_t errlen)
{
	char *argv[16], *line = NULL, seed[24];
	size_t cap = 0;
	int fds[2], status;
	double t0;
	FILE *f;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	snprintf(seed, sizeof(seed), "%d", DET_SEED);
	run_argv(argv, mode, seed, script);
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	t0 = bench_now();
	pid = spawn(argv, fds[1], false);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		snprintf(err, errlen, "fork: %s", strerror((int)-pid));
		return -1;
	}
	f = fdopen(fds[0], "r");
	while (f && getline(&line, &cap, f) > 0)
		parse_line(r, line);
	free(line);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r->ms = (bench_now() - t0) * 1e3;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "%s run of %s: %s %d: %s", mode_name[mode],
			 script, WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			 r->last);
		return -1;
	}
	if (mode != MODE_FREE && !r->has_schedule) {
		snprintf(err, errlen, "%s run of %s: no schedule line",
			 mode_name[mode], script);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned int n)
{
	double s[DET_MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Every mode @reps times, the modes in turn; 0, or -1 with @err set. */
static int measure(struct bench_ctx *ctx, const char *script,
		   struct det_mode_res *res, unsigned int reps, char *err,
		   size_t errlen)
{
	struct det_run r;

	for (int m = 0; m < NR_MODES; m++)
		res[m].replays = true;
	for (unsigned int i = 0; i < reps; i++) {
		bench_progress(ctx, "determinism: %s, repetition %u/%u", script,
			       i + 1, reps);
		for (int m = 0; m < NR_MODES; m++) {
			struct det_mode_res *mr = &res[m];

			if (run_once(script, m, &r, err, errlen))
				return -1;
			mr->ms[i] = r.ms;
			if (m == MODE_FREE)
				continue;
			if (!i) {
				mr->steps = r.steps;
				mr->switches = r.switches;
				mr->hash = r.hash;
			} else if (r.steps != mr->steps ||
				   r.switches != mr->switches ||
				   r.hash != mr->hash) {
				mr->replays = false;
			}
		}
	}
	return 0;
}

static void hash_field(struct bench_rec *rec, const char *key, uint64_t hash)
{
	char buf[20];

	snprintf(buf, sizeof(buf), "%016" PRIx64, hash);
	bench_rec_str(rec, key, buf);
}

/* @ms less the start-up @base, or a negative number when within noise. */
static double net_ms(double ms, double base)
{
	return ms - base >= DET_MIN_NET_MS ? ms - base : -1;
}

/* @num / @den, or null when @den is not reported. */
static void ratio_field(struct bench_rec *r, const char *key, double num,
			double den, bool rate)
{
	if (num < 0 || den <= 0)
		bench_rec_null(r, key);
	else if (rate)
		bench_rec_rate(r, key, num / den);
	else
		bench_rec_num(r, key, num / den);
}

static void ms_field(struct bench_rec *r, const char *key, double ms)
{
	if (ms < 0)
		bench_rec_null(r, key);
	else
		bench_rec_num(r, key, ms);
}

/* One mode's figures: wall times, slowdowns, schedule, steps per second. */
static void emit_mode(struct bench_rec *r, const struct det_mode_res *mr,
		      const char *const *key, double ms, double free_ms,
		      double base, double free_net)
{
	double net = net_ms(ms, base);

	bench_rec_num(r, key[0], ms);
	ms_field(r, key[1], net);
	ratio_field(r, key[2], ms, free_ms, false);
	ratio_field(r, key[3], net, free_net, false);
	bench_rec_int(r, key[4], (int64_t)mr->steps);
	bench_rec_int(r, key[5], (int64_t)mr->switches);
	ratio_field(r, key[6], (double)mr->steps, ms / 1e3, true);
	ratio_field(r, key[7], (double)mr->steps, net / 1e3, true);
	hash_field(r, key[8], mr->hash);
}

static const char *const mode_keys[NR_MODES][9] = {
	[MODE_RANDOM] = { "det_random_ms", "det_random_net_ms", "slowdown_random",
		"slowdown_random_net", "steps_random", "switches_random",
		"steps_per_s_random", "steps_per_s_random_net", "hash_random" },
	[MODE_PCT] = { "det_pct_ms", "det_pct_net_ms", "slowdown_pct",
		"slowdown_pct_net", "steps_pct", "switches_pct",
		"steps_per_s_pct", "steps_per_s_pct_net", "hash_pct" },
};

/* @startup_ms: the empty script's medians, free and deterministic. */
static void emit_scenario(struct bench_ctx *ctx, const struct det_scenario *s,
			  const struct det_mode_res *res, unsigned int reps,
			  const double *startup_ms)
{
	struct bench_rec *r = bench_rec_new(ctx);
	double free_ms = median(res[MODE_FREE].ms, reps);
	double free_net = net_ms(free_ms, startup_ms[0]);

	bench_rec_str(r, "part", "scenario");
	bench_rec_str(r, "scenario", s->name);
	bench_rec_str(r, "kind", s->kind);
	bench_rec_int(r, "seed", DET_SEED);
	bench_rec_int(r, "reps", reps);
	bench_rec_num(r, "free_ms", free_ms);
	ms_field(r, "free_net_ms", free_net);
	for (int m = MODE_RANDOM; m < NR_MODES; m++)
		emit_mode(r, &res[m], mode_keys[m], median(res[m].ms, reps),
			  free_ms, startup_ms[1], free_net);
	bench_rec_str(r, "replays", res[MODE_RANDOM].replays &&
		      res[MODE_PCT].replays ? "true" : "false");
	bench_emit(ctx, r);
}

/*
 * The fixed cost of a run: an empty script, free and deterministic (random;
 * its few steps cost nothing).  @startup_ms gets the two medians.
 */
static int measure_startup(struct bench_ctx *ctx, unsigned int reps,
			   double *startup_ms, char *err, size_t errlen)
{
	double ms[2][DET_MAX_REPS];
	struct bench_rec *r;
	struct det_run run;

	bench_progress(ctx, "determinism: start-up of an empty script");
	for (unsigned int i = 0; i < reps; i++) {
		if (run_once("/dev/null", MODE_FREE, &run, err, errlen))
			return -1;
		ms[0][i] = run.ms;
		if (run_once("/dev/null", MODE_RANDOM, &run, err, errlen))
			return -1;
		ms[1][i] = run.ms;
	}
	r = bench_rec_new(ctx);
	bench_rec_str(r, "part", "startup");
	bench_rec_str(r, "scenario", "(empty script)");
	bench_rec_int(r, "reps", reps);
	startup_ms[0] = median(ms[0], reps);
	startup_ms[1] = median(ms[1], reps);
	bench_rec_num(r, "free_ms", startup_ms[0]);
	bench_rec_num(r, "det_random_ms", startup_ms[1]);
	bench_emit(ctx, r);
	return 0;
}

/* Seeds 1..EXPLORE_SEEDS of @script, @jobs at once; 0, or -1 with @err. */
static int explore(struct bench_ctx *ctx, const char *script, long jobs,
		   char *err, size_t errlen)
{
	char *argv[16], seeds[EXPLORE_SEEDS][24];
	unsigned int next = 0, done = 0, failed = 0;
	int nrun = 0, devnull, status;
	struct bench_rec *r;
	double t0, s;
	pid_t pid;

	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0) {
		snprintf(err, errlen, "/dev/null: %s", strerror(errno));
		return -1;
	}
	bench_progress(ctx, "determinism: exploring %d seeds, %ld at once",
		       EXPLORE_SEEDS, jobs);
	t0 = bench_now();
	while (done < EXPLORE_SEEDS) {
		while (next < EXPLORE_SEEDS && nrun < jobs) {
			snprintf(seeds[next], sizeof(seeds[next]), "%u", next + 1);
			run_argv(argv, MODE_RANDOM, seeds[next], script);
			pid = spawn(argv, devnull, true);
			if (pid < 0) {
				snprintf(err, errlen, "fork: %s", strerror((int)-pid));
				close(devnull);
				while (nrun-- > 0)
					wait(NULL);
				return -1;
			}
			next++;
			nrun++;
		}
		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		nrun--;
		done++;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	s = bench_now() - t0;
	close(devnull);
	r = bench_rec_new(ctx);
	bench_rec_str(r, "part", "explore");
	bench_rec_str(r, "scenario", det_scenarios[RACE_SCENARIO].name);
	bench_rec_str(r, "strategy", "random");
	bench_rec_int(r, "seeds", done);
	bench_rec_int(r, "jobs", jobs);
	bench_rec_int(r, "seeds_failed", failed);
	bench_rec_num(r, "wall_ms", s * 1e3);
	bench_rec_rate(r, "seeds_per_s", done / s);
	bench_emit(ctx, r);
	return 0;
}

int bench_determinism(struct bench_ctx *ctx)
{
	const size_t nr = sizeof(det_scenarios) / sizeof(det_scenarios[0]);
	unsigned int reps = ctx->opts.reps;
	struct det_mode_res res[NR_MODES];
	char path[PATH_MAX], race[PATH_MAX], err[400];
	double startup_ms[2];
	long jobs;

	if (ctx->opts.host_only)
		return 0;
	reps = reps < DET_MIN_REPS ? DET_MIN_REPS :
	       reps > DET_MAX_REPS ? DET_MAX_REPS : reps;
	if (measure_startup(ctx, reps, startup_ms, err, sizeof(err)))
		goto fail;
	for (size_t i = 0; i < nr; i++) {
		const struct det_scenario *s = &det_scenarios[i];

		if (find_script(s->path, path, sizeof(path))) {
			snprintf(err, sizeof(err), "%s: not found", s->path);
			goto fail;
		}
		memset(res, 0, sizeof(res));
		if (measure(ctx, path, res, reps, err, sizeof(err)))
			goto fail;
		emit_scenario(ctx, s, res, reps, startup_ms);
		if (i == RACE_SCENARIO)
			snprintf(race, sizeof(race), "%s", path);
	}
	jobs = sysconf(_SC_NPROCESSORS_ONLN);
	jobs = jobs < 1 ? 1 : jobs > EXPLORE_MAX_JOBS ? EXPLORE_MAX_JOBS : jobs;
	if (explore(ctx, race, jobs, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "mmlab bench determinism: %s\n", err);
	return 1;
}
