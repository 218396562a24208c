/*
 * bench.c - `mmlab bench`: parse the command line and hand over to the
 * benchmark harness (src/bench/).  The benchmarks themselves, their registry
 * and the seed-claims table live there; this file only knows options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "bench_db.h"
#include "bench/bench.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: mmlab bench [NAME...] [--json] [--size SIZE] [--reps N]\n"
"                   [--host-only | --model-only] [--list] [--db FILE]\n"
"\n"
"Run benchmarks: the model beside the host kernel, same sizes, same run.\n"
"With no NAME, every benchmark runs, and the text output ends with what the\n"
"seed threads claim per mechanism beside what mmlab measured (make run).\n"
"\n"
"options:\n"
"  --json         one JSON object per line, each with \"bench\": NAME\n"
"  --size SIZE    memory each benchmark works on: bytes or with K, M, G\n"
"                 (binary) suffix, a multiple of 4K (default 1G)\n"
"  --reps N       repetitions per side; the best is reported (default %d)\n"
"  --host-only    measure only the host kernel\n"
"  --model-only   measure only the model\n"
"  --list         list the benchmarks and exit\n"
"  --db FILE      also store the records in FILE, an SQLite results\n"
"                 database (docs/experiments.md), as one point\n"
"  -h, --help     this help\n"
"\n"
"benchmarks:\n", BENCH_DEFAULT_REPS);
	for (const struct bench_desc *d = bench_registry; d->name; d++)
		fprintf(f, "  %-10s %s\n", d->name, d->desc);
	fprintf(f,
"\n"
"core reports, per op (anon_fault, dontneed, munmap, pagemap, fork),\n"
"model_per_s, host_per_s, ratio = model/host and the goal; then\n"
"host_rss_per_sim_gib and metadata_bytes_per_frame.  tlb reports, per case\n"
"(munmap_touched, mprotect_ro_rw_touched, munmap_untouched), the shootdown\n"
"IPIs a running peer CPU receives: host (/proc/interrupts TLB line, the\n"
"most frequent count over trials) and model (vmstat\n"
"nr_tlb_remote_flush_received, minimum over --reps trials).\n"
"\n"
"exit status: 0 done, 1 a benchmark failed, 2 bad usage.\n");
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "mmlab bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(mmlab bench --help for usage)\n");
	return 2;
}

/* The value of option argv[*i] given as "--opt VALUE" or "--opt=VALUE". */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static uint64_t host_ram(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	return pages > 0 && psz > 0 ? (uint64_t)pages * psz : UINT64_MAX;
}

static bool is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);

	return !strncmp(arg, opt, n) && (arg[n] == 0 || arg[n] == '=');
}

int cmd_bench(int argc, char **argv)
{
	struct bench_ctx ctx = {
		.opts = {
			.size = BENCH_DEFAULT_SIZE,
			.reps = BENCH_DEFAULT_REPS,
		},
		.out = stdout,
	};
	const char **names, *db_path = NULL;
	struct timespec t0, t1;
	sqlite3 *db = NULL;
	size_t nr = 0;
	int ret;

	names = calloc(argc > 0 ? argc : 1, sizeof(*names));
	if (!names) {
		fprintf(stderr, "mmlab bench: out of memory\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(names);
			return 0;
		} else if (!strcmp(a, "--list")) {
			for (const struct bench_desc *d = bench_registry; d->name; d++)
				printf("%-10s %s\n", d->name, d->desc);
			free(names);
			return 0;
		} else if (!strcmp(a, "--json")) {
			ctx.opts.json = true;
		} else if (!strcmp(a, "--host-only")) {
			ctx.opts.host_only = true;
		} else if (!strcmp(a, "--model-only")) {
			ctx.opts.model_only = true;
		} else if (is_opt(a, "--db")) {
			db_path = opt_value(argc, argv, &i, "--db");
			if (!db_path) {
				free(names);
				return bad("--db needs a value%s", "");
			}
		} else if (is_opt(a, "--size")) {
			v = opt_value(argc, argv, &i, "--size");
			if (!v)
				ret = bad("--size needs a value%s", "");
			else if (bench_parse_size(v, &ctx.opts.size) ||
				 !ctx.opts.size || ctx.opts.size % 4096)
				ret = bad("bad --size '%s': want a multiple of 4K, "
					  "e.g. 4096, 256M, 1G", v);
			else if (ctx.opts.size > host_ram() / 2)
				ret = bad("--size '%s' is more than half of this host's "
					  "memory (each side touches all of it)", v);
			else
				continue;
			free(names);
			return ret;
		} else if (is_opt(a, "--reps")) {
			char *end;
			long n;

			v = opt_value(argc, argv, &i, "--reps");
			if (!v) {
				free(names);
				return bad("--reps needs a value%s", "");
			}
			errno = 0;
			n = strtol(v, &end, 10);
			if (errno || *end || end == v || n < 1 || n > 1000) {
				free(names);
				return bad("bad --reps '%s': want 1..1000", v);
			}
			ctx.opts.reps = n;
		} else if (a[0] == '-') {
			free(names);
			return bad("unknown option '%s'", a);
		} else if (!bench_lookup(a)) {
			fprintf(stderr, "mmlab bench: unknown benchmark '%s'; "
				"known:", a);
			for (const struct bench_desc *d = bench_registry; d->name; d++)
				fprintf(stderr, " %s", d->name);
			fprintf(stderr, "\n");
			free(names);
			return 2;
		} else {
			bool dup = false;

			for (size_t j = 0; j < nr; j++)
				dup |= !strcmp(names[j], a);
			if (!dup)
				names[nr++] = a;
		}
	}
	if (ctx.opts.host_only && ctx.opts.model_only) {
		free(names);
		return bad("--host-only and --model-only exclude each other%s", "");
	}

	/* a database that cannot take the records fails before the run */
	if (db_path && !(db = sweepdb_open(db_path, true, "bench"))) {
		free(names);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = bench_run(&ctx, names, nr);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (db) {
		if (bench_db_store(db, &ctx, names, nr, argc, argv, ret,
				   (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9))
			ret = 2;
		sweepdb_close(db);
	}
	bench_ctx_free(&ctx);
	free(names);
	return ret;
}
