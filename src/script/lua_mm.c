/*
 * lua_mm.c - the `mm` module of the scenario API: globals and system-wide
 * calls (mm.set/get, mm.swapon, mm.vmstat, mm.khugepaged_scan, mm.spawn,
 * mm.observe, mm.expect*), plus the helpers every binding file uses to
 * turn backend results into Lua errors.
 *
 * Two kinds of error:
 *  - what the kernel refuses is a catchable Lua error whose message starts
 *    with the errno name ("EINVAL: munmap(0x10000, 4096)"); an access that
 *    would kill a real process is "file:line: SIGSEGV at 0x... (touch)";
 *  - what is the script's mistake or beyond the backend (unknown method,
 *    advice, flag, knob path, unsupported operation) ends the run at once
 *    with "file:line: message" and exit status 2 (sc_fatal), so that a
 *    pcall cannot hide it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lualib.h>

#include <mmlab/mmlab.h>

#include "script.h"
#include "host_profile.h"

const char *const sc_op_names[SC_NR_OPS] = {
	[SC_OP_TOUCH] = "touch",
	[SC_OP_FILL] = "fill",
	[SC_OP_VERIFY] = "verify",
	[SC_OP_READ] = "read",
	[SC_OP_WRITE] = "write",
	[SC_OP_MADVISE] = "madvise",
	[SC_OP_MUNMAP] = "munmap",
	[SC_OP_MPROTECT] = "mprotect",
};

const char *sc_errno_name(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "EUNKNOWN";
}

int sc_raise(lua_State *L, int ret, uint64_t fault_addr, const char *what)
{
	if (ret == -ENOSYS)
		sc_fatal(L, "%s: not supported by the %s backend", what,
			 sc_be->name);
	if (ret == SC_EBACKEND)
		sc_fatal(L, "%s failed on the %s backend (see above)", what,
			 sc_be->name);
	if (ret < 0) {
		lua_pushfstring(L, "%s: %s", sc_errno_name(-ret), what);
		return lua_error(L);
	}
	if (ret == SC_SIGSEGV || ret == SC_SIGBUS) {
		char hex[24];

		snprintf(hex, sizeof(hex), "0x%" PRIx64, fault_addr);
		return luaL_error(L, "%s at %s (%s)",
				  ret == SC_SIGSEGV ? "SIGSEGV" : "SIGBUS",
				  hex, what);
	}
	return luaL_error(L, "%s: unexpected result %d", what, ret);
}

void sc_check(lua_State *L, int ret, const char *what)
{
	if (ret != 0)
		sc_raise(L, ret, 0, what);
}

int sc_parse_prot(lua_State *L, const char *s)
{
	int prot = 0;

	if (!strcmp(s, "none"))
		return PROT_NONE;
	if (!*s)
		sc_fatal(L, "empty prot (use \"none\", or letters r, w, x)");
	for (const char *c = s; *c; c++) {
		switch (*c) {
		case 'r': prot |= PROT_READ; break;
		case 'w': prot |= PROT_WRITE; break;
		case 'x': prot |= PROT_EXEC; break;
		case '-': break;
		default:
			sc_fatal(L, "unknown prot '%s' (use \"none\", or letters "
				 "r, w, x)", s);
		}
	}
	return prot;
}

static const struct {
	const char *name;
	int advice;
	bool model_only;
} advices[] = {
	{ "normal", MADV_NORMAL },
	{ "random", MADV_RANDOM },
	{ "sequential", MADV_SEQUENTIAL },
	{ "willneed", MADV_WILLNEED },
	{ "dontneed", MADV_DONTNEED },
	{ "free", 8 /* MADV_FREE */ },
	{ "remove", 9 /* MADV_REMOVE */ },
	{ "dontfork", 10 },
	{ "dofork", 11 },
	{ "mergeable", 12 },
	{ "unmergeable", 13 },
	{ "hugepage", 14 /* MADV_HUGEPAGE */ },
	{ "nohugepage", 15 /* MADV_NOHUGEPAGE */ },
	{ "dontdump", 16 },
	{ "dodump", 17 },
	{ "wipeonfork", 18 },
	{ "keeponfork", 19 },
	{ "cold", 20 /* MADV_COLD */ },
	{ "pageout", 21 /* MADV_PAGEOUT */ },
	{ "populate_read", 22 },
	{ "populate_write", 23 },
	{ "dontneed_locked", 24 },
	{ "collapse", 25 /* MADV_COLLAPSE */ },
	{ "guard_install", 102 },
	{ "guard_remove", 103 },
	{ "pt_reclaim", SC_MADV_PT_RECLAIM, true },
};

