/*
 * lua_proc.c - the Process and Task objects of the scenario API.
 *
 * A Process is a full userdata holding the backend's struct sc_proc; a Task
 * holds a struct sc_task and keeps its Process alive through its user value.
 * Methods are looked up in one table per type; an unknown name is the
 * script's mistake and ends the run with a message naming it.  Accesses go
 * through sc_be->run() so that the hot loops (touch, fill, verify) stay in C.
 *
 * A scenario may call p:touch(addr, 4096) once per page, so the way from a
 * method call to the backend is kept short (`mmlab bench lua` measures it):
 * the method lookup is one raw table get, the type test of self compares
 * metatable identities instead of looking the type name up in the registry,
 * a Task reaches its Process's state without touching the Lua stack.
 *
 * The file methods are in lua_proc_file.c, the memory locks and limits in
 * lua_proc_limits.c (the object layout and type test they share in
 * lua_proc.h); lua_proc_views.c and lua_proc_io.c add theirs to the
 * method table at sc_open_proc; lua_proc_mm.c holds p:mseal and the THP
 * and KSM switches of p:prctl.
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

/* The two metatables (sc_open_proc), for the quick type test. */
const void *proc_mt, *task_mt;

void sc_push_proc(lua_State *L, struct sc_proc *p)
{
	struct lproc *lp = lua_newuserdatauv(L, sizeof(*lp), 0);

	lp->p = p;
	lp->pid = sc_be->pid(p);
	lp->dead = false;
	luaL_setmetatable(L, PROC_MT);
}

struct sc_proc *sc_check_proc(lua_State *L, int idx)
{
	return check_proc(L, idx)->p;
}

struct sc_task *sc_check_task(lua_State *L, int idx)
{
	const void *mt = udata_mt(L, idx);
	struct lproc *lp;
	struct ltask *lt = NULL;

	if (mt == proc_mt) {
		lp = lua_touserdata(L, idx);
	} else if (mt == task_mt) {
		lt = lua_touserdata(L, idx);
		lp = lt->lp;
	} else {
		sc_fatal(L, "expected a Process or a Task, got %s (call "
			 "methods with ':')", luaL_typename(L, idx));
	}
	if (lp->dead)
		sc_fatal(L, "process %d has exited", lp->pid);
	return lt ? lt->t : sc_be->main_task(lp->p);
}

uint64_t sc_arg_u64(lua_State *L, int idx, const char *what)
{
	int isint;
	lua_Integer v = lua_tointegerx(L, idx, &isint);

	/* Integers, and floats or numeric strings with an integer value. */
	if (isint)
		return (uint64_t)v;
	if (lua_isnoneornil(L, idx))
		sc_fatal(L, "%s: missing argument %d", what, idx - 1);
	if (!lua_isinteger(L, idx)) {
		int isnum;
		lua_Number n = lua_tonumberx(L, idx, &isnum);

		if (!isnum || n != (lua_Number)(lua_Integer)n)
			sc_fatal(L, "%s: argument %d must be an integer, not %s",
				 what, idx - 1, luaL_typename(L, idx));
	}
	return (uint64_t)lua_tointeger(L, idx);
}

const char *sc_arg_str(lua_State *L, int idx, const char *what)
{
	if (lua_type(L, idx) != LUA_TSTRING)
		sc_fatal(L, "%s: argument %d must be a string, not %s", what,
			 idx - 1, luaL_typename(L, idx));
	return lua_tostring(L, idx);
}

static void describe(char *buf, size_t len, const char *op, uint64_t a,
		     uint64_t b, const char *extra)
{
	snprintf(buf, len, "%s(0x%" PRIx64 ", %" PRIu64 "%s%s)", op, a, b,
		 extra ? ", " : "", extra ? extra : "");
}

/* Run one item and raise its error, if any. */
static void run_item(lua_State *L, struct sc_item *it, const char *extra)
{
	char what[160];
	int ret;

	it->rep = 1;
	it->mismatch = UINT64_MAX;
	ret = sc_be->run(it);
	if (ret) {
		describe(what, sizeof(what), sc_op_names[it->op], it->addr,
			 it->len, extra);
		sc_raise(L, ret, it->fault_addr, what);
	}
}

