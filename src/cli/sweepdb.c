/*
 * sweepdb.c - the results database: one SQLite file per study, written by
 * one process (the sweep's parent, `mmlab sweep --collect`, `mmlab bench
 * --db`), read by `mmlab report`.  The schema below is the one
 * docs/experiments.md shows (`sqlite3 DB .schema` prints it); its version
 * is PRAGMA user_version, and a database of another version is refused.
 * Each point is stored in one transaction, so an interrupted sweep leaves
 * whole points only, and resuming runs the rest.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta.h"
#include "sweepdb.h"

static const char schema[] =
"CREATE TABLE sweeps(\n"
"  id INTEGER PRIMARY KEY,\n"
"  command TEXT NOT NULL,\n"
"  mmlab_version TEXT NOT NULL,\n"
"  git_commit TEXT NOT NULL,\n"
"  host TEXT NOT NULL,\n"
"  started TEXT NOT NULL,\n"
"  finished TEXT\n"
");\n"
"CREATE TABLE hosts(\n"
"  name TEXT PRIMARY KEY,\n"
"  profile TEXT NOT NULL\n"
");\n"
"CREATE TABLE points(\n"
"  id INTEGER PRIMARY KEY,\n"
"  key TEXT NOT NULL UNIQUE,\n"
"  sweep_id INTEGER REFERENCES sweeps(id),\n"
"  kind TEXT NOT NULL,\n"
"  target TEXT NOT NULL,\n"
"  seed INTEGER NOT NULL,\n"
"  command TEXT NOT NULL,\n"
"  exit_status INTEGER NOT NULL,\n"
"  wall_seconds REAL NOT NULL,\n"
"  sim_seconds REAL,\n"
"  mmlab_version TEXT NOT NULL,\n"
"  git_commit TEXT NOT NULL,\n"
"  host TEXT NOT NULL REFERENCES hosts(name),\n"
"  finished TEXT NOT NULL,\n"
"  output TEXT\n"
");\n"
"CREATE TABLE params(\n"
"  point_id INTEGER NOT NULL REFERENCES points(id) ON DELETE CASCADE,\n"
"  name TEXT NOT NULL,\n"
"  value TEXT NOT NULL,\n"
"  PRIMARY KEY(point_id, name)\n"
");\n"
"CREATE TABLE knobs(\n"
"  point_id INTEGER NOT NULL REFERENCES points(id) ON DELETE CASCADE,\n"
"  path TEXT NOT NULL,\n"
"  value TEXT NOT NULL,\n"
"  PRIMARY KEY(point_id, path)\n"
");\n"
"CREATE TABLE observations(\n"
"  point_id INTEGER NOT NULL REFERENCES points(id) ON DELETE CASCADE,\n"
"  name TEXT NOT NULL,\n"
"  value TEXT NOT NULL,\n"
"  num REAL,\n"
"  PRIMARY KEY(point_id, name)\n"
");\n"
"CREATE TABLE vmstat(\n"
"  point_id INTEGER NOT NULL REFERENCES points(id) ON DELETE CASCADE,\n"
"  name TEXT NOT NULL,\n"
"  delta INTEGER NOT NULL,\n"
"  PRIMARY KEY(point_id, name)\n"
");\n"
"CREATE TABLE bench_records(\n"
"  point_id INTEGER NOT NULL REFERENCES points(id) ON DELETE CASCADE,\n"
"  record INTEGER NOT NULL,\n"
"  field TEXT NOT NULL,\n"
"  value TEXT,\n"
"  num REAL,\n"
"  PRIMARY KEY(point_id, record, field)\n"
");\n";

static int exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	fprintf(stderr, "mmlab: %s: %s\n", sqlite3_db_filename(db, "main"),
		err ? err : sqlite3_errmsg(db));
	sqlite3_free(err);
	return -1;
}

static int user_version(sqlite3 *db, int *v, int *tables)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1,
			       &st, NULL))
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	*tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

sqlite3 *sweepdb_open(const char *path, bool create, const char *cmd)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	int v, tables;

	if (!create && access(path, R_OK)) {
		fprintf(stderr, "mmlab %s: %s: %s\n", cmd, path, strerror(errno));
		return NULL;
	}
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		fprintf(stderr, "mmlab %s: %s: %s\n", cmd, path,
			db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	if (user_version(db, &v, &tables)) {
		fprintf(stderr, "mmlab %s: %s: not an SQLite database (%s)\n",
			cmd, path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	if (v == 0 && tables == 0 && create) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			 SWEEPDB_VERSION);
		if (exec(db, "BEGIN") || exec(db, schema) || exec(db, sql) ||
		    exec(db, "COMMIT")) {
			sqlite3_close(db);
			return NULL;
		}
	} else if (v != SWEEPDB_VERSION) {
		fprintf(stderr, "mmlab %s: %s: not an mmlab results database "
			"of schema version %d (its user_version is %d, with %d "
			"tables)\n", cmd, path, SWEEPDB_VERSION, v, tables);
		sqlite3_close(db);
		return NULL;
	}
	exec(db, "PRAGMA foreign_keys = ON");
	return db;
}

void sweepdb_close(sqlite3 *db)
{
	sqlite3_close(db);
}

/* Prepare sql and bind the strings of args (NULL: SQL NULL). */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, int n,
			  const char *const *args)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "mmlab: %s: %s\n", sql, sqlite3_errmsg(db));
		return NULL;
	}
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
	return st;
}

