/*
 * lua_proc_views.c - the methods of a Process that read its /proc views
 * (pagemap, the PAGEMAP_SCAN ioctl, status, smaps, clear_refs) and drive its
 * userfaultfd (uffd_api, uffd_register, uffd_wp, uffd_events).  Nothing is
 * shared: each call asks the backend and builds its Lua result; the result
 * buffers are the call's own (or static, for the event list: one Lua state
 * calls them at a time).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>

#include "script.h"

static void push_pm_entry(lua_State *L, uint64_t v)
{
	bool present = v >> 63 & 1, swap = v >> 62 & 1;

	lua_createtable(L, 0, 12);
	lua_pushboolean(L, present);
	lua_setfield(L, -2, "present");
	lua_pushboolean(L, swap);
	lua_setfield(L, -2, "swap");
	lua_pushboolean(L, v >> 61 & 1);
	lua_setfield(L, -2, "file");
	lua_pushboolean(L, v >> 56 & 1);
	lua_setfield(L, -2, "exclusive");
	lua_pushboolean(L, v >> 55 & 1);
	lua_setfield(L, -2, "soft_dirty");
	lua_pushboolean(L, v >> 57 & 1);
	lua_setfield(L, -2, "uffd_wp");
	lua_pushboolean(L, v >> 58 & 1);
	lua_setfield(L, -2, "guard");
	lua_pushinteger(L, present ? (lua_Integer)(v & ((1ULL << 55) - 1)) : 0);
	lua_setfield(L, -2, "pfn");
	lua_pushinteger(L, swap ? (lua_Integer)(v & 0x1f) : 0);
	lua_setfield(L, -2, "swap_type");
	lua_pushinteger(L, swap ? (lua_Integer)((v >> 5) &
						 ((1ULL << 50) - 1)) : 0);
	lua_setfield(L, -2, "swap_offset");
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, "raw");
}

static int m_pagemap(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "pagemap");
	bool many = !lua_isnoneornil(L, 3);
	uint64_t n = many ? sc_arg_u64(L, 3, "pagemap") : 1;
	uint64_t *out;
	char what[96];
	int ret;

	if (n > (1ULL << 24))
		sc_fatal(L, "pagemap: %" PRIu64 " pages is too many", n);
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out)
		sc_fatal(L, "pagemap: out of memory");
	ret = sc_be->pagemap(p, addr, n, out);
	if (ret) {
		free(out);
		snprintf(what, sizeof(what), "pagemap(0x%" PRIx64 ", %" PRIu64
			 ")", addr, n);
		sc_raise(L, ret, 0, what);
	}
	if (!many) {
		push_pm_entry(L, out[0]);
	} else {
		lua_createtable(L, (int)n, 0);
		for (uint64_t i = 0; i < n; i++) {
			push_pm_entry(L, out[i]);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
	}
	free(out);
	return 1;
}

static int m_status(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	struct sc_status st;

	sc_check(L, sc_be->status(p, &st), "status");
	lua_createtable(L, 0, 10);
#define F(x) lua_pushinteger(L, (lua_Integer)st.x); lua_setfield(L, -2, #x)
	F(VmSize); F(VmRSS); F(RssAnon); F(RssFile); F(RssShmem); F(VmPTE);
	F(VmSwap); F(VmPeak); F(VmLck); F(VmHWM);
#undef F
	return 1;
}

static int m_smaps(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "smaps");
	struct sc_smaps sm;
	int ret;

	memset(&sm, 0, sizeof(sm));
	ret = sc_be->smaps(p, addr, &sm);
	if (ret == -ENOENT) {
		lua_pushnil(L);
		return 1;
	}
	sc_check(L, ret, "smaps");
	lua_createtable(L, 0, sm.nr + 3);
	for (int i = 0; i < sm.nr; i++) {
		lua_pushinteger(L, (lua_Integer)sm.f[i].val);
		lua_setfield(L, -2, sm.f[i].key);
	}
	lua_pushinteger(L, (lua_Integer)sm.start);
	lua_setfield(L, -2, "start");
	lua_pushinteger(L, (lua_Integer)sm.end);
	lua_setfield(L, -2, "end");
	lua_pushstring(L, sm.flags);
	lua_setfield(L, -2, "VmFlags");
	return 1;
}

static int m_clear_refs(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);

	sc_check(L, sc_be->clear_refs(p, (int)sc_arg_u64(L, 2, "clear_refs")),
		 "clear_refs");
	return 0;
}

static int m_uffd_register(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "uffd_register");
	uint64_t len = sc_arg_u64(L, 3, "uffd_register");
	const char *s = sc_arg_str(L, 4, "uffd_register");
	char buf[64], *tok, *save;
	uint64_t ioctls = 0;
	int modes = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ", |+", &save); tok;
	     tok = strtok_r(NULL, ", |+", &save)) {
		if (!strcmp(tok, "wp"))
			modes |= SC_UFFD_WP;
		else if (!strcmp(tok, "missing"))
			modes |= SC_UFFD_MISSING;
		else if (!strcmp(tok, "minor"))
			modes |= SC_UFFD_MINOR_MODE;
		else if (strcmp(tok, "none"))
			sc_fatal(L, "uffd_register: unknown mode '%s' (use "
				 "\"missing\", \"wp\", \"minor\" or \"none\")", tok);
	}
	if (!modes && strcmp(s, "none"))
		sc_fatal(L, "uffd_register: no mode given (\"none\" asks for none)");
	sc_check(L, sc_be->uffd_register(p, addr, len, modes, &ioctls),
		 "uffd_register");
	sc_push_uffd_ioctls(L, ioctls);
	return 1;
}

static int m_uffd_wp(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "uffd_wp");
	uint64_t len = sc_arg_u64(L, 3, "uffd_wp");

	if (lua_type(L, 4) != LUA_TBOOLEAN)
		sc_fatal(L, "uffd_wp: argument 3 must be a boolean");
	sc_check(L, sc_be->uffd_wp(p, addr, len, lua_toboolean(L, 4)),
		 "uffd_wp");
	return 0;
}

static int m_uffd_events(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	static struct sc_uffd_event ev[4096];
	int n = sc_be->uffd_events(p, ev, 4096);

	if (n < 0)
		sc_raise(L, n, 0, "uffd_events");
	lua_createtable(L, n, 0);
	for (int i = 0; i < n; i++) {
		lua_createtable(L, 0, 2);
		lua_pushinteger(L, (lua_Integer)ev[i].addr);
		lua_setfield(L, -2, "addr");
		lua_pushstring(L, sc_uffd_event_name(ev[i].kind));
		lua_setfield(L, -2, "kind");
		if (ev[i].kind == SC_UFFD_REMAP) {
			lua_pushinteger(L, (lua_Integer)ev[i].to);
			lua_setfield(L, -2, "to");
		}
		if (ev[i].kind == SC_UFFD_REMAP || ev[i].kind == SC_UFFD_REMOVE) {
			lua_pushinteger(L, (lua_Integer)ev[i].len);
			lua_setfield(L, -2, "len");
		}
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

static const struct sc_flag_name uffd_features[] = {
	{ "event_fork", SC_UFFD_FEATURE_EVENT_FORK },
	{ "wp_unpopulated", SC_UFFD_FEATURE_WP_UNPOPULATED },
	{ "wp_async", SC_UFFD_FEATURE_WP_ASYNC },
	{ "sigbus", SC_UFFD_FEATURE_SIGBUS },
	{ "event_remap", SC_UFFD_FEATURE_EVENT_REMAP },
	{ "event_remove", SC_UFFD_FEATURE_EVENT_REMOVE },
	{ "pagefault_flag_wp", SC_UFFD_FEATURE_PAGEFAULT_FLAG_WP },
	{ "missing_shmem", SC_UFFD_FEATURE_MISSING_SHMEM },
	{ "missing_hugetlbfs", SC_UFFD_FEATURE_MISSING_HUGETLBFS },
	{ "minor_shmem", SC_UFFD_FEATURE_MINOR_SHMEM },
	{ "minor_hugetlbfs", SC_UFFD_FEATURE_MINOR_HUGETLBFS },
	{ "wp_hugetlbfs_shmem", SC_UFFD_FEATURE_WP_HUGETLBFS_SHMEM },
	{ "poison", SC_UFFD_FEATURE_POISON },
	{ "move", SC_UFFD_FEATURE_MOVE },
};

/* p:uffd_api(features): UFFDIO_API before the first registration */
static int m_uffd_api(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	unsigned int f;

	if (lua_isnoneornil(L, 2))
		sc_fatal(L, "uffd_api: missing argument 1 (features, \"\" for none)");
	f = sc_parse_flag_names(L, 2, "uffd_api", uffd_features,
				sizeof(uffd_features) / sizeof(uffd_features[0]));
	sc_check(L, sc_be->uffd_api(p, f), "uffd_api");
	return 0;
}