int sc_parse_advice(lua_State *L, const char *s)
{
	for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]); i++) {
		if (strcmp(s, advices[i].name))
			continue;
		if (advices[i].model_only && strcmp(sc_be->name, "model"))
			sc_fatal(L, "madvise advice '%s' exists only in the "
				 "model, not on the %s backend", s, sc_be->name);
		return advices[i].advice;
	}
	sc_fatal(L, "unknown madvise advice '%s'", s);
}

/* mm.set(path, value) */
static void knob_error(lua_State *L, int ret, const char *call,
		       const char *path, const char *value)
{
	char hint[600];

	sc_knob_hint(path, ret, hint, sizeof(hint));
	switch (ret) {
	case -ENOENT:
		sc_fatal(L, "%s: unknown knob path '%s' on the %s backend%s",
			 call, path, sc_be->name, hint);
	case -EOPNOTSUPP:
		if (!strcmp(sc_be->name, "model") && value)
			sc_fatal(L, "%s('%s', '%s'): the model does not model this "
				 "value (EOPNOTSUPP)", call, path, value);
		sc_fatal(L, "%s: '%s' exists only in the model; it cannot be "
			 "set on the %s backend", call, path, sc_be->name);
	case -EACCES:
		/* a write-only file (drop_caches): an errno a script may catch */
		if (!value)
			break;
		/* fall through */
	case -EPERM:
		/* The model, or root on linux: the file is read-only. */
		if (!strcmp(sc_be->name, "model") || !geteuid())
			sc_fatal(L, "%s('%s'): read-only", call, path);
		sc_fatal(L, "%s('%s'): permission denied (the %s backend needs "
			 "root for this)", call, path, sc_be->name);
	case -ENOSYS:
		sc_fatal(L, "%s: not supported by the %s backend", call,
			 sc_be->name);
	}
	if (value)
		lua_pushfstring(L, "%s: %s('%s', '%s')%s", sc_errno_name(-ret),
				call, path, value, hint);
	else
		lua_pushfstring(L, "%s: %s('%s')%s", sc_errno_name(-ret), call,
				path, hint);
	lua_error(L);
}

static int l_set(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	const char *value;
	int ret;

	if (lua_type(L, 2) != LUA_TSTRING && lua_type(L, 2) != LUA_TNUMBER)
		sc_fatal(L, "mm.set('%s', ...): value must be a string or a "
			 "number", path);
	value = lua_tostring(L, 2);
	ret = sc_be->knob_set(path, value);
	if (ret)
		knob_error(L, ret, "mm.set", path, value);
	return 0;
}

static int l_get(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	char buf[4096];
	int ret;

	ret = sc_be->knob_get(path, buf, sizeof(buf));
	if (ret < 0)
		knob_error(L, ret, "mm.get", path, NULL);
	lua_pushstring(L, buf);
	return 1;
}

static uint64_t check_u64(lua_State *L, int idx, const char *what)
{
	if (!lua_isinteger(L, idx)) {
		int isnum;
		lua_Number n = lua_tonumberx(L, idx, &isnum);

		if (!isnum || n != (lua_Number)(lua_Integer)n)
			sc_fatal(L, "%s: expected an integer, got %s", what,
				 luaL_typename(L, idx));
	}
	return (uint64_t)lua_tointeger(L, idx);
}

static int l_swapon(lua_State *L)
{
	uint64_t bytes = check_u64(L, 1, "mm.swapon(bytes)");
	int ret = sc_be->swapon(bytes);

	/* On the model, EPERM is the kernel's "too many swap areas". */
	if ((ret == -EPERM || ret == -EACCES) && strcmp(sc_be->name, "model"))
		sc_fatal(L, "mm.swapon: permission denied (the %s backend "
			 "needs root for swap)", sc_be->name);
	sc_check(L, ret, "mm.swapon");
	return 0;
}

static void vmstat_cb(void *ctx, const char *name, uint64_t val)
{
	lua_State *L = ctx;

	lua_pushinteger(L, (lua_Integer)val);
	lua_setfield(L, -2, name);
}

