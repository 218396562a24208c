/*
 * slurm.c - a sweep on a Slurm cluster.  Submitting writes, in a directory
 * the nodes share, the list of points (points.tsv: index, key), and per
 * submission a task list (sweep-STAMP.tasks: line K, the point task K
 * runs) and a batch script (sweep-STAMP.sbatch), and runs `sbatch` once: a
 * job array of the points the database does not hold, at most 1000 (Slurm's
 * default MaxArraySize bounds the indices).  Task K runs `mmlab sweep GRID
 * --task K --task-list FILE --out DIR`, which runs its point N and writes
 * DIR/point-N.res (point.c's result file; no database is shared over the
 * network).  `mmlab sweep --collect` stores every result file into the
 * database and says which points have none yet.  Single-threaded.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "meta.h"
#include "sweep.h"
#include "sweepdb.h"

#define SLURM_MAX_TASKS	1000

const char *slurm_dir(struct sweep *s)
{
	static char buf[PATH_MAX + 16];

	if (s->dir)
		return s->dir;
	snprintf(buf, sizeof(buf), "%s.slurm", s->db_path);
	return buf;
}

static void sh_quote(FILE *f, const char *s)
{
	char *q = meta_command(1, (char *const *)&s);

	fputs(q, f);
	free(q);
}

/* The task list (line K: the point task K runs) and the batch script of
 * one submission, named by its stamp; path gets the script's. */
static int write_script(struct sweep *s, const char *dir, const size_t *idx,
			size_t n, char *path, size_t len)
{
	char exe[PATH_MAX], cwd[PATH_MAX], tasks[PATH_MAX + 64];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	long stamp = (long)time(NULL) * 100000 + getpid() % 100000;
	FILE *f;

	if (k < 0 || !getcwd(cwd, sizeof(cwd))) {
		perror("mmlab sweep: readlink/getcwd");
		return 2;
	}
	exe[k] = 0;
	snprintf(tasks, sizeof(tasks), "%s/sweep-%ld.tasks", dir, stamp);
	f = fopen(tasks, "we");
	for (size_t i = 0; f && i < n; i++)
		fprintf(f, "%zu\n", idx[i]);
	if (!f || fclose(f)) {
		fprintf(stderr, "mmlab sweep: %s: cannot write it\n", tasks);
		return 2;
	}
	snprintf(path, len, "%s/sweep-%ld.sbatch", dir, stamp);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", path, strerror(errno));
		return 2;
	}
	fprintf(f, "#!/bin/sh\n# written by: %s\n#SBATCH --job-name=mmlab-sweep\n"
		"#SBATCH --array=0-%zu\n#SBATCH --output=%s/task-%%A_%%a.log\n"
		"#SBATCH --chdir=%s\nexec ", s->command, n - 1, dir, cwd);
	sh_quote(f, exe);
	fputs(" sweep --task \"$SLURM_ARRAY_TASK_ID\" --task-list ", f);
	sh_quote(f, tasks);
	fputs(" --out ", f);
	sh_quote(f, dir);
	for (int i = 0; i < s->grid_argc; i++) {
		fputc(' ', f);
		sh_quote(f, s->grid_argv[i]);
	}
	fputc('\n', f);
	if (fclose(f)) {
		fprintf(stderr, "mmlab sweep: %s: write failed\n", path);
		return 2;
	}
	return 0;
}

/* sbatch [OPTIONS] SCRIPT; its output shown. */
static int sbatch(const char *opts, const char *script)
{
	char *argv[72], *copy = strdup(opts), *tok, *save;
	int argc = 0, status;
	pid_t pid;

	argv[argc++] = "sbatch";
	for (tok = strtok_r(copy, " \t", &save); tok && argc < 70;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc++] = (char *)script;
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execvp("sbatch", argv);
		fprintf(stderr, "mmlab sweep: sbatch: %s (is Slurm installed?)\n",
			strerror(errno));
		_exit(2);
	}
	free(copy);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		perror("mmlab sweep: sbatch");
		return 2;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "mmlab sweep: sbatch failed (exit %d)\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return 2;
	}
	return 0;
}

