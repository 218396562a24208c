/*
 * lua_proc_io.c - Process methods that move user memory through the
 * kernel's I/O paths, where the kernel takes references or pins on the
 * pages: p:pipe(), p:vmsplice(fd, addr, len), p:read_fd(fd, n), and
 * io_uring's fixed buffers: p:io_uring(),
 * p:io_uring_register_buffers(ring, addr, len),
 * p:io_uring_unregister_buffers(ring),
 * p:io_uring_write_fixed(ring, fd, addr, len, off); and CONFIG_GUP_TEST's
 * pins: p:gup_test(), p:pin_longterm_test_start/_read/_stop; and
 * p:mem_write(addr, data) through /proc/PID/mem.
 * Contract in docs/lua-api.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
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

/* Up to n bytes of the pipe fd, looping until it runs dry; pushes them
 * as a string. */
static int push_read(lua_State *L, const char *what, struct sc_proc *p, int fd, uint64_t n,
		     int64_t off)
{
	uint64_t done = 0;
	char *buf;

	if (n > (64ULL << 20))
		sc_fatal(L, "%s: %" PRIu64 " bytes is more than 64 MiB", what, n);
	buf = malloc(n ? n : 1);
	if (!buf)
		sc_fatal(L, "%s: out of memory", what);
	while (done < n) {
		long r = sc_be->read_fd(p, fd, buf + done, n - done);

		(void)off;
		if (r == 0 || r == -EAGAIN)
			break;
		if (r < 0) {
			free(buf);
			sc_raise(L, (int)r, 0, what);
		}
		done += (uint64_t)r;
	}
	lua_pushlstring(L, buf, done);
	free(buf);
	return 1;
}

/* p:read_fd(fd, n) -> up to n bytes read (fewer when the pipe runs dry;
 * "" when it is empty) */
static int m_read_fd(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);

	return push_read(L, "read_fd", p, (int)sc_arg_u64(L, 2, "read_fd fd"),
			 sc_arg_u64(L, 3, "read_fd"), -1);
}

/* p:io_uring() -> ring fd */
static int m_io_uring(lua_State *L)
{
	int fd = sc_be->io_uring_setup(sc_check_proc(L, 1));

	if (fd < 0)
		sc_raise(L, fd, 0, "io_uring_setup");
	lua_pushinteger(L, fd);
	return 1;
}

/* p:io_uring_register_buffers(ring, addr, len): one fixed buffer */
static int m_io_uring_register(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	int ring = (int)sc_arg_u64(L, 2, "io_uring_register_buffers ring");
	uint64_t addr = sc_arg_u64(L, 3, "io_uring_register_buffers");
	uint64_t len = sc_arg_u64(L, 4, "io_uring_register_buffers");

	sc_check(L, sc_be->io_uring_register(t, ring, addr, len), "io_uring_register_buffers");
	return 0;
}

static int m_io_uring_unregister(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	int ring = (int)sc_arg_u64(L, 2, "io_uring_unregister_buffers ring");

	sc_check(L, sc_be->io_uring_unregister(p, ring), "io_uring_unregister_buffers");
	return 0;
}

/* p:io_uring_write_fixed(ring, fd, addr, len, off) -> the completion's
 * res (bytes written); a negative res raises its errno */
static int m_io_uring_write_fixed(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	int ring = (int)sc_arg_u64(L, 2, "io_uring_write_fixed ring");
	int fd = (int)sc_arg_u64(L, 3, "io_uring_write_fixed fd");
	uint64_t addr = sc_arg_u64(L, 4, "io_uring_write_fixed");
	uint64_t len = sc_arg_u64(L, 5, "io_uring_write_fixed");
	uint64_t off = lua_isnoneornil(L, 6) ? 0 : sc_arg_u64(L, 6, "io_uring_write_fixed offset");
	long res = sc_be->io_uring_write_fixed(p, ring, fd, addr, len, (int64_t)off);

	if (res < 0)
		sc_raise(L, (int)res, 0, "io_uring_write_fixed");
	lua_pushinteger(L, res);
	return 1;
}

