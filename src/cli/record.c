/*
 * record.c - `mmlab record -o FILE.mmt [--] PROGRAM [ARG...]`: run a
 * program under valgrind with mmlab's tool (src/record/mmtrace.c), which
 * writes the record stream to a pipe; compress it into FILE.mmt
 * (src/record/trace_writer.c), checking and counting each record as it
 * arrives, with progress on stderr.  The program runs natively first (not
 * with --no-native) so that the end can give the recording's slowdown.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "record/trace.h"

#define TOOL	"mmtrace-amd64-linux"
#define PRELOAD	"vgpreload_core-amd64-linux.so"

static void record_usage(FILE *f)
{
	fprintf(f,
"usage: mmlab record -o FILE.mmt [--no-native] [--quiet] [--] PROGRAM [ARG...]\n"
"\n"
"Run PROGRAM under valgrind with mmlab's trace tool and write every memory\n"
"access (address, size, read or write) of every thread, with the\n"
"address-space events (mappings at start, mmap, munmap, mprotect,\n"
"madvise, mremap, brk, mlock, shm, clone/fork, thread exit) in the order\n"
"the program made them, to FILE.mmt (zstd-compressed; the format is in\n"
"docs/record-replay.md).  Progress goes to stderr once a second.\n"
"\n"
"options:\n"
"  -o FILE          the trace to write\n"
"  --no-native      do not run the program natively first (no slowdown)\n"
"  --no-fetch       no reads for the code pages the program enters\n"
"  --quiet          no progress lines\n"
"  -h, --help       this text\n"
"\n"
"MMLAB_VGTOOL_DIR names the directory of the tool (" TOOL ") when it is\n"
"not beside mmlab or in libexec/mmlab.\n"
"\n"
"exit status: 0 the trace is complete (whatever the program's status);\n"
"1 the recording failed or the trace is incomplete; 2 usage error.\n");
}

struct rec_cli {
	const char *out;
	char **argv;		/* the program and its arguments */
	bool native, quiet, fetch;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse(struct rec_cli *c, int argc, char **argv)
{
	int i;

	*c = (struct rec_cli){ .native = true, .fetch = true };
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			record_usage(stdout);
			return 256;
		} else if (!strcmp(argv[i], "-o")) {
			if (i + 1 == argc) {
				fprintf(stderr, "mmlab record: -o needs a file\n");
				return 2;
			}
			c->out = argv[++i];
		} else if (!strcmp(argv[i], "--no-native")) {
			c->native = false;
		} else if (!strcmp(argv[i], "--no-fetch")) {
			c->fetch = false;
		} else if (!strcmp(argv[i], "--quiet")) {
			c->quiet = true;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "mmlab record: unknown option '%s'\n", argv[i]);
			return 2;
		} else {
			break;
		}
	}
	if (!c->out || i == argc) {
		record_usage(stderr);
		return 2;
	}
	c->argv = argv + i;
	return 0;
}

/* The tool's directory: MMLAB_VGTOOL_DIR, beside this executable (the
 * build tree's src/record), or ../libexec/mmlab. */
static bool find_tool(char *dir, size_t len)
{
	const char *env = getenv("MMLAB_VGTOOL_DIR");
	char exe[PATH_MAX], path[PATH_MAX + 64], *slash;
	ssize_t n;

	if (env) {
		snprintf(dir, len, "%s", env);
		snprintf(path, sizeof(path), "%s/" TOOL, dir);
		return !access(path, X_OK);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	*slash = 0;
	static const char *const rel[] = { "/src/record", "/../libexec/mmlab" };
	for (size_t i = 0; i < 2; i++) {
		int n1 = snprintf(dir, len, "%s%s", exe, rel[i]);
		int n2 = snprintf(path, sizeof(path), "%s/" TOOL, dir);

		if (n1 < 0 || (size_t)n1 >= len || n2 < 0 || (size_t)n2 >= sizeof(path))
			continue;	/* too long a path: not this one */
		if (!access(path, X_OK))
			return true;
	}
	return false;
}

/* VALGRIND_LIB for the run: a temporary directory with the tool and the
 * core's preload library, which valgrind looks for beside each other. */
static int make_vglib(const char *tooldir, char *lib, size_t len)
{
	static const char *const preload_dirs[] = {
		"/usr/libexec/valgrind", "/usr/lib/x86_64-linux-gnu/valgrind",
		"/usr/lib/valgrind",
	};
	char a[PATH_MAX + 64], b[PATH_MAX + 64];

	snprintf(lib, len, "/tmp/mmlab-vglib-XXXXXX");
	if (!mkdtemp(lib))
		return -errno;
	snprintf(a, sizeof(a), "%s/" TOOL, tooldir);
	snprintf(b, sizeof(b), "%s/" TOOL, lib);
	if (symlink(a, b))
		return -errno;
	for (size_t i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "%s/" PRELOAD, preload_dirs[i]);
		if (access(a, R_OK))
			continue;
		snprintf(b, sizeof(b), "%s/" PRELOAD, lib);
		return symlink(a, b) ? -errno : 0;
	}
	return -ENOENT;
}

