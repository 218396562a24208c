/*
 * run.c - `mmlab run` (one scenario on one backend) and `mmlab diff` (the
 * same scenario on the model and on the real kernel, observations
 * compared).  Option parsing and the comparison live here; running a
 * script is src/script/runner.c.  `diff` runs each backend as a child
 * `mmlab run --observations FILE`, so that the two runs share nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmlab/mmlab.h>
#include "cli.h"
#include "options.h"
#include "point.h"
#include "script/script.h"
#include "script/puppet_proto.h"
#include "script/host_profile.h"


int cmd_run(int argc, char **argv)
{
	struct cli c;
	int ret;

	/* A puppet of the linux backend: `mmlab run --puppet FD`. */
	if (argc == 3 && !strcmp(argv[1], "--puppet"))
		return sc_puppet_main(atoi(argv[2]));
	memset(&c, 0, sizeof(c));
	ret = cli_parse(&c, argc, argv);
	if (ret)
		return ret & 255;
	if (c.json || c.repeat)
		return single_run(&c, argc, argv);
	return sc_run(&c.o);
}

/* Observations of one run, in the order first seen. */
struct obs {
	char **name, **value;
	int *line;		/* the script line that observed it, 0 unknown */
	int n, cap;
};

static int obs_find(struct obs *o, const char *name)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->name[i], name))
			return i;
	return -1;
}

static void obs_add(struct obs *o, const char *name, const char *value, int line)
{
	char key[512];
	int k = 1;

	/* A name observed again is compared as name#2, name#3, ... */
	snprintf(key, sizeof(key), "%s", name);
	while (obs_find(o, key) >= 0)
		snprintf(key, sizeof(key), "%s#%d", name, ++k);
	if (o->n == o->cap) {
		o->cap = o->cap * 2 + 64;
		o->name = realloc(o->name, o->cap * sizeof(char *));
		o->value = realloc(o->value, o->cap * sizeof(char *));
		o->line = realloc(o->line, o->cap * sizeof(int));
		if (!o->name || !o->value || !o->line) {
			fprintf(stderr, "mmlab diff: out of memory\n");
			exit(2);
		}
	}
	o->line[o->n] = line;
	o->name[o->n] = strdup(key);
	o->value[o->n++] = strdup(value);
}

static void obs_free(struct obs *o)
{
	for (int i = 0; i < o->n; i++) {
		free(o->name[i]);
		free(o->value[i]);
	}
	free(o->name);
	free(o->value);
	free(o->line);
	memset(o, 0, sizeof(*o));
}

static void obs_load(struct obs *o, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		char *tab, *tab2;

		if (line[n - 1] == '\n')
			line[n - 1] = 0;
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		tab2 = strchr(tab + 1, '\t');
		if (tab2)
			*tab2 = 0;
		obs_add(o, tsv_unescape(line), tsv_unescape(tab + 1), tab2 ? atoi(tab2 + 1) : 0);
	}
	free(line);
	fclose(f);
}

/* Run `mmlab run --backend B ...` as a child; its stdout into out_path. */
static int run_child(struct cli *c, const char *backend, const char *obs_path,
		     const char *out_path, const char *const *extra, int nr_extra,
		     bool as_host)
{
	char *argv[800];
	struct cli_argbuf buf;
	int argc = 0, status, fd;
	pid_t pid;

	argv[argc++] = "mmlab";
	argv[argc++] = "run";
	argv[argc++] = "--backend";
	argv[argc++] = (char *)backend;
	argv[argc++] = "--observations";
	argv[argc++] = (char *)obs_path;
	/* the host profile's knobs first: the user's --set wins */
	for (int i = 0; i < nr_extra && argc < 220; i++) {
		argv[argc++] = "--set";
		argv[argc++] = (char *)extra[i];
	}
	cli_run_args(c, c->o.seed, argv, &argc, 800, &buf);

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("mmlab diff: fork");
		return 2;
	}
	if (pid == 0) {
		/* stderr too: a side's errors print under its header */
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(2);
		/* the model answers mm.has for what the host can show as the
		 * host does, so that both sides observe the same things */
		if (as_host)
			setenv("MMLAB_MODEL_AS_HOST", "1", 1);
		else
			unsetenv("MMLAB_MODEL_AS_HOST");
		execv("/proc/self/exe", argv);
		_exit(2);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 2;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	fprintf(stderr, "mmlab diff: the %s run died of signal %d\n", backend,
		WTERMSIG(status));
	return 2;
}

static void show_file(const char *title, const char *path)
{
	FILE *f = fopen(path, "re");
	char buf[4096];
	size_t n;

	if (!f)
		return;
	printf("--- %s ---\n", title);
	fflush(stdout);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	fflush(stdout);
}

/* The lines of a file (NULL-terminated array, *n of them); NULL when it
 * cannot be read. */
