/*
 * bench_db.c - `mmlab bench --db FILE`: the records of a benchmark run
 * stored in the results database of sweeps (sweepdb.c), as one point of
 * kind "bench" whose key names the run's time, so each run adds a point.
 * Single-threaded: called once the benchmarks are done.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench_db.h"
#include "meta.h"
#include "point.h"

static void field_text(const struct bench_field *f, char *buf, size_t len)
{
	switch (f->type) {
	case BF_STR:
		snprintf(buf, len, "%s", f->s ? f->s : "");
		break;
	case BF_INT:
		snprintf(buf, len, "%" PRId64, f->i);
		break;
	case BF_NUM:
	case BF_RATE:
		snprintf(buf, len, "%.17g", f->d);
		break;
	default:
		snprintf(buf, len, "null");
	}
}

int bench_db_store(sqlite3 *db, const struct bench_ctx *ctx,
		   const char *const *names, size_t nr, int argc, char **argv,
		   int status, double wall)
{
	struct point_result r = { 0 };
	char when[32], key[256], buf[4096];
	int64_t sweep;
	int ret;

	r.command = meta_command(argc + 1, argv - 1);
	snprintf(key, sizeof(key), "bench run %s on %s pid %d", meta_now(when),
		 meta_hostname(), (int)getpid());
	r.key = strdup(key);
	r.kind = strdup("bench");
	r.target = meta_command(nr ? (int)nr : 1, nr ? (char *const *)names :
				(char *const[]){ "all" });
	r.status = status;
	r.wall_seconds = wall;
	r.sim_cycles = -1;
	r.version = strdup(meta_version());
	r.commit = strdup(meta_commit());
	r.host = strdup(meta_hostname());
	r.host_profile = strdup(meta_host_profile_json());
	r.finished = strdup(when);
	snprintf(buf, sizeof(buf), "%" PRIu64, ctx->opts.size);
	kv_add(&r.params, "size", buf);
	snprintf(buf, sizeof(buf), "%u", ctx->opts.reps);
	kv_add(&r.params, "reps", buf);
	for (size_t i = 0; i < ctx->nr_recs; i++) {
		snprintf(buf, sizeof(buf), "%zu.bench", i);
		kv_add(&r.bench, buf, ctx->recs[i]->bench);
		for (unsigned int k = 0; k < ctx->recs[i]->nr; k++) {
			const struct bench_field *f = &ctx->recs[i]->f[k];
			char name[300];

			snprintf(name, sizeof(name), "%zu.%s", i, f->key);
			field_text(f, buf, sizeof(buf));
			kv_add(&r.bench, name, buf);
		}
	}
	sweep = sweepdb_begin(db, r.command);
	ret = sweep ? sweepdb_store(db, sweep, &r) : -1;
	if (sweep)
		sweepdb_end(db, sweep);
	point_result_free(&r);
	return ret;
}
