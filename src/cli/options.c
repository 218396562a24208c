/*
 * options.c - the options `mmlab run`, `mmlab diff` and `mmlab explore`
 * share: parsing them, and passing them on to a child `mmlab run`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmlab/mmlab.h>
#include "options.h"

void run_usage(FILE *f)
{
	fprintf(f,
"usage: mmlab run [options] SCRIPT.lua [ARG...] [-- ARG...]\n"
"\n"
"Run a Lua scenario (docs/scenarios.md) on the model or the real kernel.\n"
"Options go before the script; the arguments after it are the script's\n"
"(mm.args), and one that starts with '-' must come after '--'.\n"
"\n"
"options:\n"
"  --backend model|linux  where the scenario runs (default: model); linux\n"
"                         drives real helper processes on this machine\n"
"  --cpus N               simulated CPUs of the model (default 4)\n"
"  --nodes N              NUMA nodes of the model (default 1), each with\n"
"                         the --mem size\n"
"  --mem SIZE             physical memory of the model, with K, M or G\n"
"                         (default 4G; from 4M, in whole 4M blocks, to\n"
"                         the host's MemTotal); the linux backend ignores it\n"
"  --nodes N              NUMA nodes of the model (default 1, at most 8),\n"
"                         --mem split evenly between them; the linux\n"
"                         backend has the host's (mm.nodes())\n"
"  --nodes SIZE[:slow[=NS]],...\n"
"                         one node per item, of SIZE bytes (K, M, G); slow:\n"
"                         a slower memory tier (access latency NS, default\n"
"                         250; the others 80), the target of demotion\n"
"  --seed N               seed of the script's math.random and of the\n"
"                         model's randomised choices (default 1); with\n"
"                         --deterministic, of the scheduler too\n"
"  --deterministic        one seeded scheduler runs the model's threads one\n"
"                         at a time on a simulated clock: the same seed\n"
"                         gives the same run; ends with the schedule's\n"
"                         length and hash (model backend)\n"
"  --strategy random|pct  how the scheduler picks (default random)\n"
"  --depth D              PCT's bug depth (default 3, 1..16)\n"
"  --max-steps N          fail a deterministic run longer than N steps\n"
"  --set PATH=VALUE       set a tunable before the script starts, as\n"
"                         mm.set does (repeatable); linux restores it\n"
"  --timeout SECONDS      stop a script running longer (default 600,\n"
"                         0 for none); settings are still restored\n"
"  --observations FILE    also write every mm.observe to FILE (for diff)\n"
"  --check                the stale-TLB detector on (model): an access\n"
"                         through a stale TLB entry fails the run (exit 1,\n"
"                         with a summary line); on in mmlab diff\n"
"  --results FILE         also write the run's vmstat deltas, simulated\n"
"                         cycles and knobs to FILE (for sweep)\n"
"  --json                 print one JSON object: the observations, vmstat\n"
"                         deltas, exit status, wall and simulated time and\n"
"                         the metadata (version, commit, host, knobs, seed,\n"
"                         command); the script's output is its \"output\"\n"
"  --repeat N             run N times, seeds --seed .. --seed+N-1, and print\n"
"                         mean, standard deviation, min and max of every\n"
"                         numeric observation (with --json: one object)\n"
"  --unsafe-lua           give the script the whole Lua standard library\n"
"                         (io, os.execute, require, ...); by default it has\n"
"                         base, string, table, math, utf8, coroutine and\n"
"                         os.clock/date/difftime/getenv/time.  On the linux\n"
"                         backend the script runs as root\n"
"  -h, --help             this text\n"
"\n"
"MMLAB_SET=\"path=value;...\" in the environment applies before --set.\n"
"\n"
"exit status: 0 the script ran to its end and every expectation held;\n"
"1 an expectation failed; 2 usage error, script error or an operation\n"
"the backend cannot do; 77 skipped: the backend lacks what the script\n"
"requires (mm.require), with the reason on a line \"SKIP ...\".\n");
}

void diff_usage(FILE *f)
{
	fprintf(f,
"usage: mmlab diff [options] SCRIPT.lua [ARG...] [-- ARG...]\n"
"\n"
"Run a scenario on the model and on the real kernel (linux backend) and\n"
"compare every observation (mm.observe) by name.  Prints one line per\n"
"observation that differs, `name: model=X linux=Y (script.lua:LINE)`\n"
"(the line that observed it), then\n"
"`N observations, N differ`.\n"
"\n"
"The model runs in this host's profile (`mmlab host`): where the kernel\n"
"here differs from stock 6.18 in a way a model knob reproduces (no zero\n"
"page, soft-dirty on, ...), the model gets that knob, and the output\n"
"starts with what differs.  A scenario that requires what this host lacks\n"
"(mm.require) skips the linux side; the model side still runs, on stock.\n"
"\n"
"options:\n"
"  --stock                compare with stock 6.18: the model ignores the\n"
"                         host's profile\n"
"  --no-check             the model's stale-TLB detector off (on by\n"
"                         default: a report fails the run)\n"
"  --set PATH=VALUE       set a tunable on both backends (repeatable)\n"
"  --cpus N, --mem SIZE, --nodes N, --seed N, --timeout SECONDS,\n"
"  --unsafe-lua\n"
"                         as for mmlab run\n"
"  -v, --verbose          show the output of both runs side by side\n"
"  --json                 print one JSON object instead: both sides'\n"
"                         observations, what differs, the metadata\n"
"  -h, --help             this text\n"
"\n"
"exit status: 0 when no observation differs and both runs succeeded;\n"
"1 when some differ or an expectation failed; 2 when a run failed; 77\n"
"when the linux side was skipped (a requirement this host lacks, or not\n"
"root for a script that needs it) and the model side passed.\n");
}

static int parse_u64(const char *s, uint64_t *out, bool size)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (size && *end) {
		int shift = 0;

		switch (*end) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		default: return -1;
		}
		end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* "1.5 GiB", "512 MiB", "4096 KiB": a size for an error message. */
