/*
 * lua.c - `mmlab bench lua`: the Lua scenario API's cost over the C API
 * (mmlab's speed goal).
 *
 * p:touch, p:fill and p:verify of --size bytes (default 1 GiB) through the
 * scenario API on the model backend (a lua_State set up as `mmlab run` sets
 * it up: sc_open_mm over sc_backend_model), beside the same sequence
 * through the C API (mmlab_touch, mmlab_fill, mmlab_verify) on the same
 * machine: a fresh process, an anonymous mapping with MADV_NOHUGEPAGE,
 * touch (write faults), fill, verify, exit.  Rates are pages per second,
 * best of --reps on each side; the sides alternate which goes first in
 * each repetition so that drift of the host hits both alike.  Goal: ratio
 * lua/C >= 0.8.
 *
 * Then the same ops one page per call (touch_4k, fill_4k, verify_4k): a
 * Lua loop of p:touch(a + off, 4096) beside a C loop of mmlab_touch, which
 * shows the per-call cost of the binding (informative, no goal).
 *
 * Everything runs in one child (bench_isolate): the model machine, both
 * sides, and the Lua state.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <lauxlib.h>
#include <lualib.h>

#include <mmlab/mmlab.h>

#include "bench.h"
#include "script/script.h"

#define LUA_GOAL	0.8

enum lua_op { LOP_TOUCH, LOP_FILL, LOP_VERIFY, NR_LUA_OPS };

static const char *const lua_op_names[2][NR_LUA_OPS] = {
	{ "touch", "fill", "verify" },
	{ "touch_4k", "fill_4k", "verify_4k" },
};

/* Crosses the pipe from the child: plain data. */
struct lua_result {
	/* [per_page][op]: best pages per second, NAN when not measured */
	double lua_per_s[2][NR_LUA_OPS];
	double c_per_s[2][NR_LUA_OPS];
	int err;
	char what[200];
};

struct lua_args {
	uint64_t size;
	unsigned int reps;
};

/*
 * The Lua side of one repetition: what a scenario writes.  Arguments: the
 * clock, the size, the seed, the bytes per call.  Returns the seconds of
 * touch, fill and verify.
 */
static const char lua_chunk[] =
	"local now, size, seed, step = ...\n"
	"local p = mm.spawn()\n"
	"local a = p:mmap{len = size}\n"
	"p:madvise(a, size, 'nohugepage')\n"
	"local t0, t1, t2, t3, ok\n"
	"if step == size then\n"
	"	t0 = now()\n"
	"	p:touch(a, size, 'w')\n"
	"	t1 = now()\n"
	"	p:fill(a, size, seed)\n"
	"	t2 = now()\n"
	"	ok = p:verify(a, size, seed)\n"
	"	t3 = now()\n"
	"else\n"
	"	local last = a + size - step\n"
	"	t0 = now()\n"
	"	for x = a, last, step do p:touch(x, step, 'w') end\n"
	"	t1 = now()\n"
	"	for x = a, last, step do p:fill(x, step, seed) end\n"
	"	t2 = now()\n"
	"	ok = true\n"
	"	for x = a, last, step do\n"
	"		ok = p:verify(x, step, seed)\n"
	"		if ok ~= true then break end\n"
	"	end\n"
	"	t3 = now()\n"
	"end\n"
	"p:exit()\n"
	"if ok ~= true then error(('verify: mismatch at 0x%x'):format(ok)) end\n"
	"return t1 - t0, t2 - t1, t3 - t2\n";

static int l_now(lua_State *L)
{
	lua_pushnumber(L, bench_now());
	return 1;
}

static void best(double *slot, double rate)
{
	if (isnan(*slot) || rate > *slot)
		*slot = rate;
}

static int lua_rep(lua_State *L, int chunk, struct lua_result *r,
		   const struct lua_args *a, int per_page, uint64_t seed)
{
	const double npages = a->size / MMLAB_PAGE_SIZE;

	lua_pushvalue(L, chunk);
	lua_pushcfunction(L, l_now);
	lua_pushinteger(L, (lua_Integer)a->size);
	lua_pushinteger(L, (lua_Integer)seed);
	lua_pushinteger(L, per_page ? (lua_Integer)MMLAB_PAGE_SIZE :
			(lua_Integer)a->size);
	if (lua_pcall(L, 4, 3, 0)) {
		r->err = -EIO;
		snprintf(r->what, sizeof(r->what), "lua: %s",
			 lua_tostring(L, -1));
		lua_pop(L, 1);
		return r->err;
	}
	for (int op = 0; op < NR_LUA_OPS; op++)
		best(&r->lua_per_s[per_page][op],
		     npages / lua_tonumber(L, -3 + op));
	lua_pop(L, 3);
	return 0;
}

