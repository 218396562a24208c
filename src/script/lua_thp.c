/*
 * lua_thp.c - the scenario calls about large folios that are no process's
 * method:
 *   mm.split_huge_pages(p, start, end [, new_order])
 *   mm.split_huge_pages("text")
 *       a write to /sys/kernel/debug/split_huge_pages: the first form
 *       writes "PID,0xSTART,0xEND,ORDER" for Process p (its pid on the
 *       backend), the second the text as it is (to see EINVAL, ESRCH).
 *       The kernel's refusal is a catchable "ENAME: mm.split_huge_pages(..)".
 *   mm.kpageflags(pfn)      -> entry
 *   mm.kpageflags(pfn, n)   -> list of n entries
 *       /proc/kpageflags decoded: thp, compound_head, compound_tail, anon,
 *       mmap, lru, dirty, swapbacked, zero_page, nopage, raw.  On linux it
 *       needs root (the pfns pagemap gives need it too).
 * The backends' side: the model's knob table (split_huge_pages) and
 * mmlab_kpageflags; linux_sys.c (debugfs, mounted for the write if it is
 * not, and /proc/kpageflags).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <lauxlib.h>

#include "script.h"

#define MAX_KPF		(1 << 20)

/* Argument @idx of an mm.* function (not a method: no self to skip) as
 * an integer, else a script error naming @call and @name. */
static lua_Integer thp_arg(lua_State *L, int idx, const char *call, const char *name)
{
	int isint, isnum;
	lua_Integer v = lua_tointegerx(L, idx, &isint);
	lua_Number n;

	if (isint)
		return v;
	if (lua_isnoneornil(L, idx))
		sc_fatal(L, "%s: missing argument %d (%s)", call, idx, name);
	n = lua_tonumberx(L, idx, &isnum);
	if (!isnum || n != (lua_Number)(lua_Integer)n)
		sc_fatal(L, "%s: argument %d (%s) must be an integer, not %s", call, idx, name,
			 luaL_typename(L, idx));
	return (lua_Integer)n;
}

static int l_split_huge_pages(lua_State *L)
{
	char input[256], what[300];
	int ret;

	if (lua_type(L, 1) == LUA_TSTRING) {
		snprintf(input, sizeof(input), "%s", lua_tostring(L, 1));
	} else {
		static const char call[] = "mm.split_huge_pages(p, start, end [, new_order])";
		struct sc_proc *p = sc_check_proc(L, 1);
		uint64_t start = (uint64_t)thp_arg(L, 2, call, "start");
		uint64_t end = (uint64_t)thp_arg(L, 3, call, "end");
		lua_Integer order = lua_isnoneornil(L, 4) ? 0 : thp_arg(L, 4, call, "new_order");

		snprintf(input, sizeof(input), "%d,0x%" PRIx64 ",0x%" PRIx64 ",%d",
			 sc_be->pid(p), start, end, (int)order);
	}
	ret = sc_be->split_huge_pages(input);
	if (ret == -ENOSYS || ret == -EOPNOTSUPP)
		sc_fatal(L, "mm.split_huge_pages('%s'): not supported by the %s backend",
			 input, sc_be->name);
	snprintf(what, sizeof(what), "mm.split_huge_pages('%s')", input);
	sc_check(L, ret, what);
	return 0;
}

static const struct { const char *name; int bit; } kpf_names[] = {
	{ "dirty", 4 }, { "lru", 5 }, { "mmap", 11 }, { "anon", 12 }, { "swapbacked", 14 },
	{ "compound_head", 15 }, { "compound_tail", 16 }, { "nopage", 20 }, { "thp", 22 },
	{ "zero_page", 24 },
};

static void push_kpf(lua_State *L, uint64_t v)
{
	lua_createtable(L, 0, 11);
	for (size_t i = 0; i < sizeof(kpf_names) / sizeof(kpf_names[0]); i++) {
		lua_pushboolean(L, (v >> kpf_names[i].bit) & 1);
		lua_setfield(L, -2, kpf_names[i].name);
	}
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, "raw");
}

static int l_kpageflags(lua_State *L)
{
	uint64_t pfn = (uint64_t)thp_arg(L, 1, "mm.kpageflags(pfn [, n])", "pfn");
	bool list = !lua_isnoneornil(L, 2);
	uint64_t n = list ? (uint64_t)thp_arg(L, 2, "mm.kpageflags(pfn [, n])", "n") : 1, *out;
	int ret;

	if (n > MAX_KPF)
		sc_fatal(L, "mm.kpageflags(pfn, n): n = %" PRIu64 " is more than %d", n, MAX_KPF);
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out)
		sc_fatal(L, "mm.kpageflags: out of memory");
	ret = sc_be->kpageflags(pfn, n, out);
	if (ret == -EACCES || ret == -EPERM) {
		free(out);
		sc_skip(L, "mm.kpageflags: /proc/kpageflags needs root on the %s backend",
			sc_be->name);
	}
	if (ret) {
		free(out);
		sc_check(L, ret, "mm.kpageflags");
	}
	if (!list) {
		push_kpf(L, out[0]);
	} else {
		lua_createtable(L, (int)n, 0);
		for (uint64_t i = 0; i < n; i++) {
			push_kpf(L, out[i]);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
	}
	free(out);
	return 1;
}

static const luaL_Reg thp_funcs[] = {
	{ "split_huge_pages", l_split_huge_pages },
	{ "kpageflags", l_kpageflags },
	{ NULL, NULL },
};

void sc_add_thp_funcs(lua_State *L)
{
	luaL_setfuncs(L, thp_funcs, 0);
}