static void fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = bytes / 1024.0;
	int u = 0;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v == (uint64_t)v ? "%.0f %s" : "%.1f %s", v,
		 unit[u]);
}

/* MemTotal of /proc/meminfo in bytes, 0 when it cannot be read. */
static uint64_t host_mem_total(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kb = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return (uint64_t)kb << 10;
}

/* --mem VAL: a size from MMLAB_MIN_NODE_BYTES to MMLAB_MAX_NODE_BYTES and
 * no more than the host's memory (the model's frames are host memory). */
static int parse_mem(const char *cmd, const char *val, uint64_t *out)
{
	uint64_t v, host = host_mem_total();
	char a[32], b[32];

	if (parse_u64(val, &v, true)) {
		fprintf(stderr, "mmlab %s: --mem '%s': not a size; a number "
			"with K, M or G, such as 512M or 4G\n", cmd, val);
		return 2;
	}
	if (v < MMLAB_MIN_NODE_BYTES || v > MMLAB_MAX_NODE_BYTES) {
		fmt_size(a, sizeof(a), v);
		fprintf(stderr, "mmlab %s: --mem '%s' (%s): the model's memory "
			"is from 4M to 1024G\n", cmd, val, a);
		return 2;
	}
	if (host && v > host) {
		fmt_size(a, sizeof(a), v);
		fmt_size(b, sizeof(b), host);
		fprintf(stderr, "mmlab %s: --mem '%s' (%s) is more than this "
			"host's memory (MemTotal %s in /proc/meminfo)\n", cmd,
			val, a, b);
		return 2;
	}
	*out = v;
	return 0;
}