static void remove_vglib(const char *lib)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/" TOOL, lib);
	unlink(p);
	snprintf(p, sizeof(p), "%s/" PRELOAD, lib);
	unlink(p);
	rmdir(lib);
}

/* The native run: seconds, or -1 when it could not run. */
static double run_native(char **argv)
{
	double t0 = now_s();
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || (WIFEXITED(st) && WEXITSTATUS(st) == 127))
		return -1;
	return now_s() - t0;
}

/* The header: tracer, the command, this host's kernel and page size. */
static void make_header(char *h, size_t len, char **argv, double native)
{
	struct utsname u;
	size_t n;

	uname(&u);
	n = (size_t)snprintf(h, len, "tracer=valgrind mmtrace 1\nkernel=%s\n"
			     "machine=%s\npage_size=%ld\nhost_cpus=%ld\n",
			     u.release, u.machine, sysconf(_SC_PAGESIZE),
			     sysconf(_SC_NPROCESSORS_ONLN));
	if (native >= 0 && n < len)
		n += (size_t)snprintf(h + n, len - n, "native_s=%.6f\n", native);
	for (char **a = argv; *a && n < len - 8; a++) {
		n += (size_t)snprintf(h + n, len - n, "arg=");
		for (const char *s = *a; *s && n < len - 8; s++) {
			if (*s == '\n' || *s == '\t' || *s == '\\')
				n += (size_t)snprintf(h + n, len - n, "\\%c",
						      *s == '\n' ? 'n' : *s == '\t' ? 't' : '\\');
			else
				h[n++] = *s;
		}
		h[n++] = '\n';
		h[n] = 0;
	}
}

static pid_t start_valgrind(const struct rec_cli *c, const char *lib, int wfd)
{
	char fdopt[32], *args[1024];
	int n = 0;
	pid_t pid;

	snprintf(fdopt, sizeof(fdopt), "--mmt-fd=%d", wfd);
	args[n++] = "valgrind";
	args[n++] = "-q";
	args[n++] = "--tool=mmtrace";
	args[n++] = fdopt;
	if (!c->fetch)
		args[n++] = "--mmt-fetch=no";
	for (char **a = c->argv; *a && n < 1022; a++)
		args[n++] = *a;
	args[n] = NULL;
	pid = fork();
	if (pid == 0) {
		setenv("VALGRIND_LIB", lib, 1);
		execvp("valgrind", args);
		fprintf(stderr, "mmlab record: cannot run valgrind: %s\n", strerror(errno));
		_exit(127);
	}
	return pid;
}

struct stream {
	unsigned char buf[(1u << 20) + MMT_MAX_RECORD];
	size_t len;
	uint64_t last_addr, records, accesses, events, threads, offset;
	bool ended, bad;
};

/* Check and count the complete records in s->buf; keep a partial one. */
static void scan(struct stream *s)
{
	struct mmt_rec rec;
	size_t pos = 0;

	while (pos < s->len && !s->bad) {
		long n = mmt_decode(s->buf + pos, s->len - pos, &s->last_addr, &rec);

		if (n == 0)
			break;
		if (n < 0 || s->ended) {
			fprintf(stderr, "mmlab record: the tool wrote a bad record at "
				"stream byte %" PRIu64 "\n", s->offset + pos);
			s->bad = true;
			break;
		}
		pos += (size_t)n;
		s->records++;
		if (rec.type == MMT_ACCESS_MAX)
			s->accesses++;
		else if (rec.type != MMT_THREAD && rec.type != MMT_FILE)
			s->events++;
		if (rec.type == MMT_THREAD_NEW)
			s->threads++;
		if (rec.type == MMT_END)
			s->ended = true;
	}
	memmove(s->buf, s->buf + pos, s->len - pos);
	s->len -= pos;
	s->offset += pos;
}