/* PAGEMAP_SCAN categories, in bit order */
static const struct sc_flag_name pm_categories[] = {
	{ "wpallowed", 1 << 0 }, { "written", 1 << 1 }, { "file", 1 << 2 },
	{ "present", 1 << 3 }, { "swapped", 1 << 4 }, { "pfnzero", 1 << 5 },
	{ "huge", 1 << 6 }, { "soft_dirty", 1 << 7 }, { "guard", 1 << 8 },
};
#define PM_CATEGORIES_ALL	0x1ffULL
static const struct sc_flag_name pm_scan_flags[] = {
	{ "wp_matching", 1 << 0 }, { "check_wpasync", 1 << 1 },
};
#define N_CATEGORIES	(sizeof(pm_categories) / sizeof(pm_categories[0]))
#define PM_SCAN_VEC_MAX	(1U << 20)

/* The names of categories @c, comma-separated, into @buf (160 bytes). */
static const char *category_names(uint64_t c, char *buf)
{
	*buf = 0;
	for (size_t i = 0; i < N_CATEGORIES; i++) {
		if (!(c & pm_categories[i].bit))
			continue;
		snprintf(buf + strlen(buf), 160 - strlen(buf), "%s%s",
			 *buf ? "," : "", pm_categories[i].name);
		c &= ~(uint64_t)pm_categories[i].bit;
	}
	if (c)
		snprintf(buf + strlen(buf), 160 - strlen(buf), "%s%#" PRIx64,
			 *buf ? "," : "", c);
	return buf;
}