static char **read_lines(const char *path, int *n)
{
	FILE *f = fopen(path, "re");
	char **v = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int nv = 0;

	*n = 0;
	if (!f)
		return NULL;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char **nv2 = realloc(v, (size_t)(nv + 2) * sizeof(*v));

		if (!nv2)
			break;
		v = nv2;
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		v[nv++] = strdup(line);
		v[nv] = NULL;
	}
	free(line);
	fclose(f);
	*n = nv;
	return v;
}

/* The terminal's width ($COLUMNS, or the tty's), 160 when unknown. */
static int term_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (env && atoi(env) >= 40)
		return atoi(env);
	if (!ioctl(1, TIOCGWINSZ, &ws) && ws.ws_col >= 40)
		return ws.ws_col;
	return 160;
}

/* -v: the two runs' output side by side, model left, linux right; a line
 * wider than its column continues on the next row. */
static void show_side_by_side(const char *const path[2])
{
	int n[2], w = (term_width() - 3) / 2, row[2] = { 0, 0 };
	char **lines[2] = { read_lines(path[0], &n[0]), read_lines(path[1], &n[1]) };
	size_t off[2] = { 0, 0 };

	printf("%-*s | %s\n", w, "--- model ---", "--- linux ---");
	while (row[0] < n[0] || row[1] < n[1]) {
		for (int b = 0; b < 2; b++) {
			const char *l = row[b] < n[b] ? lines[b][row[b]] + off[b] : "";
			int len = (int)strlen(l), take = len > w ? w : len;

			if (b)
				printf("%.*s\n", take, l);
			else
				printf("%-*.*s | ", w, take, l);
			if (row[b] >= n[b])
				continue;
			if (len > w) {
				off[b] += (size_t)take;
			} else {
				row[b]++;
				off[b] = 0;
			}
		}
	}
	for (int b = 0; b < 2; b++) {
		for (int i = 0; i < n[b]; i++)
			free(lines[b][i]);
		free(lines[b]);
	}
	fflush(stdout);
}

/* The profile of this host for the two runs: saved where they find it
 * ($MMLAB_HOST_PROFILE), its differences from stock printed, and the
 * model knobs that reproduce them (none with --stock). */
static int diff_profile(struct cli *c, const char *dir, const char **sets,
			int max)
{
	static char path[96];
	const struct host_profile *hp = host_profile();
	int n = 0, ret;

	snprintf(path, sizeof(path), "%s/host.profile", dir);
	ret = host_profile_save(hp, path);
	if (!ret)
		setenv("MMLAB_HOST_PROFILE", path, 1);
	if (c->stock) {
		if (host_profile_print_differences(hp, stdout))
			printf("--stock: the model runs as stock 6.18, not as this "
			       "host\n");
		return 0;
	}
	host_profile_print_differences(hp, stdout);
	for (int i = 0; i < hp->n && n < max; i++)
		if (hp->item[i].model_set[0])
			sets[n++] = hp->item[i].model_set;
	return n;
}

/*
 * $MMLAB_DIFF_HOST_LOCK names a file that diffs running side by side lock
 * around what reads or changes the host: shared while the host's profile
 * and knobs are read, and around the linux run, exclusive unless
 * $MMLAB_DIFF_HOST_LOCK_SHARED is 1 (a script that changes the host or
 * reads machine-wide counters runs alone).  The model run takes it shared
 * too: the model's simulated memory is a host mapping with MADV_HUGEPAGE,
 * so a model run beside such a script would move the host's THP counters.
 * Returns the descriptor to close, or -1 (no lock asked for, or none to
 * be had: the diff runs unlocked).
 */
static int host_lock(bool linux_run)
{
	const char *path = getenv("MMLAB_DIFF_HOST_LOCK"), *sh;
	bool exclusive;
	int fd;

	if (!path || !*path)
		return -1;
	sh = getenv("MMLAB_DIFF_HOST_LOCK_SHARED");
	exclusive = linux_run && !(sh && !strcmp(sh, "1"));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH))
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

static void host_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* The first "SKIP ..." line of a run's output, for the reason. */
static void print_skip_reason(const char *backend, const char *out_path)
{
	FILE *f = fopen(out_path, "re");
	char line[1024];

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "SKIP ", 5)) {
			printf("%s side skipped: %s", backend, line + 5);
			break;
		}
	if (f)
		fclose(f);
}

/* " (x.lua:18)", or " (x.lua: model line 18, linux line 20)" when the
 * two sides observed it at different lines */
static const char *where(const char *script, int ml, int ll)
{
	static char buf[320];
	const char *base = strrchr(script, '/') ? strrchr(script, '/') + 1 : script;

	if (ml && ll && ml != ll)
		snprintf(buf, sizeof(buf), " (%s: model line %d, linux line %d)", base,
			 ml, ll);
	else if (ml || ll)
		snprintf(buf, sizeof(buf), " (%s:%d)", base, ml ? ml : ll);
	else
		buf[0] = 0;
	return buf;
}