/* Reading a counter the backend does not have: the nr_tlb_* counters on
 * a kernel without them skip the run (it cannot be compared: the reason
 * is the host profile's); any other name is the script's mistake. */
static int l_vmstat_index(lua_State *L)
{
	const char *name = lua_tostring(L, 2);
	const char *why = NULL, *near;

	if (!name)
		sc_fatal(L, "mm.vmstat(): counters are named by strings");
	if (!strncmp(name, "nr_tlb_", 7) && strcmp(sc_be->name, "model") &&
	    host_has(host_profile(), "tlb_counters", &why) != 1)
		sc_skip(L, "the %s backend has no vmstat counter %s (%s); state "
			"mm.require(\"tlb_counters\")", sc_be->name, name, why);
	near = sc_suggest(name, mmlab_vmstat_name);
	if (near)
		sc_fatal(L, "mm.vmstat(): no counter '%s' on the %s backend (did "
			 "you mean '%s'?)", name, sc_be->name, near);
	sc_fatal(L, "mm.vmstat(): no counter '%s' on the %s backend (`mmlab "
		 "vmstat` lists them)", name, sc_be->name);
}

static int l_vmstat(lua_State *L)
{
	lua_newtable(L);
	sc_check(L, sc_be->vmstat(vmstat_cb, L), "mm.vmstat");
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, l_vmstat_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	return 1;
}

static int l_khugepaged_scan(lua_State *L)
{
	uint64_t n = lua_isnoneornil(L, 1) ? 1 :
		check_u64(L, 1, "mm.khugepaged_scan(n)");
	int ret;

	if (n > 1000)
		sc_fatal(L, "mm.khugepaged_scan(%" PRIu64 "): at most 1000 "
			 "scans", n);
	ret = sc_be->khugepaged_scan((unsigned int)n);
	if (ret < 0)
		sc_raise(L, ret, 0, "mm.khugepaged_scan");
	lua_pushinteger(L, ret);
	return 1;
}

static int l_spawn(lua_State *L)
{
	struct sc_proc *p;

	sc_check(L, sc_be->spawn(&p), "mm.spawn");
	sc_push_proc(L, p);
	return 1;
}

static int caller_line(lua_State *L)
{
	lua_Debug ar;

	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0)
			return ar.currentline;
	}
	return 0;
}

/* How an observed value is printed and compared: the same on both backends. */
static const char *format_value(lua_State *L, int idx, char *buf, size_t len)
{
	switch (lua_type(L, idx)) {
	case LUA_TBOOLEAN:
		return lua_toboolean(L, idx) ? "true" : "false";
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			snprintf(buf, len, "%lld",
				 (long long)lua_tointeger(L, idx));
		else
			snprintf(buf, len, "%.14g", lua_tonumber(L, idx));
		return buf;
	case LUA_TSTRING:
		return lua_tostring(L, idx);
	case LUA_TNIL:
		return "nil";
	}
	sc_fatal(L, "mm.observe: value must be a number, string, boolean or "
		 "nil, not %s", luaL_typename(L, idx));
}

static int l_observe(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	char buf[64];
	const char *v;

	if (!*name || strpbrk(name, "\t\n"))
		sc_fatal(L, "mm.observe: bad observation name '%s'", name);
	luaL_checkany(L, 2);
	v = format_value(L, 2, buf, sizeof(buf));
	printf("%s = %s\n", name, v);
	sc_record_observation(name, v, caller_line(L));
	return 0;
}


/* Where a failed expectation stands in a deterministic schedule (a replay
 * fails at the same step). */
static const char *sched_where(void)
{
	static char buf[48];
	struct mmlab_sched_stats st;

	if (!mmlab_deterministic() || mmlab_sched_stats(&st))
		return "";
	snprintf(buf, sizeof(buf), " at schedule step %" PRIu64, st.steps);
	return buf;
}

static int l_expect(lua_State *L)
{
	bool ok = lua_toboolean(L, 1);
	const char *msg = luaL_optstring(L, 2, "expectation");

	sc_expect_checked();
	if (!ok) {
		printf("FAIL line %d: %s%s\n", caller_line(L), msg, sched_where());
		sc_expect_failed();
	}
	lua_pushboolean(L, ok);
	return 1;
}