/* The task and range of p:OP(addr, len, ...): arguments 1 to 3. */
static void range_item(lua_State *L, struct sc_item *it, int op)
{
	const char *name = sc_op_names[op];

	it->task = sc_check_task(L, 1);
	it->op = op;
	it->addr = sc_arg_u64(L, 2, name);
	it->len = sc_arg_u64(L, 3, name);
}

/* p:madvise(addr, len, advice), p:mprotect(addr, len, prot): a range and
 * a word that @parse turns into the item's argument. */
static int range_word_item(lua_State *L, int op, int (*parse)(lua_State *, const char *))
{
	struct sc_item it = { 0 };
	const char *word;

	range_item(L, &it, op);
	word = sc_arg_str(L, 4, sc_op_names[op]);
	it.arg = parse(L, word);
	run_item(L, &it, word);
	return 0;
}

static int m_touch(lua_State *L)
{
	struct sc_item it = { .task = sc_check_task(L, 1), .op = SC_OP_TOUCH };
	size_t n;
	const char *mode = luaL_optlstring(L, 4, "w", &n);

	range_item(L, &it, SC_OP_TOUCH);
	if (n != 1 || (mode[0] != 'r' && mode[0] != 'w'))
		sc_fatal(L, "touch: unknown mode '%s' (use \"r\" or \"w\")",
			 mode);
	it.arg = mode[0] == 'w';
	run_item(L, &it, mode);
	return 0;
}

static int m_fill(lua_State *L)
{
	struct sc_item it = { 0 };

	range_item(L, &it, SC_OP_FILL);
	it.arg = lua_isnoneornil(L, 4) ? 0 : sc_arg_u64(L, 4, "fill");
	run_item(L, &it, NULL);
	return 0;
}

static int m_verify(lua_State *L)
{
	struct sc_item it = { 0 };

	range_item(L, &it, SC_OP_VERIFY);
	it.arg = lua_isnoneornil(L, 4) ? 0 : sc_arg_u64(L, 4, "verify");
	run_item(L, &it, NULL);
	if (it.mismatch == UINT64_MAX)
		lua_pushboolean(L, 1);
	else
		lua_pushinteger(L, (lua_Integer)it.mismatch);
	return 1;
}

static int m_read(lua_State *L)
{
	struct sc_item it = { 0 };
	luaL_Buffer b;

	range_item(L, &it, SC_OP_READ);
	if (it.len > (1ULL << 32))
		sc_fatal(L, "read: %" PRIu64 " bytes is too many (at most 4G)",
			 it.len);
	it.out = luaL_buffinitsize(L, &b, it.len);
	run_item(L, &it, NULL);
	luaL_pushresultsize(&b, it.len);
	return 1;
}

static int m_write(lua_State *L)
{
	struct sc_item it = { .task = sc_check_task(L, 1), .op = SC_OP_WRITE };
	size_t len;

	it.addr = sc_arg_u64(L, 2, "write");
	if (lua_type(L, 3) != LUA_TSTRING)
		sc_fatal(L, "write: argument 2 must be a string, not %s",
			 luaL_typename(L, 3));
	it.in = lua_tolstring(L, 3, &len);
	it.len = len;
	run_item(L, &it, NULL);
	return 0;
}

static int m_madvise(lua_State *L)
{
	return range_word_item(L, SC_OP_MADVISE, sc_parse_advice);
}

static int m_munmap(lua_State *L)
{
	struct sc_item it = { 0 };

	range_item(L, &it, SC_OP_MUNMAP);
	run_item(L, &it, NULL);
	return 0;
}

static int m_mprotect(lua_State *L)
{
	return range_word_item(L, SC_OP_MPROTECT, sc_parse_prot);
}

unsigned int sc_parse_flag_names(lua_State *L, int idx, const char *what,
				     const struct sc_flag_name *names, size_t n)
{
	char buf[256], list[256] = "", *tok, *save;
	unsigned int flags = 0;

	if (lua_isnoneornil(L, idx))
		return 0;
	if (lua_type(L, idx) == LUA_TNUMBER)
		return (unsigned int)sc_arg_u64(L, idx, what);
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", names[i].name);
	if (lua_type(L, idx) != LUA_TSTRING)
		sc_fatal(L, "%s: flags must be a string of %s, or an integer, not %s",
			 what, list, luaL_typename(L, idx));
	if (strlen(lua_tostring(L, idx)) >= sizeof(buf))
		sc_fatal(L, "%s: flags string too long", what);
	strcpy(buf, lua_tostring(L, idx));
	for (tok = strtok_r(buf, ", |", &save); tok;
	     tok = strtok_r(NULL, ", |", &save)) {
		size_t i;

		for (i = 0; i < n && strcmp(tok, names[i].name); i++)
			;
		if (i == n)
			sc_fatal(L, "%s: unknown flag '%s' (use %s)", what, tok, list);
		flags |= names[i].bit;
	}
	return flags;
}