static int compare(struct obs *obs, const char *script)
{
	int nr = 0, differ = 0;

	for (int i = 0; i < obs[0].n; i++) {
		int j = obs_find(&obs[1], obs[0].name[i]);

		nr++;
		if (j < 0 || strcmp(obs[0].value[i], obs[1].value[j])) {
			differ++;
			printf("%s: model=%s linux=%s%s\n", obs[0].name[i],
			       obs[0].value[i], j < 0 ? "(none)" :
			       obs[1].value[j], where(script, obs[0].line[i],
						      j < 0 ? 0 : obs[1].line[j]));
		}
	}
	for (int j = 0; j < obs[1].n; j++) {
		if (obs_find(&obs[0], obs[1].name[j]) >= 0)
			continue;
		nr++;
		differ++;
		printf("%s: model=(none) linux=%s%s\n", obs[1].name[j],
		       obs[1].value[j], where(script, 0, obs[1].line[j]));
	}
	printf("%d observation%s, %d differ\n", nr, nr == 1 ? "" : "s", differ);
	return differ;
}

int cmd_diff(int argc, char **argv)
{
	static const char *const backends[2] = { "model", "linux" };
	struct cli c;
	struct obs obs[2] = { { 0 } };
	char dir[] = "/tmp/mmlab-diff.XXXXXX";
	char obs_path[2][64], out_path[2][64], prof[96];
	const char *sets[HOST_MAX_ITEMS];
	int status[2], ret, nr_sets, differ = 0, lock;

	memset(&c, 0, sizeof(c));
	c.is_diff = true;
	ret = cli_parse(&c, argc, argv);
	if (ret)
		return ret & 255;
	c.o.check = !c.no_check;	/* the stale-TLB detector: on in diff */
	if (access(c.o.script, R_OK)) {
		fprintf(stderr, "mmlab diff: %s: %s\n", c.o.script,
			strerror(errno));
		return 2;
	}
	if (c.json && diff_json_begin())
		return 2;
	if (!mkdtemp(dir)) {
		perror("mmlab diff: mkdtemp");
		return 2;
	}
	lock = host_lock(false);
	nr_sets = diff_profile(&c, dir, sets, HOST_MAX_ITEMS);
	host_unlock(lock);
	fflush(stdout);
	for (int b = 0; b < 2; b++) {
		snprintf(obs_path[b], sizeof(obs_path[b]), "%s/%s.obs", dir,
			 backends[b]);
		snprintf(out_path[b], sizeof(out_path[b]), "%s/%s.out", dir,
			 backends[b]);
		lock = host_lock(b == 1);
		status[b] = run_child(&c, backends[b], obs_path[b], out_path[b],
				      sets, b == 0 ? nr_sets : 0, !c.stock);
		host_unlock(lock);
	}
	/* The linux side skipped: the model side runs on stock, so that its
	 * own expectations are still checked where the host cannot be. */
	if (status[1] == SC_EXIT_SKIP && !c.stock) {
		printf("model side: run again as stock 6.18 (nothing to compare "
		       "with)\n");
		status[0] = run_child(&c, "model", obs_path[0], out_path[0], NULL,
				      0, false);
	}
	if (c.verbose) {
		const char *paths[2] = { out_path[0], out_path[1] };

		show_side_by_side(paths);
	}
	for (int b = 0; b < 2; b++) {
		if (!c.verbose && status[b] && status[b] != SC_EXIT_SKIP)
			show_file(backends[b], out_path[b]);
		if (status[b] == SC_EXIT_SKIP)
			print_skip_reason(backends[b], out_path[b]);
		else if (status[b])
			fprintf(stderr, "mmlab diff: the %s run %s (exit %d)\n",
				backends[b], status[b] == 1 ?
				"failed an expectation" : "failed", status[b]);
		obs_load(&obs[b], obs_path[b]);
	}
	if (status[1] != SC_EXIT_SKIP && status[0] != SC_EXIT_SKIP)
		differ = compare(obs, c.o.script);
	for (int b = 0; b < 2; b++) {
		unlink(obs_path[b]);
		unlink(out_path[b]);
	}
	snprintf(prof, sizeof(prof), "%s/host.profile", dir);
	unlink(prof);
	rmdir(dir);
	if (status[0] == 2 || status[1] == 2)
		ret = 2;
	else if (status[0] == 1 || status[1] == 1 || differ)
		ret = 1;
	else
		ret = status[0] == SC_EXIT_SKIP || status[1] == SC_EXIT_SKIP ? SC_EXIT_SKIP : 0;
	if (c.json)
		diff_json_end(&c, argc, argv, status, obs[0].name, obs[0].value,
			      obs[0].n, obs[1].name, obs[1].value, obs[1].n, ret);
	obs_free(&obs[0]);
	obs_free(&obs[1]);
	return ret;
}
