/*
 * sweepdb.h - the results database of `mmlab sweep`, `mmlab bench --db` and
 * `mmlab report` (sweepdb.c): SQLite, schema in docs/experiments.md,
 * version in PRAGMA user_version.
 */
#ifndef MMLAB_CLI_SWEEPDB_H
#define MMLAB_CLI_SWEEPDB_H

#include <sqlite3.h>
#include "point.h"

#define SWEEPDB_VERSION	1

/* Open (create: when absent and create is true) a results database.
 * NULL after saying why on stderr: not SQLite, another schema version,
 * cannot be written. */
sqlite3 *sweepdb_open(const char *path, bool create, const char *cmd);
void sweepdb_close(sqlite3 *db);
/* A new row of sweeps for this command line; its id (0 on error). */
int64_t sweepdb_begin(sqlite3 *db, const char *command);
void sweepdb_end(sqlite3 *db, int64_t sweep);
/* Is the point of this key stored with a result (its run ended with a
 * status: 0, 1 or 77)? */
bool sweepdb_done(sqlite3 *db, const char *key);
/* Store one result (replacing an earlier one of its key), in one
 * transaction.  0, or -1 said why. */
int sweepdb_store(sqlite3 *db, int64_t sweep, const struct point_result *r);
/* An exit status that ends a point: stored points of another status run
 * again when the sweep resumes. */
bool sweepdb_final_status(int status);

#endif