/* mremap flags: "maymove,fixed,dontunmap" */
static int parse_mremap_flags(lua_State *L, int idx)
{
	static const struct sc_flag_name names[] = {
		{ "maymove", SC_MREMAP_MAYMOVE },
		{ "fixed", SC_MREMAP_FIXED },
		{ "dontunmap", SC_MREMAP_DONTUNMAP },
	};

	return parse_flag_list(L, idx, "mremap", names, ARRAY_LEN(names));
}

/* p:mremap(addr, old_len, new_len [, flags [, new_addr]]) -> new address */
static int m_mremap(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "mremap"), old_len = sc_arg_u64(L, 3, "mremap");
	uint64_t new_len = sc_arg_u64(L, 4, "mremap"), new_addr = 0, out = 0;
	int flags = parse_mremap_flags(L, 5), ret;
	char what[200];

	if (!lua_isnoneornil(L, 6))
		new_addr = sc_arg_u64(L, 6, "mremap");
	ret = sc_be->mremap(t, addr, old_len, new_len, flags, new_addr, &out);
	if (ret) {
		snprintf(what, sizeof(what), "mremap(0x%" PRIx64 ", %" PRIu64 ", %"
			 PRIu64 ", %#x, 0x%" PRIx64 ")", addr, old_len, new_len,
			 flags, new_addr);
		sc_raise(L, ret, 0, what);
	}
	lua_pushinteger(L, (lua_Integer)out);
	return 1;
}

static int parse_map_flags(lua_State *L, const char *s)
{
	static const struct { const char *name; int flag; } names[] = {
		{ "private", MAP_PRIVATE },
		{ "shared", MAP_SHARED },
		{ "shared_validate", MAP_SHARED_VALIDATE },
		{ "anonymous", MAP_ANONYMOUS },
		{ "anon", MAP_ANONYMOUS },
		{ "fixed", MAP_FIXED },
		{ "fixed_noreplace", MAP_FIXED_NOREPLACE },
		{ "noreserve", MAP_NORESERVE },
		{ "populate", MAP_POPULATE },
		{ "locked", MAP_LOCKED },
		{ "droppable", 0x08 },	/* MAP_DROPPABLE, a mapping type */
	};
	char buf[256], *tok, *save;
	int flags = 0;

	if (strlen(s) >= sizeof(buf))
		sc_fatal(L, "mmap: flags string too long");
	strcpy(buf, s);
	for (tok = strtok_r(buf, ", |", &save); tok;
	     tok = strtok_r(NULL, ", |", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			sc_fatal(L, "mmap: unknown flag '%s'", tok);
		flags |= names[i].flag;
	}
	return flags;
}

/* p:mmap{len=, prot=, flags=, addr=, fd=, offset=} */
static int m_mmap(lua_State *L)
{
	static const char *const keys[] = {
		"len", "prot", "flags", "addr", "fd", "offset", NULL
	};
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t len, addr = 0, off = 0, out;
	int prot, flags, fd = -1, ret;
	char what[200];

	if (!lua_istable(L, 2))
		sc_fatal(L, "mmap: expects a table, as p:mmap{len=...}");
	lua_pushnil(L);
	while (lua_next(L, 2)) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ?
			lua_tostring(L, -2) : NULL;
		int i;

		for (i = 0; k && keys[i]; i++)
			if (!strcmp(k, keys[i]))
				break;
		if (!k || !keys[i])
			sc_fatal(L, "mmap: unknown field '%s' (fields: len, prot, "
				 "flags, addr, fd, offset)",
				 k ? k : luaL_typename(L, -2));
		lua_pop(L, 1);
	}
	lua_getfield(L, 2, "len");
	if (lua_isnil(L, -1))
		sc_fatal(L, "mmap: len is required");
	len = sc_arg_u64(L, lua_gettop(L), "mmap len");
	lua_getfield(L, 2, "addr");
	if (!lua_isnil(L, -1))
		addr = sc_arg_u64(L, lua_gettop(L), "mmap addr");
	lua_getfield(L, 2, "fd");
	if (!lua_isnil(L, -1))
		fd = (int)sc_arg_u64(L, lua_gettop(L), "mmap fd");
	lua_getfield(L, 2, "offset");
	if (!lua_isnil(L, -1))
		off = sc_arg_u64(L, lua_gettop(L), "mmap offset");
	lua_getfield(L, 2, "prot");
	prot = sc_parse_prot(L, luaL_optstring(L, -1, "rw"));
	lua_getfield(L, 2, "flags");
	flags = parse_map_flags(L, luaL_optstring(L, -1,
			fd >= 0 ? "shared" : "private,anonymous"));
	ret = sc_be->mmap(t, addr, len, prot, flags, fd, off, &out);
	if (ret) {
		snprintf(what, sizeof(what), "mmap(addr=0x%" PRIx64 ", len=%"
			 PRIu64 ", prot=%s, flags=%s, fd=%d)", addr, len,
			 lua_tostring(L, -2) ? lua_tostring(L, -2) : "rw",
			 lua_tostring(L, -1) ? lua_tostring(L, -1) : "default",
			 fd);
		sc_raise(L, ret, 0, what);
	}
	lua_pushinteger(L, (lua_Integer)out);
	return 1;
}