/* The regions as one string for observations: "FIRST-END:categories;..."
 * in pages from @addr. */
static void push_runs(lua_State *L, const struct sc_page_region *vec, long n, uint64_t addr)
{
	luaL_Buffer b;
	char cat[160];

	luaL_buffinit(L, &b);
	for (long i = 0; i < n; i++) {
		lua_pushfstring(L, "%s%I-%I:%s", i ? ";" : "",
				(lua_Integer)((int64_t)(vec[i].start - addr) / (int64_t)SC_PAGE_SIZE),
				(lua_Integer)((int64_t)(vec[i].end - addr) / (int64_t)SC_PAGE_SIZE),
				category_names(vec[i].categories, cat));
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
}

/* One option of p:pagemap_scan's table (on top of the stack). */
static void scan_option(lua_State *L, const char *k, struct sc_pm_scan_arg *a,
			bool *no_vec)
{
	static const struct { const char *name; size_t off; } masks[] = {
		{ "category_mask", offsetof(struct sc_pm_scan_arg, category_mask) },
		{ "category_anyof_mask", offsetof(struct sc_pm_scan_arg, category_anyof_mask) },
		{ "category_inverted", offsetof(struct sc_pm_scan_arg, category_inverted) },
		{ "return_mask", offsetof(struct sc_pm_scan_arg, return_mask) },
	};
	int top = lua_gettop(L);

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		if (strcmp(k, masks[i].name))
			continue;
		*(uint64_t *)((char *)a + masks[i].off) =
			sc_parse_flag_names(L, top, "pagemap_scan", pm_categories, N_CATEGORIES);
		return;
	}
	if (!strcmp(k, "flags"))
		a->flags = sc_parse_flag_names(L, top, "pagemap_scan", pm_scan_flags, 2);
	else if (!strcmp(k, "max_pages"))
		a->max_pages = sc_arg_u64(L, top, "pagemap_scan: max_pages");
	else if (!strcmp(k, "vec_len"))
		a->vec_len = sc_arg_u64(L, top, "pagemap_scan: vec_len");
	else if (!strcmp(k, "size"))
		a->size = sc_arg_u64(L, top, "pagemap_scan: size");
	else if (!strcmp(k, "vec") && lua_type(L, top) == LUA_TBOOLEAN)
		*no_vec = !lua_toboolean(L, top);
	else
		sc_fatal(L, "pagemap_scan: unknown option '%s' (use flags, category_mask, "
			 "category_anyof_mask, category_inverted, return_mask, max_pages, "
			 "vec_len, vec = false, size)", k);
}

