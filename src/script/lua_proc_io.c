/*
 * lua_proc_io.c - Process methods that move user memory through the
 * kernel's I/O paths, where the kernel takes references or pins on the
 * pages: p:pipe(), p:vmsplice(fd, addr, len), p:read_fd(fd, n).
 * Contract in docs/lua-api.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <lauxlib.h>

#include "script.h"

/* p:pipe() -> read fd, write fd (both non-blocking) */
static int m_pipe(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	int fds[2];

	sc_check(L, sc_be->pipe(p, fds), "pipe");
	lua_pushinteger(L, fds[0]);
	lua_pushinteger(L, fds[1]);
	return 2;
}

/* p:vmsplice(fd, addr, len) -> bytes the pipe took (its 16 buffers hold
 * one page each); a full pipe raises EAGAIN */
static int m_vmsplice(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "vmsplice fd");
	uint64_t addr = sc_arg_u64(L, 3, "vmsplice"), len = sc_arg_u64(L, 4, "vmsplice");
	char what[96];
	long n = sc_be->vmsplice(t, fd, addr, len);

	if (n < 0) {
		snprintf(what, sizeof(what), "vmsplice(%d, 0x%" PRIx64 ", %" PRIu64 ")",
			 fd, addr, len);
		sc_raise(L, (int)n, 0, what);
	}
	lua_pushinteger(L, n);
	return 1;
}

/* p:read_fd(fd, n) -> up to n bytes read (fewer when the pipe runs dry;
 * "" when it is empty) */
static int m_read_fd(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "read_fd fd");
	uint64_t n = sc_arg_u64(L, 3, "read_fd"), done = 0;
	char *buf;

	if (n > (64ULL << 20))
		sc_fatal(L, "read_fd: %" PRIu64 " bytes is more than 64 MiB", n);
	buf = malloc(n ? n : 1);
	if (!buf)
		sc_fatal(L, "read_fd: out of memory");
	while (done < n) {
		long r = sc_be->read_fd(p, fd, buf + done, n - done);

		if (r == -EAGAIN || r == 0)
			break;
		if (r < 0) {
			free(buf);
			sc_raise(L, (int)r, 0, "read_fd");
		}
		done += (uint64_t)r;
	}
	lua_pushlstring(L, buf, done);
	free(buf);
	return 1;
}

static const luaL_Reg io_methods[] = {
	{ "pipe", m_pipe },
	{ "vmsplice", m_vmsplice },
	{ "read_fd", m_read_fd },
	{ NULL, NULL },
};

void sc_add_proc_io_methods(lua_State *L)
{
	luaL_setfuncs(L, io_methods, 0);
}