static const struct sc_flag_name msync_flags[] = {
	{ "async", MS_ASYNC }, { "invalidate", MS_INVALIDATE }, { "sync", MS_SYNC },
};

/* p:msync(addr, len [, flags]): flags "sync", "async", "invalidate" (comma
 * separated; "" or absent: none) or an integer */
static int m_msync(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	uint64_t addr = sc_arg_u64(L, 2, "msync"), len = sc_arg_u64(L, 3, "msync");
	int flags = (int)FLAGS(L, 4, "msync", msync_flags);
	char what[96];

	describe(what, sizeof(what), "msync", addr, len, NULL);
	sc_check(L, sc_be->msync(t, addr, len, flags), what);
	return 0;
}

/* The ranges of process_madvise: (addr, len) at @idx, or a table of
 * {addr, len} pairs there.  Returns the index of the advice. */
static int pm_ranges(lua_State *L, int idx, struct sc_iovec **iov, int *n)
{
	if (!lua_istable(L, idx)) {
		*n = 1;
		*iov = calloc(1, sizeof(**iov));
		if (!*iov)
			sc_fatal(L, "process_madvise: out of memory");
		(*iov)[0].base = sc_arg_u64(L, idx, "process_madvise");
		(*iov)[0].len = sc_arg_u64(L, idx + 1, "process_madvise");
		return idx + 2;
	}
	*n = (int)luaL_len(L, idx);
	if (*n > 4096)
		sc_fatal(L, "process_madvise: %d ranges is too many", *n);
	*iov = calloc(*n ? *n : 1, sizeof(**iov));
	if (!*iov)
		sc_fatal(L, "process_madvise: out of memory");
	for (int i = 0; i < *n; i++) {
		int top = lua_gettop(L);

		if (lua_geti(L, idx, i + 1) != LUA_TTABLE)
			sc_fatal(L, "process_madvise: range %d must be a table {addr, len}",
				 i + 1);
		if (lua_geti(L, top + 1, 1) != LUA_TNUMBER ||
		    lua_geti(L, top + 1, 2) != LUA_TNUMBER)
			sc_fatal(L, "process_madvise: range %d must be {addr, len}, two integers",
				 i + 1);
		(*iov)[i].base = sc_arg_u64(L, top + 2, "process_madvise range addr");
		(*iov)[i].len = sc_arg_u64(L, top + 3, "process_madvise range len");
		lua_settop(L, top);
	}
	return idx + 1;
}

/* p:process_madvise(target, addr, len, advice [, flags]), or
 * p:process_madvise(target, {{addr, len}, ...}, advice [, flags]):
 * advice about target's memory; returns the bytes advised */