/* p:gup_test() -> fd of CONFIG_GUP_TEST's /sys/kernel/debug/gup_test */
static int m_gup_test(lua_State *L)
{
	int fd = sc_be->gup_test_open(sc_check_proc(L, 1));

	if (fd < 0)
		sc_raise(L, fd, 0, "open /sys/kernel/debug/gup_test");
	lua_pushinteger(L, fd);
	return 1;
}

static const struct sc_flag_name pin_flags[] = {
	{ "write", 1 }, { "fast", 2 },
};

/* p:pin_longterm_test_start(fd, addr, size [, flags]): flags "write",
 * "fast" (pin_user_pages_fast), both, or "" (read-only, the slow path) */
static int m_pin_start(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "pin_longterm_test_start fd");
	uint64_t addr = sc_arg_u64(L, 3, "pin_longterm_test_start");
	uint64_t size = sc_arg_u64(L, 4, "pin_longterm_test_start");
	unsigned int flags = lua_isnoneornil(L, 5) ? 0 :
		sc_parse_flag_names(L, 5, "pin_longterm_test_start", pin_flags, 2);

	sc_check(L, sc_be->pin_longterm_start(t, fd, addr, size, flags),
		 "PIN_LONGTERM_TEST_START");
	return 0;
}

/* p:pin_longterm_test_read(fd, n) -> the first n bytes the pins hold */
static int m_pin_read(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "pin_longterm_test_read fd");
	uint64_t n = sc_arg_u64(L, 3, "pin_longterm_test_read");
	char *buf;
	int ret;

	if (n > (64ULL << 20))
		sc_fatal(L, "pin_longterm_test_read: %" PRIu64 " bytes is more than 64 MiB", n);
	buf = malloc(n ? n : 1);
	if (!buf)
		sc_fatal(L, "pin_longterm_test_read: out of memory");
	ret = sc_be->pin_longterm_read(p, fd, buf, n);
	if (ret) {
		free(buf);
		sc_raise(L, ret, 0, "PIN_LONGTERM_TEST_READ");
	}
	lua_pushlstring(L, buf, n);
	free(buf);
	return 1;
}

static int m_pin_stop(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);

	sc_check(L, sc_be->pin_longterm_stop(p, (int)sc_arg_u64(L, 2, "pin_longterm_test_stop")),
		 "PIN_LONGTERM_TEST_STOP");
	return 0;
}

/* p:mem_write(addr, data) -> bytes written through /proc/PID/mem (as a
 * debugger writes: FOLL_FORCE reaches read-only private mappings) */
static int m_mem_write(lua_State *L)
{
	struct sc_proc *p = sc_check_proc(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "mem_write"), done = 0;
	size_t len;
	const char *data = luaL_checklstring(L, 3, &len);

	while (done < len) {
		long n = sc_be->mem_write(p, addr + done, data + done, len - done);

		if (n <= 0) {
			if (done)
				break;
			sc_raise(L, n ? (int)n : -EIO, 0, "write /proc/PID/mem");
		}
		done += (uint64_t)n;
	}
	lua_pushinteger(L, (lua_Integer)done);
	return 1;
}

static const luaL_Reg io_methods[] = {
	{ "pipe", m_pipe },
	{ "vmsplice", m_vmsplice },
	{ "read_fd", m_read_fd },
	{ "io_uring", m_io_uring },
	{ "io_uring_register_buffers", m_io_uring_register },
	{ "io_uring_unregister_buffers", m_io_uring_unregister },
	{ "io_uring_write_fixed", m_io_uring_write_fixed },
	{ "gup_test", m_gup_test },
	{ "pin_longterm_test_start", m_pin_start },
	{ "pin_longterm_test_read", m_pin_read },
	{ "pin_longterm_test_stop", m_pin_stop },
	{ "mem_write", m_mem_write },
	{ NULL, NULL },
};

void sc_add_proc_io_methods(lua_State *L)
{
	luaL_setfuncs(L, io_methods, 0);
}
