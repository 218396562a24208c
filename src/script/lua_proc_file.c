/*
 * lua_proc_file.c - Process methods on files: p:memfd, p:file (a regular
 * file on a disk filesystem), p:pread, p:pwrite, p:close, p:reopen,
 * p:ftruncate, p:fallocate, p:add_seals and p:get_seals.  Contract in
 * docs/scenarios.md.
 *
 * State: none; each method checks its Process (check_proc, lua_proc.h)
 * and calls the backend (sc_be) on the scenario's one thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <lauxlib.h>

#include "script.h"
#include "lua_proc.h"

static const struct sc_flag_name mfd_flags[] = {
	{ "cloexec", 0x1 }, { "allow_sealing", 0x2 }, { "noexec_seal", 0x8 },
	{ "exec", 0x10 },
};
static const struct sc_flag_name seal_names[] = {
	{ "seal", 0x1 }, { "shrink", 0x2 }, { "grow", 0x4 }, { "write", 0x8 },
	{ "future_write", 0x10 }, { "exec", 0x20 },
};
static const struct sc_flag_name falloc_modes[] = {
	{ "keep_size", 0x01 }, { "punch_hole", 0x02 }, { "collapse_range", 0x08 },
	{ "zero_range", 0x10 }, { "insert_range", 0x20 }, { "unshare_range", 0x40 },
	{ "write_zeroes", 0x80 },
};

/* p:memfd([name [, size [, flags]]]) -> fd */
int m_memfd(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	const char *name = luaL_optstring(L, 2, "mmlab");
	uint64_t size = lua_isnoneornil(L, 3) ? 0 : sc_arg_u64(L, 3, "memfd");
	unsigned int flags = FLAGS(L, 4, "memfd", mfd_flags);
	int fd = sc_be->memfd(lp->p, name, size, flags);

	if (fd < 0)
		sc_raise(L, fd, 0, "memfd");
	lua_pushinteger(L, fd);
	return 1;
}

/* p:file([size]) -> fd: a new regular file on a disk filesystem */
int m_file(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	uint64_t size = lua_isnoneornil(L, 2) ? 0 : sc_arg_u64(L, 2, "file");
	int fd = sc_be->regfile(lp->p, size);

	if (fd < 0)
		sc_raise(L, fd, 0, "file");
	lua_pushinteger(L, fd);
	return 1;
}

/* p:pwrite(fd, offset, data) -> bytes written; p:pread(fd, offset, len)
 * -> the bytes read (shorter at the end of the file) */
static int file_rw_call(lua_State *L, bool write)
{
	const char *what = write ? "pwrite" : "pread";
	struct lproc *lp = check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, what);
	int64_t off = (int64_t)sc_arg_u64(L, 3, what);
	size_t len;
	const char *data;
	luaL_Buffer b;
	char *buf;
	long n;

	if (write) {
		data = luaL_checklstring(L, 4, &len);
		n = sc_be->pwrite(lp->p, fd, data, len, off);
	} else {
		len = (size_t)sc_arg_u64(L, 4, what);
		if (len > (64U << 20))
			sc_raise(L, -EINVAL, 0, "pread: len over 64 MiB");
		buf = luaL_buffinitsize(L, &b, len);
		n = sc_be->pread(lp->p, fd, buf, len, off);
	}
	if (n < 0)
		sc_raise(L, (int)n, 0, what);
	if (write)
		lua_pushinteger(L, n);
	else
		luaL_pushresultsize(&b, (size_t)n);
	return 1;
}

int m_pwrite(lua_State *L) { return file_rw_call(L, true); }
int m_pread(lua_State *L) { return file_rw_call(L, false); }

int m_close(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);

	sc_check(L, sc_be->close(lp->p, (int)sc_arg_u64(L, 2, "close")), "close");
	return 0;
}

/* p:reopen(fd, "r" | "w" | "rw") -> a new fd on the same file, opened
 * through /proc/self/fd with that access mode */
int m_reopen(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "reopen"), flags, ret;
	const char *mode = sc_arg_str(L, 3, "reopen");
	char what[64];

	if (!strcmp(mode, "r"))
		flags = O_RDONLY;
	else if (!strcmp(mode, "w"))
		flags = O_WRONLY;
	else if (!strcmp(mode, "rw"))
		flags = O_RDWR;
	else
		sc_fatal(L, "reopen: unknown mode '%s' (use \"r\", \"w\" or \"rw\")", mode);
	ret = sc_be->reopen(lp->p, fd, flags);
	snprintf(what, sizeof(what), "reopen(%d, \"%s\")", fd, mode);
	if (ret < 0)
		sc_raise(L, ret, 0, what);
	lua_pushinteger(L, ret);
	return 1;
}

/* A signed file offset or length (negative ones reach the kernel). */
static int64_t arg_off(lua_State *L, int idx, const char *what)
{
	return (int64_t)sc_arg_u64(L, idx, what);
}

int m_ftruncate(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "ftruncate");
	int64_t len = arg_off(L, 3, "ftruncate");
	char what[64];

	snprintf(what, sizeof(what), "ftruncate(%d, %" PRId64 ")", fd, len);
	sc_check(L, sc_be->ftruncate(lp->p, fd, len), what);
	return 0;
}

/* p:fallocate(fd, mode, offset, len): mode "punch_hole,keep_size",
 * "keep_size", "" (allocate), ... or an integer */
int m_fallocate(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "fallocate");
	int mode;
	int64_t off, len;
	char what[96];

	if (lua_isnoneornil(L, 3))
		sc_fatal(L, "fallocate: missing mode (\"\" to allocate)");
	mode = (int)FLAGS(L, 3, "fallocate", falloc_modes);
	off = arg_off(L, 4, "fallocate");
	len = arg_off(L, 5, "fallocate");
	snprintf(what, sizeof(what), "fallocate(%d, %#x, %" PRId64 ", %" PRId64 ")",
		 fd, mode, off, len);
	sc_check(L, sc_be->fallocate(lp->p, fd, mode, off, len), what);
	return 0;
}

/* p:add_seals(fd, "seal,shrink,grow,write,future_write,exec") */
int m_add_seals(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "add_seals");
	unsigned int seals;
	char what[64];

	if (lua_isnoneornil(L, 3))
		sc_fatal(L, "add_seals: missing seals");
	seals = FLAGS(L, 3, "add_seals", seal_names);
	snprintf(what, sizeof(what), "add_seals(%d, %#x)", fd, seals);
	sc_check(L, sc_be->add_seals(lp->p, fd, seals), what);
	return 0;
}

/* p:get_seals(fd) -> "shrink,write" (the names in a fixed order; "" for
 * none; an unnamed bit as a number) */
int m_get_seals(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	int fd = (int)sc_arg_u64(L, 2, "get_seals");
	int seals = sc_be->get_seals(lp->p, fd);
	char buf[128] = "";
	unsigned int rest;

	if (seals < 0)
		sc_raise(L, seals, 0, "get_seals");
	rest = (unsigned int)seals;
	for (size_t i = 0; i < sizeof(seal_names) / sizeof(seal_names[0]); i++) {
		if (!(rest & seal_names[i].bit))
			continue;
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 *buf ? "," : "", seal_names[i].name);
		rest &= ~seal_names[i].bit;
	}
	if (rest)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%#x",
			 *buf ? "," : "", rest);
	lua_pushstring(L, buf);
	return 1;
}