/* --nodes SIZE[:slow[=NS]],...: the model's nodes one by one. */
static int parse_node_list(struct cli *c, const char *val)
{
	char buf[256], *item, *save = NULL;
	uint64_t sum = 0, host = host_mem_total();
	unsigned int n = 0;

	snprintf(buf, sizeof(buf), "%s", val);
	for (item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		unsigned long lat = 250;

		if (colon) {
			*colon = 0;
			if (sscanf(colon + 1, "slow=%lu", &lat) != 1 && strcmp(colon + 1, "slow"))
				goto bad;
			if (lat < 1 || lat > 100000)
				goto bad;
		}
		if (n == MMLAB_MAX_NODES || parse_u64(item, &c->o.node_bytes[n], true) ||
		    c->o.node_bytes[n] < MMLAB_MIN_NODE_BYTES ||
		    c->o.node_bytes[n] > MMLAB_MAX_NODE_BYTES)
			goto bad;
		c->o.node_slow[n] = colon != NULL;
		c->o.node_latency_ns[n] = colon ? (unsigned int)lat : 0;
		sum += c->o.node_bytes[n++];
	}
	if (!n)
		goto bad;
	if (host && sum > host) {
		fprintf(stderr, "mmlab %s: --nodes '%s': more than this host's memory "
			"(MemTotal in /proc/meminfo)\n", c->cmd, val);
		return 2;
	}
	c->o.nodes = n;
	c->o.nodes_spec = val;
	return 0;
bad:
	fprintf(stderr, "mmlab %s: --nodes '%s': expected N (1 to %d) or a list of "
		"SIZE[:slow[=NS]], at most %d, each from 4M to 1024G (latency 1 to "
		"100000 ns), such as 1G,1G:slow\n", c->cmd, val, MMLAB_MAX_NODES,
		MMLAB_MAX_NODES);
	return 2;
}

/* An option that takes a value: name is "--cpus" etc., val its value.
 * val NULL: the option came last, without one.  Returns 0, 2 (said why)
 * or -1 (not an option of this command). */
static int parse_value(struct cli *c, const char *name, const char *val)
{
	static const char *const names[] = {
		"--backend", "--cpus", "--mem", "--seed", "--timeout", "--set", "--nodes",
		"--strategy", "--depth", "--max-steps", "--observations",
		"--results", "--repeat", NULL
	};
	const char *cmd = c->cmd;
	uint64_t v;
	int k;

	for (k = 0; names[k] && strcmp(names[k], name); k++)
		;
	if (!names[k] || (c->is_diff && (!strcmp(name, "--backend") ||
					 !strcmp(name, "--observations") ||
					 !strcmp(name, "--results") ||
					 !strcmp(name, "--repeat"))))
		return -1;
	if (!strcmp(cmd, "explore") && (!strcmp(name, "--results") ||
					!strcmp(name, "--repeat")))
		return -1;
	if (!val) {
		fprintf(stderr, "mmlab %s: %s needs a value\n", cmd, name);
		return 2;
	}
	if (!strcmp(name, "--backend")) {
		if (strcmp(val, "model") && strcmp(val, "linux")) {
			fprintf(stderr, "mmlab %s: unknown backend '%s' (use "
				"model or linux)\n", cmd, val);
			return 2;
		}
		c->o.backend = val;
	} else if (!strcmp(name, "--nodes") && strpbrk(val, ",:KMGkmg")) {
		return parse_node_list(c, val);
	} else if (!strcmp(name, "--cpus") || !strcmp(name, "--nodes")) {
		bool cpus = name[2] == 'c';
		unsigned int max = cpus ? MMLAB_MAX_CPUS : MMLAB_MAX_NODES;

		if (parse_u64(val, &v, false) || v < 1 || v > max) {
			fprintf(stderr, "mmlab %s: %s '%s': a number from 1 "
				"to %u\n", cmd, name, val, max);
			return 2;
		}
		*(cpus ? &c->o.cpus : &c->o.nodes) = (unsigned int)v;
	} else if (!strcmp(name, "--mem")) {
		return parse_mem(cmd, val, &c->o.mem);
	} else if (!strcmp(name, "--seed")) {
		if (parse_u64(val, &v, false)) {
			fprintf(stderr, "mmlab %s: --seed '%s': not a number\n",
				cmd, val);
			return 2;
		}
		c->o.seed = v;
	} else if (!strcmp(name, "--timeout")) {
		if (parse_u64(val, &v, false) || v > 86400 * 7) {
			fprintf(stderr, "mmlab %s: --timeout '%s': seconds (0 "
				"for none, at most a week)\n", cmd, val);
			return 2;
		}
		c->o.timeout = (unsigned int)v;
	} else if (!strcmp(name, "--set")) {
		if (!strchr(val, '=') || val[0] != '/' || c->o.nr_sets == 256) {
			fprintf(stderr, "mmlab %s: --set '%s': expected "
				"/path=value%s\n", cmd, val,
				c->o.nr_sets == 256 ? " (at most 256)" : "");
			return 2;
		}
		c->sets[c->o.nr_sets++] = val;
	} else if (!strcmp(name, "--strategy")) {
		if (strcmp(val, "random") && strcmp(val, "pct")) {
			fprintf(stderr, "mmlab %s: --strategy '%s': random or "
				"pct\n", cmd, val);
			return 2;
		}
		c->o.strategy = !strcmp(val, "pct");
	} else if (!strcmp(name, "--depth")) {
		if (parse_u64(val, &v, false) || v < 1 || v > 16) {
			fprintf(stderr, "mmlab %s: --depth '%s': a number from 1 "
				"to 16\n", cmd, val);
			return 2;
		}
		c->o.depth = (unsigned int)v;
	} else if (!strcmp(name, "--max-steps")) {
		if (parse_u64(val, &v, false)) {
			fprintf(stderr, "mmlab %s: --max-steps '%s': not a "
				"number\n", cmd, val);
			return 2;
		}
		c->o.max_steps = v;
	} else if (!strcmp(name, "--repeat")) {
		if (parse_u64(val, &v, false) || v < 1 || v > 10000) {
			fprintf(stderr, "mmlab %s: --repeat '%s': a number from 1 "
				"to 10000\n", cmd, val);
			return 2;
		}
		c->repeat = (unsigned int)v;
	} else if (!strcmp(name, "--results")) {
		c->o.results_path = val;
	} else {
		c->o.obs_path = val;	/* --observations */
	}
	return 0;
}