static int l_expect_eq(lua_State *L)
{
	bool ok;
	const char *msg = luaL_optstring(L, 3, "values differ");

	luaL_checkany(L, 1);
	luaL_checkany(L, 2);
	sc_expect_checked();
	ok = lua_compare(L, 1, 2, LUA_OPEQ);
	if (!ok) {
		const char *a = luaL_tolstring(L, 1, NULL);
		const char *b = luaL_tolstring(L, 2, NULL);

		printf("FAIL line %d: %s (got %s, want %s)%s\n", caller_line(L),
		       msg, a, b, sched_where());
		sc_expect_failed();
	}
	lua_pushboolean(L, ok);
	return 1;
}

/* mm.check(name, got, want [, msg]): mm.observe(name, got) and
 * mm.expect_eq(got, want, msg or name) in one call. */
static int l_check(lua_State *L)
{
	luaL_checkstring(L, 1);
	luaL_checkany(L, 2);
	luaL_checkany(L, 3);
	lua_settop(L, 4);
	lua_pushcfunction(L, l_observe);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_call(L, 2, 0);
	if (lua_isnil(L, 4)) {
		lua_pushvalue(L, 1);
		lua_replace(L, 4);
	}
	lua_remove(L, 1);	/* got, want, msg */
	return l_expect_eq(L);
}

/* mm.errno(f, ...): call f(...) and return "ok" when it returns, else the
 * errno name its error starts with ("EPERM"), else the whole message. */
static int l_errno(lua_State *L)
{
	const char *msg, *e;
	size_t n = 0;

	luaL_checktype(L, 1, LUA_TFUNCTION);
	if (lua_pcall(L, lua_gettop(L) - 1, 0, 0) == LUA_OK) {
		lua_pushliteral(L, "ok");
		return 1;
	}
	msg = luaL_tolstring(L, -1, NULL);
	for (e = msg; *e; e++)
		if (e[0] == 'E' && e[1] >= 'A' && e[1] <= 'Z' && (e == msg || e[-1] == ' '))
			break;
	while (e[n] >= 'A' && e[n] <= 'Z')
		n++;
	if (*e)
		lua_pushlstring(L, e, n);
	else
		lua_pushstring(L, msg);
	return 1;
}

/* Does the model, as its knobs stand, have requirement req?  The model
 * has every mechanism a requirement names; a knob can take some away, as a
 * host's kernel does.  What a host can or cannot show (flush IPIs, exact
 * accessed bits, swap, ...) the model always can; in `mmlab diff` it
 * answers as the host does (MMLAB_MODEL_AS_HOST), so that a scenario
 * branching on mm.has observes the same things on both sides. */
static int model_has(const char *req, const char **why)
{
	static char reason[160];
	char v[64];
	const char *as_host = getenv("MMLAB_MODEL_AS_HOST");

	if (!strcmp(req, "numa")) {	/* the model's own nodes (--nodes) */
		*why = "numa: one node (mmlab run --nodes N gives more)";
		return mmlab_nr_nodes() > 1;
	}
	if (strcmp(req, "zero_page") && strcmp(req, "huge_zero_page") &&
	    strcmp(req, "soft_dirty") && strcmp(req, "pt_reclaim")) {
		if (as_host && *as_host == '1' &&
		    host_has(host_profile(), req, why) != 1)
			return 0;
		return 1;
	}

	if (!strcmp(req, "zero_page") || !strcmp(req, "huge_zero_page")) {
		if (!sc_be->knob_get("/sys/kernel/mm/mmlab/forbids_zeropage", v, sizeof(v)) &&
		    strcmp(v, "0")) {
			snprintf(reason, sizeof(reason), "%s: forbidden by the model "
				 "knob forbids_zeropage=1", req);
			*why = reason;
			return 0;
		}
		if (!strcmp(req, "huge_zero_page") &&
		    !sc_be->knob_get("/sys/kernel/mm/transparent_hugepage/use_zero_page",
				     v, sizeof(v)) && !strcmp(v, "0")) {
			*why = "huge_zero_page: transparent_hugepage/use_zero_page is 0";
			return 0;
		}
	} else if (!strcmp(req, "soft_dirty") || !strcmp(req, "pt_reclaim")) {
		const char *knob = req[0] == 's' ? "/sys/kernel/mm/mmlab/soft_dirty" :
				   "/sys/kernel/mm/mmlab/pt_reclaim/zap";

		if (!sc_be->knob_get(knob, v, sizeof(v)) && !strcmp(v, "0")) {
			snprintf(reason, sizeof(reason), "%s: the model knob %s is 0",
				 req, knob);
			*why = reason;
			return 0;
		}
	}
	return 1;
}

