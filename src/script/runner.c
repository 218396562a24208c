/*
 * runner.c - run one scenario script on one backend.
 *
 * Owns the lua_State, the exit status (0 ran to the end with every
 * expectation met, 1 an expectation failed, 2 anything else), the record of
 * observations (printed, and written to a file for `mmlab diff`), and the
 * ways a run can end early: a script error, a fatal usage error
 * (sc_fatal), the --timeout alarm, SIGINT/SIGTERM.  Whichever way it ends,
 * the backend's cleanup runs, so the linux backend restores every setting
 * it changed.  The signal paths use only the backend's async-signal-safe
 * emergency() hook.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lualib.h>

#include "script.h"

const struct sc_backend *sc_be;

static lua_State *run_L;
static FILE *obs_file;
static int nr_failed;
static int nr_checked;	/* expectations evaluated */
static unsigned int timeout_secs;
static volatile sig_atomic_t timed_out;
static volatile sig_atomic_t cleaning;

void sc_emergency_cleanup(void)
{
	if (cleaning)
		return;
	cleaning = 1;
	if (sc_be && sc_be->emergency)
		sc_be->emergency();
}

static void finish_backend(void)
{
	if (cleaning)
		return;
	cleaning = 1;
	if (sc_be)
		sc_be->finish();
}

/* "file:line: " of the first Lua frame with a line, from @from up. */
static void where_from(lua_State *L, int from, char *buf, size_t len)
{
	lua_Debug ar;

	buf[0] = 0;
	for (int level = from; L && lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0) {
			snprintf(buf, len, "%s:%d: ", ar.short_src,
				 ar.currentline);
			return;
		}
	}
}

static void where(lua_State *L, char *buf, size_t len)
{
	where_from(L, 0, buf, len);
}

void sc_fatal(lua_State *L, const char *fmt, ...)
{
	char loc[256];
	va_list ap;

	where(L, loc, sizeof(loc));
	fflush(stdout);
	fprintf(stderr, "%s", loc);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	finish_backend();
	if (obs_file)
		fclose(obs_file);
	fflush(NULL);
	_exit(2);
}

static void __attribute__((noreturn)) skip_exit(void)
{
	finish_backend();
	if (obs_file)
		fclose(obs_file);
	fflush(NULL);
	_exit(SC_EXIT_SKIP);
}

void sc_skip_at(lua_State *L, int level, const char *why)
{
	char loc[256];

	where_from(L, level, loc, sizeof(loc));
	fflush(stdout);
	printf("SKIP %s%s\n", loc, why);
	skip_exit();
}

void sc_skip(lua_State *L, const char *fmt, ...)
{
	char loc[256];
	va_list ap;

	where(L, loc, sizeof(loc));
	fflush(stdout);
	printf("SKIP %s", loc);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	skip_exit();
}

void sc_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	finish_backend();
	fflush(NULL);
	_exit(2);
}

/* @s as one TSV field: backslash, tab and newline escaped (NULL: empty);
 * cli's tsv_unescape reads it back. */
void sc_tsv_put(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else
			fputc(*s, f);
	}
}

void sc_record_observation(const char *name, const char *value, int line)
{
	if (!obs_file)
		return;
	sc_tsv_put(obs_file, name);
	fputc('\t', obs_file);
	sc_tsv_put(obs_file, value);
	fprintf(obs_file, "\t%d\n", line);
}

void sc_expect_failed(void)
{
	nr_failed++;
}

void sc_expect_checked(void)
{
	nr_checked++;
}

/* Async-signal-safe write of a constant string. */
static void say(const char *s)
{
	ssize_t r = write(2, s, strlen(s));

	(void)r;
}

static void timeout_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	sc_fatal(L, "timeout: the script ran for more than %u seconds "
		 "(--timeout)", timeout_secs);
}

static void on_signal(int sig)
{
	if (sig == SIGALRM && !timed_out) {
		/* Stop the script at its next Lua instruction; if it is
		 * stuck inside a backend call, the second alarm ends it. */
		timed_out = 1;
		if (run_L)
			lua_sethook(run_L, timeout_hook,
				    LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
		alarm(10);
		return;
	}
	if (sig == SIGALRM)
		say("mmlab run: timeout (--timeout): the script is stuck in a "
		    "backend call; giving up\n");
	else if (sig == SIGINT)
		say("mmlab run: interrupted (SIGINT)\n");
	else if (sig == SIGTERM)
		say("mmlab run: terminated (SIGTERM)\n");
	else
		say("mmlab run: hung up (SIGHUP)\n");
	sc_emergency_cleanup();
	_exit(2);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Does msg start with "chunk:line:"? */
static bool has_location(const char *msg)
{
	const char *c = strchr(msg, ':');

	if (!c || c[1] < '0' || c[1] > '9')
		return false;
	for (c++; *c >= '0' && *c <= '9'; c++)
		;
	return *c == ':';
}

/* Message handler: make sure an uncaught error says file:line, and add
 * the Lua traceback (which function called which) when the error is not
 * in the main chunk itself. */
static int msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	char loc[256];
	lua_Debug ar;
	int depth = 0;

	if (!msg)
		msg = luaL_tolstring(L, 1, NULL);
	where(L, loc, sizeof(loc));
	if (loc[0] && !has_location(msg))
		msg = lua_pushfstring(L, "%s%s", loc, msg);
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "S", &ar);
		depth += !strcmp(ar.what, "Lua");
	}
	if (depth > 0)
		luaL_traceback(L, L, msg, 1);
	else
		lua_pushstring(L, msg);
	return 1;
}