/* An option without a value: 0, 256 (--help, printed) or -1 (unknown). */
static int parse_flag(struct cli *c, const char *arg)
{
	if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
		c->usage(stdout);
		return 256;
	}
	if (!strcmp(arg, "--stock") && c->is_diff)
		c->stock = true;
	else if ((!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) && c->is_diff)
		c->verbose = true;
	else if (!strcmp(arg, "--json") && strcmp(c->cmd, "explore"))
		c->json = true;
	else if (!strcmp(arg, "--deterministic"))
		c->o.deterministic = true;
	else if (!strcmp(arg, "--unsafe-lua"))
		c->o.unsafe_lua = true;
	else if (!strcmp(arg, "--check"))
		c->o.check = true;
	else if (!strcmp(arg, "--no-check") && c->is_diff)
		c->no_check = true;
	else
		return -1;
	return 0;
}

/* The script's arguments: argv[i..argc-1] after the script.  An argument
 * that starts with '-' is an option placed after the script, refused,
 * unless it follows "--" (which is not passed on).  With dashdash (the
 * script itself came after "--") every argument is the script's. */
static int script_args(struct cli *c, int argc, char **argv, int i,
		       bool dashdash)
{
	c->o.argc = argc - i;
	c->o.argv = argv + i;
	if (dashdash)
		return 0;
	for (int j = i; j < argc; j++) {
		if (!strcmp(argv[j], "--")) {
			/* drop the "--": the script sees what follows */
			memmove(&argv[j], &argv[j + 1], (argc - j) * sizeof(*argv));
			c->o.argc--;
			return 0;
		}
		if (argv[j][0] == '-' && argv[j][1]) {
			fprintf(stderr, "mmlab %s: '%s' after the script %s: "
				"options go before the script; an argument "
				"for the script that starts with '-' goes "
				"after '--' (mmlab %s %s -- %s)\n", c->cmd,
				argv[j], c->o.script, c->cmd, c->o.script,
				argv[j]);
			return 2;
		}
	}
	return 0;
}

