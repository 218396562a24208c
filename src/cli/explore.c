/*
 * explore.c - `mmlab explore`: run a scenario under the deterministic
 * scheduler for seeds 1..N, J child processes at once, with the stale-TLB
 * detector on, and stop at the first seed that fails, printing why and the
 * command that replays it.
 *
 * A seed fails when its run does not exit 0: a failed expectation (data
 * read back wrong, a verify that differs), a stale-TLB report, a model BUG
 * (a signal), a deadlock or an exceeded step budget (exit 3), or a script
 * error.  Seeds are started in order; when one fails no more are started,
 * the running ones finish, and the lowest failing seed is reported, so the
 * answer does not depend on J.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"

#define MAX_JOBS	64

static void explore_usage(FILE *f)
{
	fprintf(f,
"usage: mmlab explore [options] SCRIPT.lua [ARG...] [-- ARG...]\n"
"\n"
"Run the scenario on the model under the deterministic scheduler for seeds\n"
"S..S+N-1, with the stale-TLB detector on, and stop at the first seed that\n"
"fails (a failed expectation, a stale-TLB report, a model BUG, a deadlock,\n"
"a step budget exceeded, a script error).  Prints the reason and the exact\n"
"`mmlab run --deterministic ...` command that replays it.  Progress on\n"
"stderr.\n"
"\n"
"options:\n"
"  --seeds N              how many seeds (default 100)\n"
"  --first-seed S         the first seed (default 1)\n"
"  --jobs J               runs at once (default: the host's CPUs)\n"
"  --strategy random|pct, --depth D, --max-steps N\n"
"                         the scheduler, as for mmlab run\n"
"  --cpus N, --mem SIZE, --set PATH=VALUE, --timeout SECONDS,\n"
"  --unsafe-lua           as for mmlab run\n"
"  -h, --help             this text\n"
"\n"
"exit status: 0 every seed passed; 1 a seed failed; 2 usage error.\n");
}

struct job {
	pid_t pid;
	int cpu;			/* MMLAB_SCHED_CPU: one host CPU per job */
	uint64_t seed;
	char out[64];
};

static int spawn_seed(struct cli *c, const char *self, uint64_t seed, struct job *j)
{
	char *argv[800];
	struct cli_argbuf buf;
	char cpu[16];
	int argc = 0, fd;

	argv[argc++] = "mmlab";
	argv[argc++] = "run";
	cli_run_args(c, seed, argv, &argc, 800, &buf);
	snprintf(j->out, sizeof(j->out), "/tmp/mmlab-explore.%d.%" PRIu64,
		 (int)getpid(), seed);
	j->seed = seed;
	fflush(NULL);
	j->pid = fork();
	if (j->pid < 0)
		return -errno;
	if (j->pid == 0) {
		fd = open(j->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(2);
		setenv("MMLAB_STALE_CHECK", "1", 1);
		snprintf(cpu, sizeof(cpu), "%d", j->cpu);
		setenv("MMLAB_SCHED_CPU", cpu, 1);
		execv(self, argv);
		_exit(2);
	}
	return 0;
}

/* The lowest CPU slot no running job has. */
static int free_cpu(const struct job *running, int nrun)
{
	for (int cpu = 0;; cpu++) {
		int i = 0;

		while (i < nrun && running[i].cpu != cpu)
			i++;
		if (i == nrun)
			return cpu;
	}
}

/* Why a run failed, in a few words, from its status and output. */
static void reason(int status, const char *out, char *buf, size_t len)
{
	FILE *f = fopen(out, "re");
	char line[512], first[512] = "";
	const char *why;

	while (f && fgets(line, sizeof(line), f)) {
		if (!*first && (strstr(line, "FAIL") || strstr(line, "BUG") ||
				strstr(line, "stale") || strstr(line, "deterministic schedule") ||
				strstr(line, "error") || strstr(line, ".lua:")))
			snprintf(first, sizeof(first), "%s", line);
	}
	if (f)
		fclose(f);
	first[strcspn(first, "\n")] = 0;
	if (WIFSIGNALED(status))
		why = "the model died of a signal (BUG)";
	else if (WEXITSTATUS(status) == 1)
		why = "an expectation failed or the stale-TLB detector reported";
	else if (WEXITSTATUS(status) == 3)
		why = "deadlock or step budget exceeded";
	else
		why = "the run failed";
	snprintf(buf, len, "%s%s%s", why, *first ? ": " : "", first);
}

static void print_replay(const struct cli *c, uint64_t seed)
{
	char *argv[800];
	struct cli_argbuf buf;
	int argc = 0;

	cli_run_args(c, seed, argv, &argc, 800, &buf);
	printf("replay: mmlab run");
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout")) {
			i++;
			continue;
		}
		printf(strpbrk(argv[i], " \t'\"$;&|") ? " '%s'" : " %s", argv[i]);
	}
	printf("\n");
}