/* Apply MMLAB_SET (backends that do not do it themselves) and --set. */
static void apply_sets(const struct sc_options *o)
{
	const char *env = getenv("MMLAB_SET");

	if (env && strcmp(sc_be->name, "model")) {
		char *copy = strdup(env), *tok, *save;

		for (tok = strtok_r(copy, ";", &save); tok;
		     tok = strtok_r(NULL, ";", &save)) {
			char *eq = strchr(tok, '=');
			int ret;

			while (*tok == ' ')
				tok++;
			if (!*tok)
				continue;
			if (!eq)
				sc_die("MMLAB_SET: '%s' is not path=value", tok);
			*eq = 0;
			if (!strncmp(tok, "/sys/kernel/mm/mmlab/", 21)) {
				fprintf(stderr, "mmlab run: MMLAB_SET: %s is "
					"model-only; ignored on the %s backend\n",
					tok, sc_be->name);
				continue;
			}
			ret = sc_be->knob_set(tok, eq + 1);
			if (ret) {
				char hint[600];

				sc_knob_hint(tok, ret, hint, sizeof(hint));
				sc_die("MMLAB_SET: %s=%s: %s%s", tok, eq + 1,
				       ret == -ENOENT ? "unknown knob path" :
				       sc_errno_name(-ret), hint);
			}
		}
		free(copy);
	}
	for (int i = 0; i < o->nr_sets; i++) {
		char *kv = strdup(o->sets[i]), *eq = strchr(kv, '=');
		char hint[600];
		int ret;

		*eq = 0;
		ret = sc_be->knob_set(kv, eq + 1);
		if (ret == -EOPNOTSUPP)
			sc_die("--set %s: model-only; it cannot be set on the "
			       "%s backend", kv, sc_be->name);
		if (ret == -EACCES || ret == -EPERM)
			sc_die("--set %s: permission denied (the %s backend "
			       "needs root)", kv, sc_be->name);
		sc_knob_hint(kv, ret, hint, sizeof(hint));
		if (ret)
			sc_die("--set %s=%s: %s%s", kv, eq + 1,
			       ret == -ENOENT ? "unknown knob path" :
			       sc_errno_name(-ret), hint);
		free(kv);
	}
}

int sc_run(const struct sc_options *o)
{
	lua_State *L;
	int status;

	if (!strcmp(o->backend, "model"))
		sc_be = &sc_backend_model;
	else if (!strcmp(o->backend, "linux"))
		sc_be = &sc_backend_linux;
	else {
		fprintf(stderr, "mmlab run: unknown backend '%s' (use model "
			"or linux)\n", o->backend);
		return 2;
	}
	if (access(o->script, R_OK)) {
		fprintf(stderr, "mmlab run: %s: %s\n", o->script,
			strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o->obs_path) {
		obs_file = fopen(o->obs_path, "we");
		if (!obs_file) {
			fprintf(stderr, "mmlab run: %s: %s\n", o->obs_path,
				strerror(errno));
			return 2;
		}
	}
	timeout_secs = o->timeout;
	install_signals();
	if (sc_be->start(o))
		return 2;
	apply_sets(o);
	if (o->results_path && sc_stats_begin(o->results_path))
		sc_die("mmlab run: %s: %s", o->results_path, strerror(errno));

	L = luaL_newstate();
	if (!L)
		sc_die("mmlab run: cannot create a Lua state");
	sc_open_libs(L, o->unsafe_lua);
	sc_open_mm(L, o);
	/* The same random sequence on both backends. */
	lua_getglobal(L, "math");
	lua_getfield(L, -1, "randomseed");
	lua_pushinteger(L, (lua_Integer)o->seed);
	lua_call(L, 1, 0);
	lua_pop(L, 1);

	lua_pushcfunction(L, msgh);
	if (luaL_loadfile(L, o->script)) {
		fflush(stdout);
		fprintf(stderr, "%s\n", lua_tostring(L, -1));
		finish_backend();
		return 2;
	}
	run_L = L;
	if (o->timeout)
		alarm(o->timeout);
	status = lua_pcall(L, 0, 0, -2);
	alarm(0);
	run_L = NULL;
	fflush(stdout);
	if (status != LUA_OK)
		fprintf(stderr, "%s\n", lua_tostring(L, -1));
	else if (nr_failed)
		printf("%d expectation%s failed\n", nr_failed,
		       nr_failed == 1 ? "" : "s");
	else if (nr_checked)
		printf("%d expectation%s held\n", nr_checked,
		       nr_checked == 1 ? "" : "s");
	fflush(stdout);
	if (o->results_path && sc_stats_end()) {
		fprintf(stderr, "mmlab run: %s: write failed\n", o->results_path);
		status = LUA_ERRRUN;
	}
	finish_backend();
	lua_close(L);
	if (obs_file && fclose(obs_file)) {
		fprintf(stderr, "mmlab run: %s: write failed\n", o->obs_path);
		return 2;
	}
	if (status != LUA_OK)
		return 2;
	return nr_failed ? 1 : 0;
}
