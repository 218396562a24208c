/*
 * lua_proc.h - what the files of the Process and Task objects share
 * (private to them): lua_proc.c (the objects, their method tables and
 * accesses), lua_proc_file.c (methods on files), lua_proc_limits.c
 * (memory locks and limits).
 *
 * State: the two metatables (proc_mt, task_mt), set once by sc_open_proc
 * and read by the quick type test; a Process's struct lproc lives in its
 * userdata.  All of it is used from the scenario's one Lua thread.
 */
#ifndef MMLAB_LUA_PROC_H
#define MMLAB_LUA_PROC_H

#include <stdbool.h>
#include <lauxlib.h>

#include "script.h"

#define PROC_MT	"mmlab.Process"
#define TASK_MT	"mmlab.Task"

struct lproc {
	struct sc_proc *p;
	int pid;
	bool dead;
};

struct ltask {
	struct sc_task *t;
	unsigned int cpu;
	struct lproc *lp;	/* its Process: kept alive by the user value */
};

/* The two metatables (sc_open_proc), for the quick type test. */
extern const void *proc_mt, *task_mt;

/* The metatable of the userdata at @idx, NULL for anything else. */
static inline const void *udata_mt(lua_State *L, int idx)
{
	const void *mt;

	if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
		return NULL;
	mt = lua_topointer(L, -1);
	lua_pop(L, 1);
	return mt;
}

static inline struct lproc *check_proc(lua_State *L, int idx)
{
	struct lproc *lp = udata_mt(L, idx) == proc_mt ?
		lua_touserdata(L, idx) : NULL;

	if (!lp)
		sc_fatal(L, "expected a Process, got %s (call methods with "
			 "':', as p:mmap{...})", luaL_typename(L, idx));
	if (lp->dead)
		sc_fatal(L, "process %d has exited", lp->pid);
	return lp;
}

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#define FLAGS(L, idx, what, names) \
	sc_parse_flag_names(L, idx, what, names, sizeof(names) / sizeof(names[0]))

/* the int flag words of mremap and mlock */
#define parse_flag_list(L, idx, what, names, n) \
	((int)sc_parse_flag_names(L, idx, what, names, n))

/* lua_proc_file.c */
int m_memfd(lua_State *L);
int m_file(lua_State *L);
int m_pwrite(lua_State *L);
int m_pread(lua_State *L);
int m_close(lua_State *L);
int m_reopen(lua_State *L);
int m_ftruncate(lua_State *L);
int m_fallocate(lua_State *L);
int m_add_seals(lua_State *L);
int m_get_seals(lua_State *L);

/* lua_proc_limits.c */
int m_mlock(lua_State *L);
int m_munlock(lua_State *L);
int m_mlockall(lua_State *L);
int m_munlockall(lua_State *L);
int m_brk(lua_State *L);
int m_setrlimit(lua_State *L);
int m_setcap(lua_State *L);

#endif