static int m_process_madvise(lua_State *L)
{
	struct sc_task *t = sc_check_task(L, 1);
	struct lproc *target = check_proc(L, 2);
	struct sc_iovec *iov;
	int n, aidx = pm_ranges(L, 3, &iov, &n), advice;
	/* an integer advice goes as it is (to pass what the kernel refuses) */
	const char *name = lua_isinteger(L, aidx) ? "(number)" :
			   sc_arg_str(L, aidx, "process_madvise");
	unsigned int flags = lua_isnoneornil(L, aidx + 1) ? 0 :
			     (unsigned int)sc_arg_u64(L, aidx + 1, "process_madvise");
	char what[160];
	long ret;

	advice = lua_isinteger(L, aidx) ? (int)lua_tointeger(L, aidx) : sc_parse_advice(L, name);
	ret = sc_be->process_madvise(t, target->p, iov, n, advice, flags);
	snprintf(what, sizeof(what), "process_madvise(pid %d, %d range%s from 0x%" PRIx64
		 ", %s)", target->pid, n, n == 1 ? "" : "s", n ? iov[0].base : 0, name);
	free(iov);
	if (ret < 0)
		sc_raise(L, (int)ret, 0, what);
	lua_pushinteger(L, (lua_Integer)ret);
	return 1;
}

static int m_fork(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	struct sc_proc *child;

	sc_check(L, sc_be->fork(lp->p, &child), "fork");
	sc_push_proc(L, child);
	return 1;
}

static int m_exit(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);

	sc_check(L, sc_be->exit(lp->p), "exit");
	lp->dead = true;
	return 0;
}

static int m_thread(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	uint64_t cpu = sc_arg_u64(L, 2, "thread");
	struct sc_task *t;
	struct ltask *lt;
	unsigned int nr = sc_be->nr_cpus();
	char what[128];

	/* name the CPUs there are: the kernel's EINVAL alone does not */
	snprintf(what, sizeof(what), "thread(%" PRIu64 "): the %s backend has "
		 "%u CPU%s (0..%u)%s", cpu, sc_be->name, nr, nr == 1 ? "" : "s",
		 nr ? nr - 1 : 0, strcmp(sc_be->name, "model") ? "" :
		 "; mmlab run --cpus N gives more");
	if (cpu >= nr)
		sc_raise(L, -EINVAL, 0, what);
	snprintf(what, sizeof(what), "thread(%" PRIu64 ")", cpu);
	sc_check(L, sc_be->thread(lp->p, (unsigned int)cpu, &t), what);
	lt = lua_newuserdatauv(L, sizeof(*lt), 1);
	lt->t = t;
	lt->cpu = (unsigned int)cpu;
	lt->lp = lp;
	lua_pushvalue(L, 1);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, TASK_MT);
	return 1;
}

/* p:prctl("pt_reclaim", on): the per-process switch of the page-table reclaim scanner.
 * The model only; on linux it raises EINVAL, as the unknown option would. */
static int m_prctl(lua_State *L)
{
	struct lproc *lp = check_proc(L, 1);
	const char *opt = sc_arg_str(L, 2, "prctl");
	bool on;

	if (!strcmp(opt, "thp_disable") || !strcmp(opt, "get_thp_disable"))
		return sc_prctl_thp(L, lp->p, opt);
	if (!strcmp(opt, "memory_merge") || !strcmp(opt, "get_memory_merge"))
		return sc_prctl_merge(L, lp->p, opt);
	if (strcmp(opt, "pt_reclaim"))
		sc_fatal(L, "prctl: unknown option '%s' (use \"pt_reclaim\", "
			 "\"thp_disable\", \"get_thp_disable\", \"memory_merge\" or "
			 "\"get_memory_merge\")", opt);
	if (lua_type(L, 3) != LUA_TBOOLEAN)
		sc_fatal(L, "prctl: argument 2 must be a boolean");
	on = lua_toboolean(L, 3);
	sc_check(L, sc_be->prctl_pt_reclaim(lp->p, on),
		 on ? "prctl('pt_reclaim', true)" : "prctl('pt_reclaim', false)");
	return 0;
}