/* Take --seeds, --first-seed and --jobs out of argv; the rest is run's. */
static int take_own(int *argc, char **argv, uint64_t *seeds, uint64_t *first,
		    long *jobs)
{
	int w = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		char *end;

		if (!strcmp(a, "--") || a[0] != '-') {
			while (i < *argc)
				argv[w++] = argv[i++];
			break;
		}
		if ((!strcmp(a, "--seeds") || !strcmp(a, "--first-seed") ||
		     !strcmp(a, "--jobs")) && i + 1 < *argc) {
			unsigned long long v = strtoull(argv[i + 1], &end, 10);

			if (*end || !*argv[i + 1] || argv[i + 1][0] == '-' ||
			    (a[2] != 'f' && !v) || (a[2] == 'j' && v > MAX_JOBS)) {
				fprintf(stderr, "mmlab explore: %s '%s': a positive "
					"number%s\n", a, argv[i + 1],
					a[2] == 'j' ? " up to 64" : "");
				return 2;
			}
			if (a[2] == 's')
				*seeds = v;
			else if (a[2] == 'f')
				*first = v;
			else
				*jobs = (long)v;
			i++;
			continue;
		}
		argv[w++] = argv[i];
	}
	*argc = w;
	argv[w] = NULL;
	return 0;
}

int cmd_explore(int argc, char **argv)
{
	uint64_t seeds = 100, first = 1, next, done = 0, fail_seed = 0;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	struct job running[MAX_JOBS];
	char why[700] = "", fail_out[64] = "";
	int nrun = 0, ret, fail_status = 0;
	struct cli c;
	time_t t0 = time(NULL);

	ret = take_own(&argc, argv, &seeds, &first, &jobs);
	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	c.cmd = "explore";
	c.usage = explore_usage;
	ret = cli_parse(&c, argc, argv);
	if (ret)
		return ret & 255;
	if (strcmp(c.o.backend, "model")) {
		fprintf(stderr, "mmlab explore: the model only\n");
		return 2;
	}
	c.o.deterministic = true;
	if (jobs < 1)
		jobs = 1;
	for (next = first; next < first + seeds || nrun;) {
		int status;
		pid_t pid;

		while (!fail_seed && next < first + seeds && nrun < jobs) {
			running[nrun].cpu = free_cpu(running, nrun);
			if (spawn_seed(&c, "/proc/self/exe", next, &running[nrun])) {
				perror("mmlab explore: fork");
				return 2;
			}
			nrun++;
			next++;
		}
		if (!nrun)
			break;
		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			perror("mmlab explore: wait");
			return 2;
		}
		for (int i = 0; i < nrun; i++) {
			struct job *j = &running[i];

			if (j->pid != pid)
				continue;
			done++;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				if (!fail_seed || j->seed < fail_seed) {
					if (*fail_out)
						unlink(fail_out);
					fail_seed = j->seed;
					fail_status = status;
					snprintf(fail_out, sizeof(fail_out), "%s", j->out);
				} else {
					unlink(j->out);
				}
			} else {
				unlink(j->out);
			}
			running[i] = running[--nrun];
			break;
		}
		fprintf(stderr, "\rexplore: %" PRIu64 "/%" PRIu64 " seeds, %s, %lds ",
			done, seeds, fail_seed ? "a failure found" : "no failure",
			(long)(time(NULL) - t0));
		if (fail_seed && !nrun)
			break;
	}
	fprintf(stderr, "\n");
	if (!fail_seed) {
		printf("explore: %" PRIu64 " seeds (%" PRIu64 "..%" PRIu64 ", %s), all "
		       "passed\n", seeds, first, first + seeds - 1,
		       c.o.strategy ? "pct" : "random");
		return 0;
	}
	reason(fail_status, fail_out, why, sizeof(why));
	printf("explore: seed %" PRIu64 " fails (%" PRIu64 " seeds run): %s\n",
	       fail_seed, done, why);
	print_replay(&c, fail_seed);
	unlink(fail_out);
	return 1;
}
