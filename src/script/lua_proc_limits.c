/*
 * lua_proc_limits.c - the methods on memory locks and limits: p:mlock,
 * p:munlock, p:mlockall, p:munlockall (also on a Task), p:brk, and the
 * Process's p:setrlimit("memlock", ...) and p:setcap("ipc_lock", ...).
 * Contract in docs/scenarios.md.
 *
 * State: none; each method checks its Process or Task (lua_proc.h) and
 * calls the backend (sc_be) on the scenario's one thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <lauxlib.h>

#include "script.h"
#include "lua_proc.h"

/* p:mlock(addr, len [, flags]): flags "onfault" (mlock2) */
int m_mlock(lua_State *L)
{
	static const struct sc_flag_name names[] = { { "onfault", SC_MLOCK_ONFAULT } };
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "mlock"), len = sc_arg_u64(L, 3, "mlock");
	int flags = parse_flag_list(L, 4, "mlock", names, ARRAY_LEN(names)), ret;
	char what[128];

	ret = sc_be->mlock(t, addr, len, flags);
	if (ret) {
		snprintf(what, sizeof(what), "mlock(0x%" PRIx64 ", %" PRIu64 ", %#x)",
			 addr, len, flags);
		sc_raise(L, ret, 0, what);
	}
	return 0;
}

int m_munlock(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "munlock"), len = sc_arg_u64(L, 3, "munlock");
	int ret = sc_be->munlock(t, addr, len);
	char what[128];

	if (ret) {
		snprintf(what, sizeof(what), "munlock(0x%" PRIx64 ", %" PRIu64 ")", addr, len);
		sc_raise(L, ret, 0, what);
	}
	return 0;
}

/* p:mlockall(flags): "current,future,onfault" */
int m_mlockall(lua_State *L)
{
	static const struct sc_flag_name names[] = {
		{ "current", SC_MCL_CURRENT },
		{ "future", SC_MCL_FUTURE },
		{ "onfault", SC_MCL_ONFAULT },
	};
	struct sc_task *t = sc_check_task(L, 1);
	int flags = parse_flag_list(L, 2, "mlockall", names, ARRAY_LEN(names)), ret;
	char what[64];

	ret = sc_be->mlockall(t, flags);
	if (ret) {
		snprintf(what, sizeof(what), "mlockall(%#x)", flags);
		sc_raise(L, ret, 0, what);
	}
	return 0;
}

int m_munlockall(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);

	sc_check(L, sc_be->munlockall(t), "munlockall");
	return 0;
}

/* p:brk(addr) -> the break after the call (the old one when refused);
 * p:brk(0) reads it */
int m_brk(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "brk"), out = 0;

	sc_check(L, sc_be->brk(t, addr, &out), "brk");
	lua_pushinteger(L, (lua_Integer)out);
	return 1;
}

/* p:setrlimit("memlock", bytes): the soft limit */
int m_setrlimit(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	const char *res = sc_arg_str(L, 2, "setrlimit");
	uint64_t soft = sc_arg_u64(L, 3, "setrlimit");
	char what[96];

	if (strcmp(res, "memlock"))
		sc_fatal(L, "setrlimit: unknown resource '%s' (use \"memlock\")", res);
	snprintf(what, sizeof(what), "setrlimit(memlock, %" PRIu64 ")", soft);
	sc_check(L, sc_be->setrlimit(lp->p, SC_RLIMIT_MEMLOCK, soft), what);
	return 0;
}

/* p:setcap("ipc_lock", on): the capability in the effective set */
int m_setcap(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	const char *cap = sc_arg_str(L, 2, "setcap");
	bool on;

	if (strcmp(cap, "ipc_lock"))
		sc_fatal(L, "setcap: unknown capability '%s' (use \"ipc_lock\")", cap);
	if (lua_type(L, 3) != LUA_TBOOLEAN)
		sc_fatal(L, "setcap: argument 2 must be a boolean");
	on = lua_toboolean(L, 3);
	sc_check(L, sc_be->setcap(lp->p, SC_CAP_IPC_LOCK, on),
		 on ? "setcap('ipc_lock', true)" : "setcap('ipc_lock', false)");
	return 0;
}
