/*
 * lua_sandbox.c - the Lua libraries a scenario gets.
 *
 * A scenario describes memory operations; on the linux backend it runs as
 * root.  So by default it gets only what computing needs: the base library
 * (without dofile and loadfile; load takes source text only, never
 * precompiled chunks), string, table, math, utf8 and coroutine, and a
 * read-only part of os: os.clock, os.date, os.difftime, os.getenv and
 * os.time.  io, package, debug, require and the rest of os (execute, exit,
 * remove, rename, tmpname, setlocale) are not there: naming one ends the
 * run (exit 2) with file:line and a message that says so.  `--unsafe-lua`
 * opens the whole standard library instead.
 */
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>

#include "script.h"

/* What the default os table keeps (functions that only read). */
static const char *const os_kept[] = {
	"clock", "date", "difftime", "getenv", "time", NULL
};

/* What the refusals say: the library's name, for "NAME.FIELD". */
static int refuse_field(lua_State *L)
{
	const char *lib = lua_tostring(L, lua_upvalueindex(1));
	const char *field = lua_tostring(L, 2);

	if (!strcmp(lib, "os"))
		sc_fatal(L, "os.%s is not available to a scenario without "
			 "--unsafe-lua (os has clock, date, difftime, getenv "
			 "and time)", field ? field : "?");
	sc_fatal(L, "%s.%s is not available to a scenario without "
		 "--unsafe-lua", lib, field ? field : "?");
}

static int refuse_call(lua_State *L)
{
	sc_fatal(L, "%s is not available to a scenario without --unsafe-lua",
		 lua_tostring(L, lua_upvalueindex(1)));
}

/* Reading a missing field of the table on the top of the stack ends the
 * run, naming lib.field. */
static void refuse_missing_fields(lua_State *L, const char *lib)
{
	lua_createtable(L, 0, 2);
	lua_pushstring(L, lib);
	lua_pushcclosure(L, refuse_field, 1);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");	/* getmetatable: false */
	lua_setmetatable(L, -2);
}

/* load(chunk [, chunkname [, mode [, env]]]) with mode forced to "t":
 * a precompiled chunk can break the VM's invariants. */
static int text_load(lua_State *L)
{
	/* an env given as nil is not an env left out: keep the count */
	int n = lua_gettop(L) > 4 ? 4 : lua_gettop(L);

	lua_settop(L, n < 3 ? 3 : n);
	lua_pushstring(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static void refuse_global(lua_State *L, const char *name)
{
	lua_pushstring(L, name);
	lua_pushcclosure(L, refuse_call, 1);
	lua_setglobal(L, name);
}

static void refuse_library(lua_State *L, const char *name)
{
	lua_newtable(L);
	refuse_missing_fields(L, name);
	lua_setglobal(L, name);
}

/* os with os_kept only; the rest refused. */
static void open_os_subset(lua_State *L)
{
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
	lua_newtable(L);
	for (int i = 0; os_kept[i]; i++) {
		lua_getfield(L, -2, os_kept[i]);
		lua_setfield(L, -2, os_kept[i]);
	}
	refuse_missing_fields(L, "os");
	lua_setglobal(L, LUA_OSLIBNAME);
	lua_pop(L, 1);
}

void sc_open_libs(lua_State *L, bool unsafe)
{
	static const luaL_Reg safe[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
		{ LUA_COLIBNAME, luaopen_coroutine },
		{ NULL, NULL },
	};

	if (unsafe) {
		luaL_openlibs(L);
		return;
	}
	for (const luaL_Reg *lib = safe; lib->name; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	open_os_subset(L);
	refuse_global(L, "dofile");
	refuse_global(L, "loadfile");
	refuse_global(L, "require");
	refuse_library(L, LUA_IOLIBNAME);
	refuse_library(L, LUA_LOADLIBNAME);
	refuse_library(L, LUA_DBLIBNAME);
	lua_getglobal(L, "load");
	lua_pushcclosure(L, text_load, 1);
	lua_setglobal(L, "load");
}
