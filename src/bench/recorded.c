/*
 * recorded.c - recorded programs for the benchmarks' replay cases: record
 * once with `mmlab record`, cache the trace under the build directory
 * keyed by the program, its command line and its input (recorded.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "recorded.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

/* Hash @path's bytes into @h; -1 when it cannot be read. */
static int fnv_file(uint64_t *h, const char *path)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*h = fnv(*h, buf, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The running mmlab binary and the cache directory beside it. */
static int cache_dir(char *exe, size_t elen, char *dir, size_t dlen)
{
	ssize_t n = readlink("/proc/self/exe", exe, elen - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = 0;
	snprintf(dir, dlen, "%s", exe);
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	snprintf(slash, dlen - (size_t)(slash - dir), "/bench-traces");
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

int bench_trace_input(const char *name, char *path, size_t len)
{
	char exe[4096], dir[4096];

	if (cache_dir(exe, sizeof(exe), dir, sizeof(dir)))
		return -1;
	snprintf(path, len, "%s/%s.input", dir, name);
	return 0;
}

/* `mmlab record --quiet --no-native -o @out -- @argv`, its output to
 * /dev/null: its exit status, or -1. */
static int record(const char *exe, const char *out, const char *const *argv)
{
	const char *args[64] = { exe, "record", "--quiet", "--no-native", "-o", out, "--" };
	unsigned int n = 7;
	pid_t pid;
	int st;

	for (unsigned int i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(exe, (char *const *)args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Remove @dir's traces of @name other than @keep (an older program,
 * command or input): the cache holds one trace per case. */
static void prune(const char *dir, const char *name, const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t len = strlen(name);
	char path[4400];

	while (d && (de = readdir(d))) {
		const char *n = de->d_name, *dot = strrchr(n, '.');

		if (strncmp(n, name, len) || n[len] != '-' || !dot || strcmp(dot, ".mmt") ||
		    !strcmp(n, keep))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		unlink(path);
	}
	if (d)
		closedir(d);
}

int bench_trace_get(const char *name, const char *const *argv, const char *input,
		    struct bench_trace *t)
{
	char exe[4096], dir[4096], tmp[600];
	uint64_t key = FNV_OFFSET, h = FNV_OFFSET;
	struct stat st;
	double t0;
	int ret;

	memset(t, 0, sizeof(*t));
	if (cache_dir(exe, sizeof(exe), dir, sizeof(dir))) {
		snprintf(t->err, sizeof(t->err), "no cache directory beside the mmlab binary");
		return -1;
	}
	if (fnv_file(&key, argv[0])) {
		snprintf(t->err, sizeof(t->err), "%.160s: %s (the program to record)", argv[0],
			 strerror(errno));
		return -1;
	}
	for (unsigned int i = 0; argv[i]; i++)
		key = fnv(key, argv[i], strlen(argv[i]) + 1);
	if (fnv_file(&key, input)) {
		snprintf(t->err, sizeof(t->err), "%.160s: %s (the input)", input, strerror(errno));
		return -1;
	}
	snprintf(t->key, sizeof(t->key), "%016llx", (unsigned long long)key);
	snprintf(t->path, sizeof(t->path), "%.400s/%.64s-%s.mmt", dir, name, t->key);
	if (stat(t->path, &st) == 0) {
		t->cached = true;
	} else {
		snprintf(tmp, sizeof(tmp), "%s.%d.tmp", t->path, (int)getpid());
		t0 = bench_now();
		ret = record(exe, tmp, argv);
		t->record_s = bench_now() - t0;
		if (ret || rename(tmp, t->path)) {
			unlink(tmp);
			snprintf(t->err, sizeof(t->err), "mmlab record %.120s failed (exit %d; is the "
				 "recorder built?)", argv[0], ret);
			return -1;
		}
		prune(dir, name, strrchr(t->path, '/') + 1);
	}
	if (fnv_file(&h, t->path)) {
		snprintf(t->err, sizeof(t->err), "%.200s: %s", t->path, strerror(errno));
		return -1;
	}
	snprintf(t->hash, sizeof(t->hash), "%016llx", (unsigned long long)h);
	return 0;
}

void bench_trace_note(struct bench_ctx *ctx, const char *case_name, const char *program,
		      const struct bench_trace *t)
{
	struct bench_rec *r = bench_rec_new(ctx);

	bench_rec_str(r, "case", case_name);
	bench_rec_str(r, "program", program);
	bench_rec_str(r, "note", t->err);
	bench_emit(ctx, r);
}
