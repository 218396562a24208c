/*
 * lua_proc_mm.c - Process methods for the per-process controls of the
 * memory manager: p:mseal(addr, len [, flags]), the THP switch of
 * prctl, p:prctl("thp_disable", on [, "except_advised"]) and
 * p:prctl("get_thp_disable"), and KSM's, p:prctl("memory_merge", on) and
 * p:prctl("get_memory_merge").  Contract in docs/scenarios.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>

#include "script.h"

#define PR_THP_DISABLE_EXCEPT_ADVISED	(1ULL << 1)

/* p:mseal(addr, len [, flags]): flags an integer (0: the only valid one) */
int sc_m_mseal(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "mseal"), len = sc_arg_u64(L, 3, "mseal");
	uint64_t flags = lua_isnoneornil(L, 4) ? 0 : sc_arg_u64(L, 4, "mseal flags");
	char what[96];

	snprintf(what, sizeof(what), "mseal(0x%" PRIx64 ", %" PRIu64 ", %#" PRIx64 ")",
		 addr, len, flags);
	sc_check(L, sc_be->mseal(t, addr, len, flags), what);
	return 0;
}

/*
 * p:prctl("thp_disable", on [, flags]): PR_SET_THP_DISABLE with on (a
 * boolean or an integer) and flags ("except_advised" or an integer);
 * p:prctl("get_thp_disable"): PR_GET_THP_DISABLE's result.  Errors raise
 * the errno (catchable).  Returns the number of Lua results.
 */
int sc_prctl_thp(lua_State *L, struct sc_proc *p, const char *opt)
{
	uint64_t a[4] = { 0, 0, 0, 0 };
	int option;
	long ret;

	if (!strcmp(opt, "get_thp_disable")) {
		option = SC_PR_GET_THP_DISABLE;
	} else {
		option = SC_PR_SET_THP_DISABLE;
		if (lua_type(L, 3) == LUA_TBOOLEAN)
			a[0] = lua_toboolean(L, 3);
		else
			a[0] = sc_arg_u64(L, 3, "prctl thp_disable");
		if (lua_type(L, 4) == LUA_TSTRING) {
			if (strcmp(lua_tostring(L, 4), "except_advised"))
				sc_fatal(L, "prctl: unknown thp_disable flag '%s' "
					 "(use \"except_advised\")", lua_tostring(L, 4));
			a[1] = PR_THP_DISABLE_EXCEPT_ADVISED;
		} else if (!lua_isnoneornil(L, 4)) {
			a[1] = sc_arg_u64(L, 4, "prctl thp_disable flags");
		}
	}
	ret = sc_be->prctl(p, option, a);
	if (ret < 0)
		sc_raise(L, (int)ret, 0, option == SC_PR_SET_THP_DISABLE ?
			 "prctl(PR_SET_THP_DISABLE)" : "prctl(PR_GET_THP_DISABLE)");
	if (option == SC_PR_SET_THP_DISABLE)
		return 0;
	lua_pushinteger(L, ret);
	return 1;
}

/*
 * p:prctl("memory_merge", on): PR_SET_MEMORY_MERGE with on (a boolean or an
 * integer); p:prctl("get_memory_merge"): PR_GET_MEMORY_MERGE's result.
 * Errors raise the errno (catchable).  Returns the number of Lua results.
 */
int sc_prctl_merge(lua_State *L, struct sc_proc *p, const char *opt)
{
	uint64_t a[4] = { 0, 0, 0, 0 };
	bool set = !strcmp(opt, "memory_merge");
	long ret;

	if (set)
		a[0] = lua_type(L, 3) == LUA_TBOOLEAN ? (uint64_t)lua_toboolean(L, 3)
						      : sc_arg_u64(L, 3, "prctl memory_merge");
	ret = sc_be->prctl(p, set ? SC_PR_SET_MEMORY_MERGE : SC_PR_GET_MEMORY_MERGE, a);
	if (ret < 0)
		sc_raise(L, (int)ret, 0, set ? "prctl(PR_SET_MEMORY_MERGE)"
					     : "prctl(PR_GET_MEMORY_MERGE)");
	if (set)
		return 0;
	lua_pushinteger(L, ret);
	return 1;
}