/* Read the pipe into the writer until the tool closes it. */
static int pump(const struct rec_cli *c, int rfd, struct mmt_writer *w, struct stream *s)
{
	double t0 = now_s(), next = t0 + 1;

	for (;;) {
		ssize_t n = read(rfd, s->buf + s->len, sizeof(s->buf) - s->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (mmt_writer_put(w, s->buf + s->len, (size_t)n))
			return -EIO;
		s->len += (size_t)n;
		scan(s);
		if (!c->quiet && now_s() >= next) {
			fprintf(stderr, "mmlab record: %.0f s: %" PRIu64 " accesses, %"
				PRIu64 " events, %" PRIu64 " threads, %.1f MB written\n",
				now_s() - t0, s->accesses, s->events, s->threads + 1,
				mmt_writer_bytes(w) / 1e6);
			next = now_s() + 1;
		}
	}
}

static int record(const struct rec_cli *c, const char *lib, double native)
{
	static struct stream s;
	char hdr[16384], err[512];
	struct mmt_writer *w;
	int pfd[2], st = 0, ret;
	double t0;
	pid_t pid;

	make_header(hdr, sizeof(hdr), c->argv, native);
	w = mmt_writer_open(c->out, hdr, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "mmlab record: %s\n", err);
		return 2;
	}
	if (pipe2(pfd, O_CLOEXEC))
		return 1;
	fcntl(pfd[1], F_SETFD, 0);	/* the tool's end stays open across exec */
	t0 = now_s();
	pid = start_valgrind(c, lib, pfd[1]);
	close(pfd[1]);
	ret = pid < 0 ? -errno : pump(c, pfd[0], w, &s);
	close(pfd[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	t0 = now_s() - t0;
	if (mmt_writer_close(w) || ret) {
		fprintf(stderr, "mmlab record: writing %s failed\n", c->out);
		return 1;
	}
	fprintf(stderr, "mmlab record: %s: %" PRIu64 " accesses, %" PRIu64 " events, %"
		PRIu64 " threads, %" PRIu64 " records; %.1f MB raw, ", c->out,
		s.accesses, s.events, s.threads + 1, s.records, s.offset / 1e6);
	ret = !s.ended || s.bad || s.len;
	if (WIFEXITED(st))
		fprintf(stderr, "program exit status %d\n", WEXITSTATUS(st));
	else
		fprintf(stderr, "program killed by signal %d\n", WTERMSIG(st));
	if (native > 0)
		fprintf(stderr, "mmlab record: recorded in %.3f s, native %.3f s: slowdown "
			"%.1fx\n", t0, native, t0 / native);
	else
		fprintf(stderr, "mmlab record: recorded in %.3f s\n", t0);
	if (ret)
		fprintf(stderr, "mmlab record: the trace is incomplete (no END record): "
			"the program was killed, or it exec'd another program (a "
			"script or wrapper: record the program it runs)\n");
	return ret;
}

int cmd_record(int argc, char **argv)
{
	struct rec_cli c;
	char tooldir[PATH_MAX], lib[PATH_MAX];
	double native = -1;
	int ret = parse(&c, argc, argv);

	if (ret)
		return ret == 256 ? 0 : ret;
	if (!find_tool(tooldir, sizeof(tooldir))) {
		fprintf(stderr, "mmlab record: the valgrind tool " TOOL " was not built "
			"or found (needs Debian's valgrind package: its tool headers and "
			"libcoregrind/libvex; MMLAB_VGTOOL_DIR overrides)\n");
		return 2;
	}
	ret = make_vglib(tooldir, lib, sizeof(lib));
	if (ret) {
		fprintf(stderr, "mmlab record: cannot set up VALGRIND_LIB in %s: %s\n",
			lib, strerror(-ret));
		remove_vglib(lib);
		return 1;
	}
	if (c.native) {
		native = run_native(c.argv);
		if (native < 0) {
			fprintf(stderr, "mmlab record: cannot run '%s'\n", c.argv[0]);
			remove_vglib(lib);
			return 2;
		}
	}
	ret = record(&c, lib, native);
	remove_vglib(lib);
	return ret;
}