static int check_requirement(lua_State *L, const char *call, const char **why)
{
	const char *req = luaL_checkstring(L, 1);
	int ret;

	if (!strcmp(sc_be->name, "model")) {
		for (int i = 0; host_requirements[i]; i++)
			if (!strcmp(host_requirements[i], req))
				return model_has(req, why);
		ret = -ENOENT;
	} else {
		ret = host_has(host_profile(), req, why);
	}
	if (ret == -ENOENT) {
		char known[512] = "";

		for (int i = 0; host_requirements[i]; i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known),
				 "%s%s", i ? ", " : "", host_requirements[i]);
		sc_fatal(L, "%s('%s'): unknown requirement (known: %s)", call, req,
			 known);
	}
	return ret;
}

/* mm.has(name): whether this backend has it; mm.require(name): end the run
 * as skipped (exit 77) when it does not. */
static int l_has(lua_State *L)
{
	const char *why;

	lua_pushboolean(L, check_requirement(L, "mm.has", &why) == 1);
	return 1;
}

static int l_require(lua_State *L)
{
	const char *why = "";

	if (check_requirement(L, "mm.require", &why) != 1)
		sc_skip(L, "the %s backend lacks %s", sc_be->name, why);
	return 0;
}

/* mm.skip(reason[, level]): end the run as skipped on this backend, as a
 * selftest skips a case whose precondition the machine did not meet at run
 * time (no THP populated, say).  The reason follows the location of the
 * caller, or of the frame @level up (a helper passes 2: its caller's). */
static int l_skip(lua_State *L)
{
	const char *why = luaL_checkstring(L, 1);
	lua_Integer level = luaL_optinteger(L, 2, 1);

	luaL_argcheck(L, level >= 1 && level <= 100, 2, "a level from 1 to 100");
	sc_skip_at(L, (int)level, why);
}

static int l_mm_index(lua_State *L)
{
	const char *key = lua_tostring(L, 2);

	sc_fatal(L, "mm has no member '%s'", key ? key : "?");
}

static const luaL_Reg mm_funcs[] = {
	{ "set", l_set },
	{ "get", l_get },
	{ "swapon", l_swapon },
	{ "vmstat", l_vmstat },
	{ "khugepaged_scan", l_khugepaged_scan },
	{ "parallel", sc_l_parallel },
	{ "spawn", l_spawn },
	{ "observe", l_observe },
	{ "expect", l_expect },
	{ "expect_eq", l_expect_eq },
	{ "check", l_check },
	{ "errno", l_errno },
	{ "has", l_has },
	{ "require", l_require },
	{ "skip", l_skip },
	{ NULL, NULL },
};

int sc_open_mm(lua_State *L, const struct sc_options *o)
{
	luaL_newlib(L, mm_funcs);
	sc_add_numa_funcs(L);
	sc_add_thp_funcs(L);
	lua_pushstring(L, sc_be->name);
	lua_setfield(L, -2, "backend");
	sc_push_include(L, o->script);
	lua_setfield(L, -2, "include");
	lua_pushinteger(L, 4096);
	lua_setfield(L, -2, "PAGE_SIZE");
	lua_pushinteger(L, 2 << 20);
	lua_setfield(L, -2, "PMD_SIZE");
	lua_pushinteger(L, 1024);
	lua_setfield(L, -2, "KB");
	lua_pushinteger(L, 1024 * 1024);
	lua_setfield(L, -2, "MB");
	lua_pushinteger(L, 1024 * 1024 * 1024);
	lua_setfield(L, -2, "GB");
	lua_pushinteger(L, sc_be->nr_cpus());
	lua_setfield(L, -2, "nr_cpus");
	lua_createtable(L, o->argc, 0);
	for (int i = 0; i < o->argc; i++) {
		lua_pushstring(L, o->argv[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "args");

	/* Reading a member that does not exist is a typo: say so. */
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, l_mm_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_setglobal(L, "mm");

	sc_open_proc(L);
	return 0;
}
