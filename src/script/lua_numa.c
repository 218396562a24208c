/*
 * lua_numa.c - the NUMA and time calls of the scenario API:
 *   mm.nodes()                  -> { {id =, total =, free =}, ... }
 *   mm.now_ns()                 -> the backend's clock in ns
 *   mm.cpu_cycles(cpu)          -> a simulated CPU's cycles (model only)
 *   p:move_pages(addrs, node)   -> move_pages(2)'s status per page
 *   p:move_pages(addr, n, node)    (n pages from addr)
 *   p:page_node(addr)           -> node, or nil when no page is there
 *   p:mbind{addr=, len=, mode=, nodes=, flags=, maxnode=}   mbind(2)
 *   p:set_mempolicy{mode=, nodes=, maxnode=}   set_mempolicy(2)
 *   p:get_mempolicy(addr [, "node"])  -> mode, nodes (the VMA's policy:
 *                                  MPOL_F_ADDR) or the page's node
 *                                  (MPOL_F_ADDR | MPOL_F_NODE)
 *   p:get_mempolicy([nil, "node" | "mems_allowed"]) -> the task's policy
 *                                  (mode, nodes), its next interleave
 *                                  node, or the machine's nodes
 * mbind, set_mempolicy and get_mempolicy are Task methods too (t: that
 * thread; p: the main task).
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

/* Names of the words mbind's mode and flags take; a number is a value. */
static const struct { const char *name; unsigned long val; } mpol_words[] = {
	{ "default", 0 }, { "preferred", 1 }, { "bind", 2 }, { "interleave", 3 },
	{ "local", 4 }, { "preferred_many", 5 }, { "weighted_interleave", 6 },
}, mpol_mode_flags[] = {
	{ "static_nodes", 1 << 15 }, { "relative_nodes", 1 << 14 },
	{ "numa_balancing", 1 << 13 },
}, mbind_flags[] = {
	{ "strict", 1 }, { "move", 2 }, { "move_all", 4 },
};
#define NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/* "bind,static_nodes" / "move,strict": the words' values or'ed; a mode
 * word must come once in a mode string (@mode true). */
static unsigned long parse_mpol(lua_State *L, int idx, const char *call, const char *what,
				bool mode)
{
	char buf[128], *tok, *save;
	unsigned long v = 0;
	int modes = 0;

	if (lua_isinteger(L, idx))
		return (unsigned long)lua_tointeger(L, idx);
	if (lua_type(L, idx) != LUA_TSTRING)
		sc_fatal(L, "%s: %s must be a string or an integer, not %s", call, what,
			 luaL_typename(L, idx));
	if (strlen(lua_tostring(L, idx)) >= sizeof(buf))
		sc_fatal(L, "%s: %s string too long", call, what);
	strcpy(buf, lua_tostring(L, idx));
	for (tok = strtok_r(buf, ", |", &save); tok; tok = strtok_r(NULL, ", |", &save)) {
		size_t i;
		bool found = false;

		for (i = 0; mode && i < NWORDS(mpol_words) && !found; i++)
			if (!strcmp(tok, mpol_words[i].name)) {
				v |= mpol_words[i].val;
				modes++;
				found = true;
			}
		for (i = 0; mode && i < NWORDS(mpol_mode_flags) && !found; i++)
			if (!strcmp(tok, mpol_mode_flags[i].name)) {
				v |= mpol_mode_flags[i].val;
				found = true;
			}
		for (i = 0; !mode && i < NWORDS(mbind_flags) && !found; i++)
			if (!strcmp(tok, mbind_flags[i].name)) {
				v |= mbind_flags[i].val;
				found = true;
			}
		if (!found)
			sc_fatal(L, "%s: unknown %s word '%s' (%s)", call, what, tok, mode ?
				 "default, preferred, bind, interleave, local, preferred_many, "
				 "weighted_interleave; static_nodes, relative_nodes, numa_balancing" :
				 "strict, move, move_all");
	}
	if (mode && modes != 1)
		sc_fatal(L, "%s: mode '%s' names %d modes (one is needed)", call,
			 lua_tostring(L, idx), modes);
	return v;
}

/* Argument 2 is a table (as @usage shows) whose fields are among @keys
 * (listed in @list). */
