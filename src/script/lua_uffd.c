/*
 * lua_uffd.c - the userfaultfd methods of a Process that fill a range the
 * way a fault handler answers a fault: uffd_copy, uffd_zeropage,
 * uffd_poison, uffd_continue (UFFDIO_COPY, _ZEROPAGE, _POISON, _CONTINUE),
 * uffd_move (UFFDIO_MOVE), uffd_unregister, and the names of the ioctls UFFDIO_REGISTER reports.  Each call asks the
 * backend once; nothing is kept between calls.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>

#include "script.h"

/* The kernel's ioctl numbers (_UFFDIO_*) of the range ioctls */
static const struct {
	const char *name;
	unsigned int nr;
} uffd_ioctl_names[] = {
	{ "wake", 2 }, { "copy", 3 }, { "zeropage", 4 }, { "move", 5 },
	{ "writeprotect", 6 }, { "continue", 7 }, { "poison", 8 },
};

void sc_push_uffd_ioctls(lua_State *L, uint64_t ioctls)
{
	char buf[128] = "";
	size_t n = 0;

	for (size_t i = 0; i < sizeof(uffd_ioctl_names) / sizeof(uffd_ioctl_names[0]); i++)
		if (ioctls & (1ULL << uffd_ioctl_names[i].nr))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : "",
					      uffd_ioctl_names[i].name);
	lua_pushstring(L, buf);
}

const char *sc_uffd_event_name(int kind)
{
	switch (kind) {
	case SC_UFFD_WP: return "wp";
	case SC_UFFD_FORK: return "fork";
	case SC_UFFD_REMAP: return "remap";
	case SC_UFFD_REMOVE: return "remove";
	case SC_UFFD_MINOR: return "minor";
	default: return "missing";
	}
}

static const struct sc_flag_name fill_modes[] = {
	{ "dontwake", SC_UFFDIO_MODE_DONTWAKE },
	{ "wp", SC_UFFDIO_MODE_WP },
};
static const struct sc_flag_name move_modes[] = {
	{ "dontwake", SC_UFFDIO_MODE_DONTWAKE },
	{ "allow_src_holes", SC_UFFDIO_MOVE_ALLOW_SRC_HOLES },
};

/*
 * The common body: p:uffd_copy(dst, src, len [, mode]) and
 * p:uffd_move(dst, src, len [, mode]), the others as
 * p:uffd_X(dst, len [, mode]).  Returns the bytes filled (fewer than len
 * when the kernel filled part: its -EAGAIN); raises the errno otherwise.
 */
static int uffd_fill(lua_State *L, int op, const char *name)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	bool copy = op == SC_UFFDIO_COPY || op == SC_UFFDIO_MOVE;
	uint64_t dst = sc_arg_u64(L, 2, name), src = copy ? sc_arg_u64(L, 3, name) : 0;
	uint64_t len = sc_arg_u64(L, copy ? 4 : 3, name);
	int midx = copy ? 5 : 4;
	unsigned int mode = 0;
	int64_t filled = 0;
	char what[128];
	int ret;

	if (!lua_isnoneornil(L, midx) && op == SC_UFFDIO_MOVE)
		mode = sc_parse_flag_names(L, midx, name, move_modes,
					   sizeof(move_modes) / sizeof(move_modes[0]));
	else if (!lua_isnoneornil(L, midx))
		mode = sc_parse_flag_names(L, midx, name, fill_modes,
					   sizeof(fill_modes) / sizeof(fill_modes[0]));
	ret = sc_be->uffd_fill(p, op, dst, src, len, mode, &filled);
	if (copy)
		snprintf(what, sizeof(what), "%s(0x%" PRIx64 ", 0x%" PRIx64 ", %" PRIu64 ")",
			 name, dst, src, len);
	else
		snprintf(what, sizeof(what), "%s(0x%" PRIx64 ", %" PRIu64 ")", name, dst, len);
	if (ret == -EAGAIN && filled > 0) {
		lua_pushinteger(L, (lua_Integer)filled);
		return 1;
	}
	sc_check(L, ret, what);
	lua_pushinteger(L, (lua_Integer)filled);
	return 1;
}

static int m_uffd_copy(lua_State *L) { return uffd_fill(L, SC_UFFDIO_COPY, "uffd_copy"); }
static int m_uffd_zeropage(lua_State *L) { return uffd_fill(L, SC_UFFDIO_ZEROPAGE, "uffd_zeropage"); }
static int m_uffd_poison(lua_State *L) { return uffd_fill(L, SC_UFFDIO_POISON, "uffd_poison"); }
static int m_uffd_continue(lua_State *L) { return uffd_fill(L, SC_UFFDIO_CONTINUE, "uffd_continue"); }
static int m_uffd_move(lua_State *L) { return uffd_fill(L, SC_UFFDIO_MOVE, "uffd_move"); }

/* p:uffd_unregister(addr, len): UFFDIO_UNREGISTER */
static int m_uffd_unregister(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "uffd_unregister");
	uint64_t len = sc_arg_u64(L, 3, "uffd_unregister");
	char what[96];

	snprintf(what, sizeof(what), "uffd_unregister(0x%" PRIx64 ", %" PRIu64 ")", addr, len);
	sc_check(L, sc_be->uffd_unregister(p, addr, len), what);
	return 0;
}

static const luaL_Reg uffd_methods[] = {
	{ "uffd_copy", m_uffd_copy },
	{ "uffd_zeropage", m_uffd_zeropage },
	{ "uffd_poison", m_uffd_poison },
	{ "uffd_continue", m_uffd_continue },
	{ "uffd_move", m_uffd_move },
	{ "uffd_unregister", m_uffd_unregister },
	{ NULL, NULL },
};

void sc_add_uffd_methods(lua_State *L)
{
	luaL_setfuncs(L, uffd_methods, 0);
}
