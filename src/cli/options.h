/*
 * options.h - the options of `mmlab run`, shared with `mmlab diff` and
 * `mmlab explore` (options.c).
 */
#ifndef MMLAB_CLI_OPTIONS_H
#define MMLAB_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include "script/script.h"

struct cli {
	struct sc_options o;
	const char *sets[256];
	bool verbose;
	bool is_diff;
	bool stock;		/* diff --stock */
	bool no_check;		/* diff --no-check */
	bool json;		/* --json: one object (single.c) */
	unsigned int repeat;	/* run --repeat N: N seeds (single.c) */
	const char *cmd;	/* "run", "diff", "explore" */
	void (*usage)(FILE *f);	/* its --help */
};

/* Returns 0, or the exit status to return + 256 for --help, or 2. */
int cli_parse(struct cli *c, int argc, char **argv);
void run_usage(FILE *f);
void diff_usage(FILE *f);

/* single.c: `mmlab run --json` and `--repeat N` */
int single_run(struct cli *c, int argc, char **argv);
/* `mmlab diff --json`: begin sends the text output to /dev/null (0, or -1
 * said why); end prints the one object instead. */
int diff_json_begin(void);
void diff_json_end(const struct cli *c, int argc, char **argv,
		   const int status[2], char **mname, char **mval, int mn,
		   char **lname, char **lval, int ln, int exit_status);

/* Storage for the numbers cli_run_args() prints. */
struct cli_argbuf {
	char cpus[16], nodes[16], mem[32], seed[32], timeout[16], depth[16], steps[32];
};
/* Append to argv (at *argc, below max) the options of c that a child
 * `mmlab run` takes, with seed as its --seed; then "--", the script and
 * its arguments.  Sets argv[*argc] = NULL. */
void cli_run_args(const struct cli *c, uint64_t seed, char **argv, int *argc,
		  int max, struct cli_argbuf *b);

/* The option at argv[i], "--name=value" or "--name value": its name into
 * @name (@len bytes) and its value, or NULL for none; *next says whether
 * the value is the next argument (the caller steps over it). */
const char *cli_option_split(int argc, char **argv, int i, char *name, size_t len, bool *next);

/* A number (size: with K, M or G): 0 or -1.  --mem's value (from 4M to the
 * host's MemTotal): 0, or 2 after saying what is wrong. */
int cli_parse_u64(const char *s, uint64_t *out, bool size);
int cli_parse_mem(const char *cmd, const char *val, uint64_t *out);

#endif