static void check_fields(lua_State *L, const char *const *keys, const char *call,
			 const char *list, const char *usage)
{
	if (!lua_istable(L, 2))
		sc_fatal(L, "%s: expects a table, as %s", call, usage);
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		int i;

		for (i = 0; k && keys[i]; i++)
			if (!strcmp(k, keys[i]))
				break;
		if (!k || !keys[i])
			sc_fatal(L, "%s: unknown field '%s' (fields: %s)", call,
				 k ? k : luaL_typename(L, -2), list);
		lua_pop(L, 1);
	}
}

/* The fields nodes= (a list of node numbers: a one-word mask in *@nodes)
 * and maxnode= (default 65 with nodes, 0 without) of the table at 2;
 * false when nodes is absent (no mask at all). */
static bool parse_nodes(lua_State *L, const char *call, uint64_t *nodes,
			unsigned long *maxnode)
{
	bool has_nodes;

	*nodes = 0;
	lua_getfield(L, 2, "nodes");
	has_nodes = !lua_isnil(L, -1);
	if (has_nodes) {
		if (!lua_istable(L, -1))
			sc_fatal(L, "%s: nodes must be a list of node numbers", call);
		for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
			lua_Integer n = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;

			if (n < 0 || n > 63)
				sc_fatal(L, "%s: nodes[%lld] must be a node number 0..63",
					 call, (long long)i);
			*nodes |= 1ULL << n;
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	lua_getfield(L, 2, "maxnode");
	*maxnode = lua_isnil(L, -1) ? (has_nodes ? 65 : 0) :
		   (unsigned long)sc_arg_u64(L, lua_gettop(L), "maxnode");
	lua_pop(L, 1);
	return has_nodes;
}

/* The field mode= of the table at 2 (required): a mode with its flags. */
static unsigned long table_mode(lua_State *L, const char *call)
{
	unsigned long mode;

	lua_getfield(L, 2, "mode");
	if (lua_isnil(L, -1))
		sc_fatal(L, "%s: mode is required", call);
	mode = parse_mpol(L, lua_gettop(L), call, "mode", true);
	lua_pop(L, 1);
	return mode;
}

/* p:mbind{addr=, len=, mode=, nodes={...}, flags=, maxnode=}: nodes absent
 * passes no mask; maxnode defaults to 65 with nodes (one word), 0 without */
static int m_mbind(lua_State *L)
{
	static const char *const keys[] = {
		"addr", "len", "mode", "nodes", "flags", "maxnode", NULL
	};
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t addr, len, nodes;
	unsigned long mode, maxnode, flags = 0;
	bool has_nodes;
	char what[160];

	check_fields(L, keys, "mbind", "addr, len, mode, nodes, flags, maxnode",
		     "p:mbind{addr=, len=, mode=}");
	lua_getfield(L, 2, "addr");
	lua_getfield(L, 2, "len");
	if (lua_isnil(L, -2) || lua_isnil(L, -1))
		sc_fatal(L, "mbind: addr, len and mode are required");
	addr = sc_arg_u64(L, -2, "mbind addr");
	len = sc_arg_u64(L, -1, "mbind len");
	mode = table_mode(L, "mbind");
	has_nodes = parse_nodes(L, "mbind", &nodes, &maxnode);
	lua_getfield(L, 2, "flags");
	if (!lua_isnil(L, -1))
		flags = parse_mpol(L, lua_gettop(L), "mbind", "flags", false);
	snprintf(what, sizeof(what), "mbind(0x%" PRIx64 ", %" PRIu64 ", mode %#lx, nodes %#"
		 PRIx64 ", maxnode %lu, flags %#lx)", addr, len, mode, nodes, maxnode, flags);
	sc_check(L, sc_be->mbind(t, addr, len, mode, has_nodes ? &nodes : NULL, maxnode,
				 (unsigned int)flags), what);
	return 0;
}

/* t:set_mempolicy{mode=, nodes={...}, maxnode=} (p: its main task) */
static int m_set_mempolicy(lua_State *L)
{
	static const char *const keys[] = { "mode", "nodes", "maxnode", NULL };
	struct sc_task *t = sc_check_task(L, 1);
	unsigned long mode, maxnode;
	uint64_t nodes;
	bool has_nodes;
	char what[120];

	check_fields(L, keys, "set_mempolicy", "mode, nodes, maxnode",
		     "p:set_mempolicy{mode=, nodes=}");
	mode = table_mode(L, "set_mempolicy");
	has_nodes = parse_nodes(L, "set_mempolicy", &nodes, &maxnode);
	snprintf(what, sizeof(what), "set_mempolicy(mode %#lx, nodes %#" PRIx64
		 ", maxnode %lu)", mode, nodes, maxnode);
	sc_check(L, sc_be->set_mempolicy(t, mode, has_nodes ? &nodes : NULL, maxnode), what);
	return 0;
}

/* A list of the nodes of @nodes. */
static void push_node_list(lua_State *L, uint64_t nodes)
{
	lua_newtable(L);
	for (int n = 0, i = 1; n < 64; n++)
		if (nodes >> n & 1) {
			lua_pushinteger(L, n);
			lua_rawseti(L, -2, i++);
		}
}

/* The get_mempolicy flags of p:get_mempolicy([addr [, what]]): an address
 * is MPOL_F_ADDR; what "node" adds MPOL_F_NODE, "mems_allowed" (no
 * address) is MPOL_F_MEMS_ALLOWED. */
static unsigned long get_mempolicy_flags(lua_State *L, bool has_addr, const char **word)
{
	*word = lua_isnoneornil(L, 3) ? NULL :
		lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : "";
	if (!*word)
		return has_addr ? 2 : 0;
	if (!strcmp(*word, "node"))
		return has_addr ? 3 : 1;
	if (!has_addr && !strcmp(*word, "mems_allowed"))
		return 4;
	sc_fatal(L, "get_mempolicy: the second argument can only be \"node\"%s",
		 has_addr ? " with an address" : " or \"mems_allowed\" without one");
	return 0;
}

/* p:get_mempolicy(addr) -> mode name (with its mode flags as ",word"),
 * nodes list of the VMA's policy; p:get_mempolicy(addr, "node") -> the
 * node of the page.  Without an address (nil or none) the task's policy;
 * (nil, "node") -> the node its interleave takes next; (nil,
 * "mems_allowed") -> the list of the machine's nodes. */
static int m_get_mempolicy(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	bool has_addr = !lua_isnoneornil(L, 2);
	uint64_t addr = has_addr ? sc_arg_u64(L, 2, "get_mempolicy") : 0, nodes = 0;
	const char *word;
	unsigned long flags = get_mempolicy_flags(L, has_addr, &word);
	int pol = 0, ret;
	char what[96];
	luaL_Buffer b;

	ret = sc_be->get_mempolicy(t, &pol, &nodes, addr, flags);
	if (has_addr)
		snprintf(what, sizeof(what), "get_mempolicy(0x%" PRIx64 "%s%s)", addr,
			 word ? ", " : "", word ? word : "");
	else
		snprintf(what, sizeof(what), "get_mempolicy(%s)", word ? word : "");
	sc_check(L, ret, what);
	if (flags & 1) {
		lua_pushinteger(L, pol);
		return 1;
	}
	if (flags & 4) {
		push_node_list(L, nodes);
		return 1;
	}
	luaL_buffinit(L, &b);
	if ((pol & 0xff) < (int)NWORDS(mpol_words))
		luaL_addstring(&b, mpol_words[pol & 0xff].name);
	else
		luaL_addstring(&b, "unknown");
	for (size_t i = 0; i < NWORDS(mpol_mode_flags); i++)
		if (pol & (int)mpol_mode_flags[i].val) {
			luaL_addchar(&b, ',');
			luaL_addstring(&b, mpol_mode_flags[i].name);
		}
	luaL_pushresult(&b);
	push_node_list(L, nodes);
	return 2;
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
	{ "mbind", m_mbind },
	{ "set_mempolicy", m_set_mempolicy },
	{ "get_mempolicy", m_get_mempolicy },
	{ NULL, NULL },
};

/* A Task's: the memory-policy calls are per thread */
static const luaL_Reg numa_task_methods[] = {
	{ "mbind", m_mbind },
	{ "set_mempolicy", m_set_mempolicy },
	{ "get_mempolicy", m_get_mempolicy },
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

void sc_add_numa_task_methods(lua_State *L)
{
	luaL_setfuncs(L, numa_task_methods, 0);
}
