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
 *
 * mm.include(path) is how scenarios share helpers without require: it runs
 * a Lua source file named relative to the directory of the file that calls
 * it (a ".lua" path, not absolute) in the same sandbox and returns what it
 * returns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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

/* The directory of the Lua file whose code called this C function (its
 * chunk name "@path"), or NULL when that is not a file. */
static int caller_dir(lua_State *L, char *dir, size_t size)
{
	lua_Debug ar;
	const char *file, *slash;
	int len;

	if (!lua_getstack(L, 1, &ar) || !lua_getinfo(L, "S", &ar) ||
	    ar.source[0] != '@')
		return -1;
	file = ar.source + 1;
	slash = strrchr(file, '/');
	len = slash ? (int)(slash - file) : 1;
	if (snprintf(dir, size, "%.*s", len, slash ? file : ".") >= (int)size)
		return -1;
	return 0;
}

/* mm.include(path, ...): path (a .lua helper, or a .inc chunk the
 * variants of one test share) is relative to the directory of the file
 * that calls it (upvalue 1, the script's directory, when that is
 * unknown); the extra arguments are the chunk's `...`, and what it
 * returns is returned. */
static int l_include(lua_State *L)
{
	const char *rel = luaL_checkstring(L, 1);
	size_t n = strlen(rel);
	int nargs = lua_gettop(L) - 1;
	char dir[2048], path[4096];

	if (caller_dir(L, dir, sizeof(dir)))
		snprintf(dir, sizeof(dir), "%s", lua_tostring(L, lua_upvalueindex(1)));
	if (rel[0] == '/' || n < 5 || (strcmp(rel + n - 4, ".lua") && strcmp(rel + n - 4, ".inc")))
		sc_fatal(L, "mm.include('%s'): a .lua or .inc path relative to the "
			 "including file's directory", rel);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		sc_fatal(L, "mm.include('%s'): path too long", rel);
	if (access(path, R_OK))
		sc_fatal(L, "mm.include('%s'): %s: %s", rel, path, strerror(errno));
	if (luaL_loadfilex(L, path, "t"))
		sc_fatal(L, "mm.include('%s'): %s", rel, lua_tostring(L, -1));
	lua_replace(L, 1);	/* the chunk where the path was, its arguments after */
	lua_call(L, nargs, LUA_MULTRET);
	return lua_gettop(L);
}

void sc_push_include(lua_State *L, const char *script)
{
	const char *slash = strrchr(script, '/');

	if (slash)
		lua_pushlstring(L, script, (size_t)(slash - script));
	else
		lua_pushstring(L, ".");
	lua_pushcclosure(L, l_include, 1);
}