/* The same sequence through the C API. */
static int c_rep(struct lua_result *r, const struct lua_args *a, int per_page,
		 uint64_t seed)
{
	const uint64_t step = per_page ? MMLAB_PAGE_SIZE : a->size;
	const double npages = a->size / MMLAB_PAGE_SIZE;
	uint64_t addr, end, fa, mismatch = UINT64_MAX;
	struct mmlab_proc *p;
	struct mmlab_task *t;
	double t0, t1, t2, t3;
	const char *what;
	int ret;

	ret = bench_anon_proc(a->size, &p, &addr, &what);
	if (ret)
		return bench_fail(r, ret, what);
	t = mmlab_main_task(p);
	end = addr + a->size;

	t0 = bench_now();
	for (uint64_t x = addr; x < end && !ret; x += step)
		ret = mmlab_touch(t, x, step, true, &fa);
	t1 = bench_now();
	for (uint64_t x = addr; x < end && !ret; x += step)
		ret = mmlab_fill(t, x, step, seed, &fa);
	t2 = bench_now();
	for (uint64_t x = addr; x < end && !ret && mismatch == UINT64_MAX;
	     x += step)
		ret = mmlab_verify(t, x, step, seed, &mismatch, &fa);
	t3 = bench_now();
	if (ret) {
		bench_fail(r, ret < 0 ? ret : -EFAULT, "mmlab_touch/fill/verify");
		goto out;
	}
	if (mismatch != UINT64_MAX) {
		bench_fail(r, -EIO, "mmlab_verify: mismatch");
		ret = -EIO;
		goto out;
	}
	best(&r->c_per_s[per_page][LOP_TOUCH], npages / (t1 - t0));
	best(&r->c_per_s[per_page][LOP_FILL], npages / (t2 - t1));
	best(&r->c_per_s[per_page][LOP_VERIFY], npages / (t3 - t2));
out:
	mmlab_exit(p);
	return ret;
}

static void result_init(struct lua_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int g = 0; g < 2; g++) {
		for (int op = 0; op < NR_LUA_OPS; op++) {
			r->lua_per_s[g][op] = NAN;
			r->c_per_s[g][op] = NAN;
		}
	}
}

static void lua_side(void *arg, void *out)
{
	const struct lua_args *a = arg;
	struct lua_result *r = out;
	/* As `mmlab run --mem` would: room for one range and its tables. */
	struct sc_options o = {
		.backend = "model",
		.mem = (a->size + a->size / 2 + BENCH_GIB - 1) / BENCH_GIB *
		       BENCH_GIB,
		.script = "(mmlab bench lua)",
	};
	struct mmlab_config cfg;
	lua_State *L;
	int chunk;

	result_init(r);
	mmlab_config_default(&cfg);
	if (o.mem < cfg.node_bytes[0])
		o.mem = cfg.node_bytes[0];
	sc_be = &sc_backend_model;
	if (sc_be->start(&o)) {
		bench_fail(r, -ENOMEM, "model backend start");
		return;
	}
	L = luaL_newstate();
	if (!L) {
		bench_fail(r, -ENOMEM, "luaL_newstate");
		sc_be->finish();
		return;
	}
	sc_open_libs(L, false);
	sc_open_mm(L, &o);
	if (luaL_loadbuffer(L, lua_chunk, sizeof(lua_chunk) - 1, "bench_lua")) {
		r->err = -EINVAL;
		snprintf(r->what, sizeof(r->what), "lua: %s",
			 lua_tostring(L, -1));
		goto out;
	}
	chunk = lua_gettop(L);
	for (int per_page = 0; per_page < 2; per_page++) {
		for (unsigned int rep = 0; rep < a->reps; rep++) {
			uint64_t seed = rep + 1;
			int ret;

			/* Alternate who goes first. */
			if (rep & 1)
				ret = c_rep(r, a, per_page, seed) ?:
				      lua_rep(L, chunk, r, a, per_page, seed);
			else
				ret = lua_rep(L, chunk, r, a, per_page, seed) ?:
				      c_rep(r, a, per_page, seed);
			if (ret)
				goto out;
		}
	}
out:
	lua_close(L);
	sc_be->finish();
}

int bench_lua(struct bench_ctx *ctx)
{
	struct lua_args a = { .size = ctx->opts.size, .reps = ctx->opts.reps };
	struct lua_result res;
	char err[128];
	int ret = 0;

	a.size &= ~(MMLAB_PAGE_SIZE - 1);
	if (!a.size)
		a.size = MMLAB_PAGE_SIZE;
	result_init(&res);
	/* Both sides are the model's: nothing to do on the host. */
	if (!ctx->opts.host_only) {
		unsigned int timeout = 600 * (unsigned int)(a.size / BENCH_GIB + 1);

		bench_progress(ctx, "lua: %u x %llu MiB, Lua and C", a.reps,
			       (unsigned long long)(a.size >> 20));
		if (bench_isolate(lua_side, &a, &res, sizeof(res), timeout,
				  err, sizeof(err))) {
			result_init(&res);
			res.err = -EIO;
			snprintf(res.what, sizeof(res.what), "model %s", err);
		}
		if (res.err) {
			fprintf(stderr, "mmlab bench lua: %s\n", res.what);
			ret = 1;
		}
	}

	for (int g = 0; g < 2; g++) {
		for (int op = 0; op < NR_LUA_OPS; op++) {
			struct bench_rec *r = bench_rec_new(ctx);
			double ratio = res.lua_per_s[g][op] / res.c_per_s[g][op];

			bench_rec_str(r, "op", lua_op_names[g][op]);
			bench_rec_rate(r, "lua_per_s", res.lua_per_s[g][op]);
			bench_rec_rate(r, "c_per_s", res.c_per_s[g][op]);
			bench_rec_num(r, "ratio", ratio);
			if (g) {
				bench_rec_null(r, "goal");
				bench_rec_str(r, "verdict", "n/a");
			} else {
				bench_rec_num(r, "goal", LUA_GOAL);
				bench_rec_str(r, "verdict", isnan(ratio) ? "n/a" :
					      ratio >= LUA_GOAL ? "pass" : "miss");
			}
			bench_emit(ctx, r);
		}
	}
	return ret;
}