int slurm_submit(struct sweep *s)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	size_t n = grid_size(&s->g), nr = 0, *idx = calloc(n, sizeof(size_t));
	sqlite3 *db = sweepdb_open(s->db_path, true, "sweep");
	size_t sub;
	FILE *f;
	int ret;

	if (!db)
		return 2;
	if (mkdir(slurm_dir(s), 0755) && errno != EEXIST) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", slurm_dir(s), strerror(errno));
		return 2;
	}
	if (!realpath(slurm_dir(s), dir)) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", slurm_dir(s), strerror(errno));
		return 2;
	}
	snprintf(path, sizeof(path), "%s/points.tsv", dir);
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "mmlab sweep: %s: %s\n", path, strerror(errno));
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		struct point p;
		char *key;

		grid_point(&s->g, i, &p);
		key = point_key(&p);
		fprintf(f, "%zu\t%s\n", i, key);
		if (!sweepdb_done(db, key))
			idx[nr++] = i;
		free(key);
	}
	fclose(f);
	sweepdb_close(db);
	if (!nr) {
		printf("sweep: all %zu points are stored in %s; nothing to submit\n",
		       n, s->db_path);
		free(idx);
		return 0;
	}
	/* an array's indices stay below Slurm's MaxArraySize (1001 unless
	 * configured): the rest goes with a later submission */
	sub = nr < SLURM_MAX_TASKS ? nr : SLURM_MAX_TASKS;
	ret = write_script(s, dir, idx, sub, path, sizeof(path));
	free(idx);
	if (ret)
		return ret;
	printf("sweep: %zu of %zu points as one job array (%s)\n", sub, n, path);
	fflush(stdout);
	ret = sbatch(s->sbatch_opts, path);
	if (!ret)
		printf("sweep: when the job is done: mmlab sweep --db %s --collect %s%s\n",
		       s->db_path, dir, sub < nr ? "; then submit again for the "
		       "points left" : "");
	return ret;
}

/* --task-list FILE: the task number is a line of FILE, the point's index. */
static int task_from_list(struct sweep *s)
{
	FILE *f = fopen(s->task_list, "re");
	long line = 0, point = -1;
	char buf[64];

	while (f && fgets(buf, sizeof(buf), f))
		if (line++ == s->task)
			point = strtol(buf, NULL, 10);
	if (f)
		fclose(f);
	if (point < 0) {
		fprintf(stderr, "mmlab sweep: --task-list %s: no line %ld\n",
			s->task_list, s->task);
		return -1;
	}
	s->task = point;
	return 0;
}

int slurm_task(struct sweep *s)
{
	struct point p;
	struct point_result r;
	char path[PATH_MAX + 32];

	if (s->task_list && task_from_list(s))
		return 2;
	if ((size_t)s->task >= grid_size(&s->g)) {
		fprintf(stderr, "mmlab sweep: --task %ld: the grid has %zu points\n",
			s->task, grid_size(&s->g));
		return 2;
	}
	if (!s->dir) {
		fprintf(stderr, "mmlab sweep: --task needs --out DIR\n");
		return 2;
	}
	grid_point(&s->g, (size_t)s->task, &p);
	if (point_run(&p, &r, NULL))
		return 2;
	snprintf(path, sizeof(path), "%s/point-%ld.res", s->dir, s->task);
	if (point_save(&r, path))
		return 2;
	printf("point %ld: %s: exit %d, %.2f s\n", s->task, r.key, r.status,
	       r.wall_seconds);
	point_result_free(&r);
	return 0;
}

/* points.tsv: which keys the sweep has, for what is missing */
static size_t count_missing(sqlite3 *db, const char *dir)
{
	char path[PATH_MAX + 32], *line = NULL;
	size_t cap = 0, missing = 0;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/points.tsv", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *tab = strchr(line, '\t');

		if (line[len - 1] == '\n')
			line[len - 1] = 0;
		if (tab && !sweepdb_done(db, tab + 1)) {
			if (missing++ < 5)
				printf("  no result yet: point %.*s: %s\n",
				       (int)(tab - line), line, tab + 1);
		}
	}
	free(line);
	fclose(f);
	return missing;
}

int slurm_collect(struct sweep *s, sqlite3 *db)
{
	const char *dir = slurm_dir(s);
	char path[PATH_MAX + 300];
	size_t n = 0, bad = 0, missing;
	struct dirent *de;
	int64_t sweep;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "mmlab sweep: --collect %s: %s\n", dir, strerror(errno));
		return 2;
	}
	sweep = sweepdb_begin(db, s->command);
	while (sweep && (de = readdir(d))) {
		struct point_result r;
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "point-", 6) || len < 4 ||
		    strcmp(de->d_name + len - 4, ".res"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (point_load(&r, path)) {
			bad++;
			continue;
		}
		if (sweepdb_store(db, sweep, &r))
			bad++;
		else
			n++;
		point_result_free(&r);
	}
	closedir(d);
	if (!sweep)
		return 2;
	sweepdb_end(db, sweep);
	missing = count_missing(db, dir);
	printf("sweep: collected %zu result file%s from %s into %s; %zu point%s "
	       "without a result%s\n", n, n == 1 ? "" : "s", dir, s->db_path,
	       missing, missing == 1 ? "" : "s", bad ? "; some files unreadable" : "");
	return bad ? 2 : missing ? 1 : 0;
}
