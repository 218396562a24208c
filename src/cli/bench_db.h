/*
 * bench_db.h - `mmlab bench --db FILE` (bench_db.c).
 */
#ifndef MMLAB_CLI_BENCH_DB_H
#define MMLAB_CLI_BENCH_DB_H

#include <stddef.h>
#include "sweepdb.h"

struct bench_ctx;

/* Store the run's records as one point, its target the benchmarks run
 * (names; "all" when nr is 0); 0, or -1 said why. */
int bench_db_store(sqlite3 *db, const struct bench_ctx *ctx,
		   const char *const *names, size_t nr, int argc, char **argv,
		   int status, double wall);

#endif