const char *cli_option_split(int argc, char **argv, int i, char *name, size_t len, bool *next)
{
	const char *arg = argv[i];
	char *eq;

	snprintf(name, len, "%s", arg);
	eq = strchr(name, '=');
	*next = !eq;
	if (eq) {
		*eq = 0;
		return arg + (eq - name) + 1;
	}
	return i + 1 < argc ? argv[i + 1] : NULL;
}

/* Returns 0, or the exit status to return + 256 for --help, or 2. */
int cli_parse(struct cli *c, int argc, char **argv)
{
	bool dashdash = false;
	int i, ret;

	if (!c->cmd)
		c->cmd = c->is_diff ? "diff" : "run";
	if (!c->usage)
		c->usage = c->is_diff ? diff_usage : run_usage;
	c->o.backend = "model";
	c->o.seed = 1;
	c->o.timeout = 600;
	c->o.sets = c->sets;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		char name[64];
		bool next;

		if (!strcmp(arg, "--")) {
			dashdash = true;
			i++;
			break;
		}
		if (arg[0] != '-' || !arg[1])
			break;
		ret = parse_flag(c, arg);
		if (ret > 0)
			return ret;
		if (!ret)
			continue;
		val = cli_option_split(argc, argv, i, name, sizeof(name), &next);
		ret = parse_value(c, name, val);
		if (ret < 0)
			goto unknown;
		if (ret)
			return ret;
		if (next)
			i++;
	}
	if (i >= argc) {
		fprintf(stderr, "mmlab %s: no script given\n\n", c->cmd);
		c->usage(stderr);
		return 2;
	}
	c->o.script = argv[i];
	return script_args(c, argc, argv, i + 1, dashdash);
unknown:
	fprintf(stderr, "mmlab %s: unknown option '%s' (see 'mmlab %s "
		"--help')\n", c->cmd, argv[i], c->cmd);
	return 2;
}

void cli_run_args(const struct cli *c, uint64_t seed, char **argv, int *argc,
		  int max, struct cli_argbuf *b)
{
	int n = *argc;

#define ARG(s)	do { if (n < max - 1) argv[n++] = (char *)(s); } while (0)
/* an option and its number, printed into the buffer @buf */
#define ARG_NUM(opt, buf, v)	do {						\
		snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)(v));		\
		ARG(opt);							\
		ARG(buf);							\
	} while (0)
	if (c->o.cpus)
		ARG_NUM("--cpus", b->cpus, c->o.cpus);
	if (c->o.mem)
		ARG_NUM("--mem", b->mem, c->o.mem);
	if (c->o.nodes) {
		snprintf(b->nodes, sizeof(b->nodes), "%u", c->o.nodes);
		ARG("--nodes");
		ARG(c->o.nodes_spec ? c->o.nodes_spec : b->nodes);
	}
	ARG_NUM("--seed", b->seed, seed);
	ARG_NUM("--timeout", b->timeout, c->o.timeout);
	if (c->o.deterministic) {
		ARG("--deterministic");
		ARG("--strategy");
		ARG(c->o.strategy ? "pct" : "random");
		ARG_NUM("--depth", b->depth, c->o.depth ? c->o.depth : 3);
		if (c->o.max_steps)
			ARG_NUM("--max-steps", b->steps, c->o.max_steps);
	}
	if (c->o.unsafe_lua)
		ARG("--unsafe-lua");
	if (c->o.check)
		ARG("--check");
	for (int i = 0; i < c->o.nr_sets; i++) {
		ARG("--set");
		ARG(c->o.sets[i]);
	}
	ARG("--");
	ARG(c->o.script);
	for (int i = 0; i < c->o.argc; i++)
		ARG(c->o.argv[i]);
#undef ARG_NUM
#undef ARG
	argv[n] = NULL;
	*argc = n;
}

int cli_parse_u64(const char *s, uint64_t *out, bool size)
{
	return parse_u64(s, out, size);
}

int cli_parse_mem(const char *cmd, const char *val, uint64_t *out)
{
	return parse_mem(cmd, val, out);
}
