/*
 * lua_numa.c - the NUMA and time calls of the scenario API:
 *   mm.nodes()                  -> { {id =, total =, free =}, ... }
 *   mm.now_ns()                 -> the backend's clock in ns
 *   mm.cpu_cycles(cpu)          -> a simulated CPU's cycles (model only)
 *   p:move_pages(addrs, node)   -> move_pages(2)'s status per page
 *   p:move_pages(addr, n, node)    (n pages from addr)
 *   p:page_node(addr)           -> node, or nil when no page is there
 *   mm.settle([timeout_ms])     wait until background reclaim is idle
 * The backends' side is backend_numa.c.  Each call owns its buffers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>

#include "script.h"

#define MAX_PAGES	(1 << 20)

static int l_nodes(lua_State *L)
{
	struct sc_node nodes[64];
	int n = sc_be->nodes(nodes, 64);

	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_createtable(L, 0, 3);
		lua_pushinteger(L, nodes[i].id);
		lua_setfield(L, -2, "id");
		lua_pushinteger(L, (lua_Integer)nodes[i].total);
		lua_setfield(L, -2, "total");
		lua_pushinteger(L, (lua_Integer)nodes[i].free);
		lua_setfield(L, -2, "free");
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

static int l_now_ns(lua_State *L)
{
	lua_pushinteger(L, (lua_Integer)sc_be->now_ns());
	return 1;
}

static int l_cpu_cycles(lua_State *L)
{
	uint64_t cpu = sc_arg_u64(L, 1, "mm.cpu_cycles"), c = 0;
	char what[64];
	int ret = sc_be->cpu_cycles((unsigned int)(cpu > 4096 ? 4096 : cpu), &c);

	if (ret == -ENOSYS)
		sc_fatal(L, "mm.cpu_cycles: the %s backend has no simulated "
			 "clock (model only; check mm.backend)", sc_be->name);
	snprintf(what, sizeof(what), "mm.cpu_cycles(%" PRIu64 ")", cpu);
	sc_check(L, ret, what);
	lua_pushinteger(L, (lua_Integer)c);
	return 1;
}

/* The pages of p:move_pages: a list at index 2, or (addr, n) there; sets
 * *node_idx to the index of the node argument. */
static uint64_t *move_args(lua_State *L, int *n, int *node_idx)
{
	uint64_t *addrs, first = 0;
	bool list = lua_istable(L, 2);

	if (list) {
		*n = (int)luaL_len(L, 2);
		*node_idx = 3;
	} else {
		uint64_t cnt;

		first = sc_arg_u64(L, 2, "move_pages");
		cnt = sc_arg_u64(L, 3, "move_pages");
		if (cnt > MAX_PAGES)
			sc_fatal(L, "move_pages: %" PRIu64 " pages is too many (at "
				 "most %d)", cnt, MAX_PAGES);
		*n = (int)cnt;
		*node_idx = 4;
	}
	if (*n > MAX_PAGES)
		sc_fatal(L, "move_pages: %d pages is too many (at most %d)", *n, MAX_PAGES);
	addrs = calloc(*n ? (size_t)*n : 1, sizeof(*addrs));
	if (!addrs)
		sc_fatal(L, "move_pages: out of memory");
	for (int i = 0; i < *n; i++) {
		if (!list) {
			addrs[i] = first + (uint64_t)i * SC_PAGE_SIZE;
			continue;
		}
		lua_geti(L, 2, i + 1);
		if (!lua_isinteger(L, -1)) {
			free(addrs);
			sc_fatal(L, "move_pages: address %d of the list must be an "
				 "integer, not %s", i + 1, luaL_typename(L, -1));
		}
		addrs[i] = (uint64_t)lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	return addrs;
}

/* p:move_pages(addrs, node) / p:move_pages(addr, n, node) -> statuses */
static int m_move_pages(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	int n, node_idx, *status, ret;
	uint64_t *addrs = move_args(L, &n, &node_idx);
	lua_Integer node;
	char what[96];

	if (!lua_isinteger(L, node_idx)) {
		free(addrs);
		sc_fatal(L, "move_pages: the node (argument %d) must be an integer, "
			 "not %s", node_idx - 1, luaL_typename(L, node_idx));
	}
	node = lua_tointeger(L, node_idx);
	status = calloc(n ? (size_t)n : 1, sizeof(*status));
	if (!status) {
		free(addrs);
		sc_fatal(L, "move_pages: out of memory");
	}
	ret = node < 0 || node > 1 << 20 ? -EINVAL :
	      sc_be->move_pages(p, addrs, n, (int)node, status);
	snprintf(what, sizeof(what), "move_pages(%d page%s from 0x%" PRIx64 ", node %lld)",
		 n, n == 1 ? "" : "s", n ? addrs[0] : 0, (long long)node);
	free(addrs);
	if (ret) {
		free(status);
		if (ret == -EPERM && strcmp(sc_be->name, "model"))
			sc_fatal(L, "%s: permission denied (the %s backend needs "
				 "root for move_pages)", what, sc_be->name);
		sc_raise(L, ret, 0, what);
	}
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_pushinteger(L, status[i]);
		lua_rawseti(L, -2, i + 1);
	}
	free(status);
	return 1;
}

/* p:page_node(addr) -> node, or nil when no page is present there */
static int m_page_node(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "page_node") & ~(SC_PAGE_SIZE - 1);
	int status = 0, ret = sc_be->move_pages(p, &addr, 1, -1, &status);

	if (ret == -EPERM && strcmp(sc_be->name, "model"))
		sc_fatal(L, "page_node: permission denied (the %s backend needs "
			 "root for move_pages)", sc_be->name);
	sc_check(L, ret, "page_node");
	if (status < 0)
		lua_pushnil(L);
	else
		lua_pushinteger(L, status);
	return 1;
}

/* mm.settle([timeout_ms]): kswapd idle, deferred frees done; ETIMEDOUT
 * (catchable) after timeout_ms, default 10 s */
static int l_settle(lua_State *L)
{
	uint64_t ms = lua_isnoneornil(L, 1) ? 10000 : sc_arg_u64(L, 1, "mm.settle");
	char what[64];

	if (ms > 600000)
		sc_fatal(L, "mm.settle(%" PRIu64 "): at most 600000 ms", ms);
	snprintf(what, sizeof(what), "mm.settle(%" PRIu64 ")", ms);
	sc_check(L, sc_be->settle((unsigned int)ms), what);
	return 0;
}

static const luaL_Reg numa_funcs[] = {
	{ "settle", l_settle },
	{ "nodes", l_nodes },
	{ "now_ns", l_now_ns },
	{ "cpu_cycles", l_cpu_cycles },
	{ NULL, NULL },
};

static const luaL_Reg numa_methods[] = {
	{ "move_pages", m_move_pages },
	{ "page_node", m_page_node },
	{ NULL, NULL },
};

void sc_add_numa_funcs(lua_State *L)
{
	luaL_setfuncs(L, numa_funcs, 0);
}

void sc_add_numa_methods(lua_State *L)
{
	luaL_setfuncs(L, numa_methods, 0);
}
