/*
 * point.h - one point of an experiment: a scenario or a benchmark run once
 * with a given machine (CPUs, memory), knobs and seed, as a child `mmlab`
 * process, and what it produced.  `mmlab sweep` runs many (sweep.c), `mmlab
 * run --json / --repeat` one or a few (single.c); sweepdb.c stores them.
 *
 * A result also travels as a file (point.c: point_save / point_load): the
 * Slurm tasks of a sweep write one each, `mmlab sweep --collect` reads them.
 */
#ifndef MMLAB_CLI_POINT_H
#define MMLAB_CLI_POINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define POINT_MAX_SETS	64
#define POINT_MAX_ARGS	32

/* What to run: a scenario with its arguments, or a benchmark with its
 * options; the machine and knobs; the seed.  Strings are not owned. */
struct point {
	bool bench;			/* target is a benchmark name */
	bool replay;			/* target is a recorded trace (mmlab replay) */
	const char *target;		/* script path, benchmark name or trace */
	const char *args[POINT_MAX_ARGS];	/* script args / bench options */
	int nr_args;
	unsigned int cpus;		/* 0: the default */
	uint64_t mem;			/* bytes, 0: the default */
	uint64_t seed;
	const char *sets[POINT_MAX_SETS];	/* "path=value" */
	int nr_sets;
	bool deterministic;
	unsigned int timeout;		/* seconds, 0: none */
	const char *backend;		/* NULL: the model */
	bool unsafe_lua;
};

/* name, value pairs in the order seen */
struct kv {
	char **k, **v;
	int n, cap;
};
void kv_add(struct kv *l, const char *k, const char *v);
const char *kv_get(const struct kv *l, const char *k);
void kv_free(struct kv *l);

struct point_result {
	char *key;		/* point_key() */
	char *kind;		/* "scenario" or "bench" */
	char *target;		/* the script or the benchmark */
	char *command;		/* the child's command line */
	int status;		/* exit status; 128 + signal when killed */
	double wall_seconds;
	int64_t sim_cycles;	/* -1: not measured (benchmarks) */
	struct kv params;	/* the point's parameters (cpus, mem, knobs) */
	struct kv obs;		/* observations, repeats as name#2, ... */
	struct kv vmstat;	/* counter deltas, as decimal strings */
	struct kv knobs;	/* every model knob not at its default */
	struct kv bench;	/* benchmark records: key "REC.field" */
	char *output;		/* the child's stdout, its first 64 KiB */
	char *version, *commit;	/* of the mmlab that ran it */
	char *host;		/* hostname */
	char *host_profile;	/* `mmlab host --json` lines as a JSON array */
	uint64_t seed;
	char *finished;		/* UTC, ISO 8601 */
};

/* The nominal clock of the cost model: sim_seconds = cycles / this. */
#define POINT_SIM_HZ	3e9

/* A string naming the point exactly: what resume looks up. */
char *point_key(const struct point *p);
/* The point's parameters as (name, value): "cpus", "mem", each knob by
 * path, "seed". */
void point_params(const struct point *p, struct kv *out);
/* Run p as a child of this executable; stdout of the child is kept in
 * r->output (and copied to echo when not NULL).  Returns 0, or -1 when
 * the child could not be started (said why). */
int point_run(const struct point *p, struct point_result *r, FILE *echo);
void point_result_free(struct point_result *r);

/* The result file of a Slurm task: write / read (0, or -1 said why). */
int point_save(const struct point_result *r, const char *path);
int point_load(struct point_result *r, const char *path);

/* The one JSON object of `mmlab run --json`. */
void point_json(FILE *f, const struct point_result *r);

/* Undo the escapes (\n, \t, \\) of an observations file line, in place. */
char *tsv_unescape(char *s);

/* A value as a number: true for integers, reals, true and false. */
bool point_num(const char *s, double *out);

#endif