static const luaL_Reg proc_methods[] = {
	{ "mmap", m_mmap },
	{ "mremap", m_mremap },
	{ "munmap", m_munmap },
	{ "mprotect", m_mprotect },
	{ "madvise", m_madvise },
	{ "memfd", m_memfd },
	{ "close", m_close },
	{ "reopen", m_reopen },
	{ "file", m_file },
	{ "pread", m_pread },
	{ "pwrite", m_pwrite },
	{ "ftruncate", m_ftruncate },
	{ "fallocate", m_fallocate },
	{ "add_seals", m_add_seals },
	{ "get_seals", m_get_seals },
	{ "msync", m_msync },
	{ "mseal", sc_m_mseal },
	{ "process_madvise", m_process_madvise },
	{ "write", m_write },
	{ "read", m_read },
	{ "touch", m_touch },
	{ "fill", m_fill },
	{ "verify", m_verify },
	{ "fork", m_fork },
	{ "exit", m_exit },
	{ "thread", m_thread },
	{ "prctl", m_prctl },
	{ "mlock", m_mlock },
	{ "munlock", m_munlock },
	{ "mlockall", m_mlockall },
	{ "munlockall", m_munlockall },
	{ "brk", m_brk },
	{ "setrlimit", m_setrlimit },
	{ "setcap", m_setcap },
	{ NULL, NULL },
};

static const luaL_Reg task_methods[] = {
	{ "mmap", m_mmap },
	{ "mremap", m_mremap },
	{ "munmap", m_munmap },
	{ "mprotect", m_mprotect },
	{ "madvise", m_madvise },
	{ "msync", m_msync },
	{ "mseal", sc_m_mseal },
	{ "process_madvise", m_process_madvise },
	{ "write", m_write },
	{ "read", m_read },
	{ "touch", m_touch },
	{ "fill", m_fill },
	{ "verify", m_verify },
	{ "mlock", m_mlock },
	{ "munlock", m_munlock },
	{ "mlockall", m_mlockall },
	{ "munlockall", m_munlockall },
	{ "brk", m_brk },
	{ NULL, NULL },
};

/* __index of a Process: its methods first (the hot path), then fields. */
static int proc_index(lua_State *L)
{
	struct lproc *lp;
	const char *k;

	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	lp = luaL_checkudata(L, 1, PROC_MT);
	k = luaL_checkstring(L, 2);
	if (!strcmp(k, "pid")) {
		lua_pushinteger(L, lp->pid);
		return 1;
	}
	if (!strcmp(k, "alive")) {
		lua_pushboolean(L, !lp->dead);
		return 1;
	}
	sc_fatal(L, "Process has no method or field '%s'", k);
}

static int task_index(lua_State *L)
{
	struct ltask *lt;
	const char *k;

	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	lt = luaL_checkudata(L, 1, TASK_MT);
	k = luaL_checkstring(L, 2);
	if (!strcmp(k, "cpu")) {
		lua_pushinteger(L, lt->cpu);
		return 1;
	}
	if (!strcmp(k, "process")) {
		lua_getiuservalue(L, 1, 1);
		return 1;
	}
	sc_fatal(L, "Task has no method or field '%s' (a Task has mmap, "
		 "mremap, write, read, touch, fill, verify, madvise, msync, mseal, "
		 "process_madvise, munmap, mprotect, mbind, set_mempolicy, get_mempolicy)",
		 k);
}

static int proc_tostring(lua_State *L)
{
	struct lproc *lp = luaL_checkudata(L, 1, PROC_MT);

	lua_pushfstring(L, "Process(%d%s)", lp->pid, lp->dead ? ", exited" : "");
	return 1;
}

static int task_tostring(lua_State *L)
{
	struct ltask *lt = luaL_checkudata(L, 1, TASK_MT);

	lua_pushfstring(L, "Task(cpu %d)", (int)lt->cpu);
	return 1;
}

void sc_open_proc(lua_State *L)
{
	luaL_newmetatable(L, PROC_MT);
	proc_mt = lua_topointer(L, -1);
	luaL_newlib(L, proc_methods);
	sc_add_proc_view_methods(L);
	sc_add_numa_methods(L);
	sc_add_proc_io_methods(L);
	sc_add_uffd_methods(L);
	lua_pushcclosure(L, proc_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, proc_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);

	luaL_newmetatable(L, TASK_MT);
	task_mt = lua_topointer(L, -1);
	luaL_newlib(L, task_methods);
	sc_add_numa_task_methods(L);
	lua_pushcclosure(L, task_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, task_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}
