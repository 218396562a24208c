/*
 * lua_parallel.c - mm.parallel{ {task, "method", arg..., rep=N}, ... }.
 *
 * Parses the list into struct sc_item, one per element, numbers the tasks
 * (group = first-seen order), and hands the whole array to the backend,
 * which runs each task's elements in order, `rep` times each, on its own
 * CPU, all tasks at once.  The call returns when every task is done; its
 * result is a table with, per element, true, the mismatch address of a
 * failed verify, or the string a read returned.  The first element that
 * failed (in list order) raises its error after everything has finished.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>

#include "script.h"

static uint64_t elem_u64(lua_State *L, int t, int i, int elem, const char *m)
{
	uint64_t v;

	lua_rawgeti(L, t, i);
	if (!lua_isinteger(L, -1)) {
		int isnum;
		lua_Number n = lua_tonumberx(L, -1, &isnum);

		if (!isnum || n != (lua_Number)(lua_Integer)n)
			sc_fatal(L, "mm.parallel element %d (%s): argument %d "
				 "must be an integer, not %s", elem, m, i - 2,
				 luaL_typename(L, -1));
	}
	v = (uint64_t)lua_tointeger(L, -1);
	lua_pop(L, 1);
	return v;
}

static const char *elem_str(lua_State *L, int t, int i, int elem,
			    const char *m, const char *def)
{
	const char *s;

	lua_rawgeti(L, t, i);
	if (lua_isnil(L, -1) && def) {
		lua_pop(L, 1);
		return def;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		sc_fatal(L, "mm.parallel element %d (%s): argument %d must be "
			 "a string", elem, m, i - 2);
	s = lua_tostring(L, -1);	/* kept alive by the element table */
	lua_pop(L, 1);
	return s;
}

static void parse_elem(lua_State *L, int t, int elem, struct sc_item *it)
{
	const char *m;
	int op;

	if (!lua_istable(L, t))
		sc_fatal(L, "mm.parallel: element %d must be a table "
			 "{task, \"method\", args..., rep=N}", elem);
	lua_rawgeti(L, t, 1);
	it->task = sc_check_task(L, lua_gettop(L));
	lua_pop(L, 1);
	m = elem_str(L, t, 2, elem, "?", NULL);
	for (op = 0; op < SC_NR_OPS; op++)
		if (!strcmp(m, sc_op_names[op]))
			break;
	if (op == SC_NR_OPS)
		sc_fatal(L, "mm.parallel element %d: unknown method '%s' (use "
			 "touch, fill, verify, read, write, madvise, munmap, "
			 "mprotect)", elem, m);
	it->op = op;
	it->addr = elem_u64(L, t, 3, elem, m);
	switch (op) {
	case SC_OP_TOUCH: {
		const char *mode = elem_str(L, t, 5, elem, m, "w");

		if (strcmp(mode, "r") && strcmp(mode, "w"))
			sc_fatal(L, "mm.parallel element %d: unknown touch mode "
				 "'%s'", elem, mode);
		it->len = elem_u64(L, t, 4, elem, m);
		it->arg = mode[0] == 'w';
		break;
	}
	case SC_OP_FILL:
	case SC_OP_VERIFY:
		it->len = elem_u64(L, t, 4, elem, m);
		lua_rawgeti(L, t, 5);
		it->arg = lua_isnil(L, -1) ? 0 : elem_u64(L, t, 5, elem, m);
		lua_pop(L, 1);
		break;
	case SC_OP_READ:
		it->len = elem_u64(L, t, 4, elem, m);
		if (it->len > (64ULL << 20))
			sc_fatal(L, "mm.parallel element %d: read of more than "
				 "64 MiB", elem);
		it->out = malloc(it->len ? it->len : 1);
		if (!it->out)
			sc_fatal(L, "mm.parallel: out of memory");
		break;
	case SC_OP_WRITE: {
		size_t len;

		lua_rawgeti(L, t, 4);
		if (lua_type(L, -1) != LUA_TSTRING)
			sc_fatal(L, "mm.parallel element %d (write): argument 2 "
				 "must be a string", elem);
		it->in = lua_tolstring(L, -1, &len);
		it->len = len;
		lua_pop(L, 1);
		break;
	}
	case SC_OP_MADVISE:
		it->len = elem_u64(L, t, 4, elem, m);
		it->arg = sc_parse_advice(L, elem_str(L, t, 5, elem, m, NULL));
		break;
	case SC_OP_MUNMAP:
		it->len = elem_u64(L, t, 4, elem, m);
		break;
	case SC_OP_MPROTECT:
		it->len = elem_u64(L, t, 4, elem, m);
		it->arg = sc_parse_prot(L, elem_str(L, t, 5, elem, m, NULL));
		break;
	}
	lua_getfield(L, t, "rep");
	if (lua_isnil(L, -1)) {
		it->rep = 1;
	} else {
		lua_Integer r = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;

		if (r < 1 || r > 1000000000)
			sc_fatal(L, "mm.parallel element %d: rep must be an "
				 "integer from 1", elem);
		it->rep = (unsigned int)r;
	}
	lua_pop(L, 1);
	it->mismatch = UINT64_MAX;
}

int sc_l_parallel(lua_State *L)
{
	struct sc_item *items;
	struct sc_task *tasks[256];
	int n, ntasks = 0, failed = -1, ret;

	if (!lua_istable(L, 1))
		sc_fatal(L, "mm.parallel expects a list of {task, \"method\", "
			 "args..., rep=N}");
	n = (int)luaL_len(L, 1);
	if (n == 0) {
		lua_newtable(L);
		return 1;
	}
	items = calloc(n, sizeof(*items));
	if (!items)
		sc_fatal(L, "mm.parallel: out of memory");
	for (int i = 0; i < n; i++) {
		int g;

		lua_rawgeti(L, 1, i + 1);
		parse_elem(L, lua_gettop(L), i + 1, &items[i]);
		/* its strings stay reachable from the list at index 1 */
		lua_pop(L, 1);
		for (g = 0; g < ntasks; g++)
			if (tasks[g] == items[i].task)
				break;
		if (g == ntasks) {
			if (ntasks == 256)
				sc_fatal(L, "mm.parallel: more than 256 tasks");
			tasks[ntasks++] = items[i].task;
		}
		items[i].group = g;
	}
	ret = sc_be->parallel(items, n);
	if (ret) {
		free(items);
		sc_check(L, ret, "mm.parallel");
	}

	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		struct sc_item *it = &items[i];

		if (it->ret && failed < 0)
			failed = i;
		if (it->op == SC_OP_VERIFY && it->mismatch != UINT64_MAX)
			lua_pushinteger(L, (lua_Integer)it->mismatch);
		else if (it->op == SC_OP_READ && !it->ret)
			lua_pushlstring(L, it->out, it->len);
		else
			lua_pushboolean(L, it->ret == 0);
		lua_rawseti(L, -2, i + 1);
	}
	for (int i = 0; i < n; i++)
		if (items[i].op == SC_OP_READ)
			free(items[i].out);
	if (failed >= 0) {
		struct sc_item it = items[failed];
		char what[160];

		free(items);
		snprintf(what, sizeof(what), "mm.parallel element %d: %s(0x%"
			 PRIx64 ", %" PRIu64 ")", failed + 1,
			 sc_op_names[it.op], it.addr, it.len);
		sc_raise(L, it.ret, it.fault_addr, what);
	}
	free(items);
	return 1;
}