/*
 * p:pagemap_scan(addr, len [, opts]) -> regions, walk_end, runs: the
 * PAGEMAP_SCAN ioctl over [addr, addr + len).  regions[i] = {start=,
 * ["end"]=, pages=, categories="written,present"}; runs is the same as
 * "0-1:written,present;1-5:written" in pages from addr.
 */
static int m_pagemap_scan(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "pagemap_scan");
	uint64_t len = sc_arg_u64(L, 3, "pagemap_scan");
	struct sc_pm_scan_arg a = {
		.size = sizeof(a), .start = addr, .end = addr + len,
		.vec_len = 1024, .return_mask = PM_CATEGORIES_ALL,
	};
	struct sc_page_region *vec = NULL;
	bool no_vec = false, vec_len_given = false;
	char what[96], cat[160];
	long n;

	if (!lua_isnoneornil(L, 4)) {
		luaL_checktype(L, 4, LUA_TTABLE);
		for (lua_pushnil(L); lua_next(L, 4); lua_pop(L, 1)) {
			if (lua_type(L, -2) != LUA_TSTRING)
				sc_fatal(L, "pagemap_scan: option names are strings");
			scan_option(L, lua_tostring(L, -2), &a, &no_vec);
			vec_len_given |= !strcmp(lua_tostring(L, -2), "vec_len");
		}
	}
	if (no_vec && !vec_len_given)
		a.vec_len = 0;	/* vec = false alone: no output at all */
	if (a.vec_len > PM_SCAN_VEC_MAX && !no_vec)
		sc_fatal(L, "pagemap_scan: vec_len %" PRIu64 " is too many", a.vec_len);
	if (a.vec_len && !no_vec) {
		vec = calloc(a.vec_len, sizeof(*vec));
		if (!vec)
			sc_fatal(L, "pagemap_scan: out of memory");
		a.vec = (uintptr_t)vec;
	}
	n = sc_be->pagemap_scan(p, &a);
	if (n < 0) {
		free(vec);
		snprintf(what, sizeof(what), "pagemap_scan(0x%" PRIx64 ", %" PRIu64 ")",
			 addr, len);
		sc_raise(L, (int)n, 0, what);
	}
	lua_createtable(L, (int)n, 0);
	for (long i = 0; i < n && vec; i++) {
		lua_createtable(L, 0, 4);
		lua_pushinteger(L, (lua_Integer)vec[i].start);
		lua_setfield(L, -2, "start");
		lua_pushinteger(L, (lua_Integer)vec[i].end);
		lua_setfield(L, -2, "end");
		lua_pushinteger(L, (lua_Integer)((vec[i].end - vec[i].start) / SC_PAGE_SIZE));
		lua_setfield(L, -2, "pages");
		lua_pushstring(L, category_names(vec[i].categories, cat));
		lua_setfield(L, -2, "categories");
		lua_rawseti(L, -2, i + 1);
	}
	lua_pushinteger(L, (lua_Integer)a.walk_end);
	push_runs(L, vec, vec ? n : 0, addr);
	free(vec);
	return 3;
}

static const luaL_Reg proc_view_methods[] = {
	{ "pagemap", m_pagemap },
	{ "pagemap_scan", m_pagemap_scan },
	{ "status", m_status },
	{ "smaps", m_smaps },
	{ "clear_refs", m_clear_refs },
	{ "uffd_api", m_uffd_api },
	{ "uffd_register", m_uffd_register },
	{ "uffd_wp", m_uffd_wp },
	{ "uffd_events", m_uffd_events },
	{ NULL, NULL },
};

void sc_add_proc_view_methods(lua_State *L)
{
	luaL_setfuncs(L, proc_view_methods, 0);
}