static int run(sqlite3 *db, sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fprintf(stderr, "mmlab: %s: %s\n", sqlite3_db_filename(db, "main"),
			sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int store_host(sqlite3 *db, const char *name, const char *profile)
{
	const char *a[2] = { name, profile };

	return run(db, prep(db, "INSERT OR REPLACE INTO hosts(name, profile) "
			    "VALUES (?, ?)", 2, a));
}

int64_t sweepdb_begin(sqlite3 *db, const char *command)
{
	char now[32];
	const char *a[5] = { command, meta_version(), meta_commit(),
			     meta_hostname(), meta_now(now) };

	if (store_host(db, meta_hostname(), meta_host_profile_json()) ||
	    run(db, prep(db, "INSERT INTO sweeps(command, mmlab_version, "
			 "git_commit, host, started) VALUES (?, ?, ?, ?, ?)",
			 5, a)))
		return 0;
	return sqlite3_last_insert_rowid(db);
}

void sweepdb_end(sqlite3 *db, int64_t sweep)
{
	char now[32], id[32];
	const char *a[2] = { meta_now(now), id };

	snprintf(id, sizeof(id), "%" PRId64, sweep);
	run(db, prep(db, "UPDATE sweeps SET finished = ? WHERE id = ?", 2, a));
}

bool sweepdb_final_status(int status)
{
	return status == 0 || status == 1 || status == 77;
}

bool sweepdb_done(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = prep(db, "SELECT exit_status FROM points WHERE key = ?",
				1, &key);
	bool done = false;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		done = sweepdb_final_status(sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	return done;
}

enum kv_mode { KV_TEXT, KV_TEXT_NUM, KV_INT };

/* Rows (point_id, name, value[, num]) of one list. */
static int store_kv(sqlite3 *db, const char *sql, int64_t id,
		    const struct kv *l, enum kv_mode mode)
{
	for (int i = 0; i < l->n; i++) {
		const char *a[2] = { l->k[i], l->v[i] };
		sqlite3_stmt *st = prep(db, sql, 0, NULL);
		double d;

		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, a[0], -1, SQLITE_TRANSIENT);
		if (mode == KV_INT)
			sqlite3_bind_int64(st, 3, strtoll(a[1], NULL, 10));
		else
			sqlite3_bind_text(st, 3, a[1], -1, SQLITE_TRANSIENT);
		if (mode == KV_TEXT_NUM && point_num(a[1], &d))
			sqlite3_bind_double(st, 4, d);
		if (run(db, st))
			return -1;
	}
	return 0;
}

/* bench fields are "RECORD.field" */
static int store_bench(sqlite3 *db, int64_t id, const struct kv *l)
{
	for (int i = 0; i < l->n; i++) {
		sqlite3_stmt *st = prep(db, "INSERT INTO bench_records(point_id, "
					"record, field, value, num) VALUES "
					"(?, ?, ?, ?, ?)", 0, NULL);
		const char *dot = strchr(l->k[i], '.');
		double d;

		if (!st || !dot)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, atoi(l->k[i]));
		sqlite3_bind_text(st, 3, dot + 1, -1, SQLITE_TRANSIENT);
		if (strcmp(l->v[i], "null"))
			sqlite3_bind_text(st, 4, l->v[i], -1, SQLITE_TRANSIENT);
		if (point_num(l->v[i], &d))
			sqlite3_bind_double(st, 5, d);
		if (run(db, st))
			return -1;
	}
	return 0;
}

static int64_t store_point(sqlite3 *db, int64_t sweep,
			   const struct point_result *r)
{
	const char *a[2] = { r->key };
	sqlite3_stmt *st;

	if (run(db, prep(db, "DELETE FROM points WHERE key = ?", 1, a)))
		return -1;
	st = prep(db, "INSERT INTO points(key, sweep_id, kind, target, seed, "
		  "command, exit_status, wall_seconds, sim_seconds, "
		  "mmlab_version, git_commit, host, finished, output) VALUES "
		  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 0, NULL);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, r->key, -1, SQLITE_TRANSIENT);
	if (sweep)
		sqlite3_bind_int64(st, 2, sweep);
	sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->target, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->seed);
	sqlite3_bind_text(st, 6, r->command ? r->command : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 7, r->status);
	sqlite3_bind_double(st, 8, r->wall_seconds);
	if (r->sim_cycles >= 0)
		sqlite3_bind_double(st, 9, r->sim_cycles / POINT_SIM_HZ);
	sqlite3_bind_text(st, 10, r->version ? r->version : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 11, r->commit ? r->commit : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, r->host ? r->host : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 13, r->finished ? r->finished : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 14, r->output ? r->output : "", -1, SQLITE_TRANSIENT);
	if (run(db, st))
		return -1;
	return sqlite3_last_insert_rowid(db);
}

int sweepdb_store(sqlite3 *db, int64_t sweep, const struct point_result *r)
{
	int64_t id;

	if (exec(db, "BEGIN IMMEDIATE"))
		return -1;
	if (store_host(db, r->host ? r->host : "",
		       r->host_profile ? r->host_profile : "[]"))
		goto fail;
	id = store_point(db, sweep, r);
	if (id < 0 ||
	    store_kv(db, "INSERT INTO params(point_id, name, value) VALUES "
		     "(?, ?, ?)", id, &r->params, KV_TEXT) ||
	    store_kv(db, "INSERT INTO knobs(point_id, path, value) VALUES "
		     "(?, ?, ?)", id, &r->knobs, KV_TEXT) ||
	    store_kv(db, "INSERT INTO observations(point_id, name, value, num) "
		     "VALUES (?, ?, ?, ?)", id, &r->obs, KV_TEXT_NUM) ||
	    store_kv(db, "INSERT INTO vmstat(point_id, name, delta) VALUES "
		     "(?, ?, ?)", id, &r->vmstat, KV_INT) ||
	    store_bench(db, id, &r->bench))
		goto fail;
	return exec(db, "COMMIT");
fail:
	exec(db, "ROLLBACK");
	return -1;
}
