/*
 * grid.c - an experiment's grid: axes of values and their product.  Axis
 * names are checked here (a knob must be one the model has), values of
 * --cpus and --mem too; a knob's value is checked by the run that sets it.
 * A Lua grid file is a script that returns a table (docs/experiments.md);
 * it runs in the scenario sandbox's libraries.  Single-threaded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>

#include <mmlab/mmlab.h>
#include "grid.h"
#include "script/script.h"

/* The full path of a model knob named by its path or a unique end of it
 * after a '/'; NULL when none or several match (*nmatch says). */
static const char *knob_resolve(const char *name, int *nmatch)
{
	const char *path, *found = NULL;
	char def[256];
	size_t n = strlen(name);

	mmlab_knob_default("/", def, sizeof(def));	/* fills the table */
	*nmatch = 0;
	for (unsigned int i = 0; (path = mmlab_knob_name(i)); i++) {
		size_t m = strlen(path);

		if (!strcmp(path, name))
			return *nmatch = 1, path;
		if (name[0] != '/' && m > n && path[m - n - 1] == '/' &&
		    !strcmp(path + m - n, name)) {
			found = path;
			++*nmatch;
		}
	}
	return *nmatch == 1 ? found : NULL;
}

static int bad(const char *where, const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "mmlab sweep: %s ", where);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 2;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int check_value(const char *where_, const char *name, const char *v)
{
	char where[4400];
	uint64_t x;

	/* "--cpus 'x'", "--set luf/enabled", "grid.lua: cpus 'x'" */
	if (!strcmp(where_, "--cpus") || !strcmp(where_, "--mem"))
		snprintf(where, sizeof(where), "%s", where_);
	else
		snprintf(where, sizeof(where), "%s %s:", where_, name);

	if (!*v)
		return bad(where, "an empty value%s%s (values are separated by "
			   "single commas)", "", "");
	if (!strcmp(name, "cpus") &&
	    (parse_size(v, &x) || strpbrk(v, "KkMmGg") || x < 1 || x > MMLAB_MAX_CPUS))
		return bad(where, "'%s': a number from 1 to %s", v, "64");
	if (!strcmp(name, "mem") &&
	    (parse_size(v, &x) || x < MMLAB_MIN_NODE_BYTES || x > MMLAB_MAX_NODE_BYTES ||
	     x % (4 << 20)))
		return bad(where, "'%s': a size from 4M to 1024G in whole "
			   "4M blocks, such as 256M or 4G%s", v, "");
	if (strchr(v, ';'))
		return bad(where, "value '%s' has a ';'%s", v, "");
	return 0;
}

int grid_add_axis(struct grid *g, const char *name, const char *values,
		  const char *where)
{
	struct axis *a;
	char *copy, *s, *comma;
	int nmatch;

	if (strcmp(name, "cpus") && strcmp(name, "mem")) {
		const char *path = knob_resolve(name, &nmatch);

		if (!path)
			return bad(where, nmatch ? "'%s': names %s knobs; give "
				   "more of its path" : "'%s': unknown knob%s (README.md, Knobs, "
				   "lists the model's)", name,
				   nmatch ? "several" : "");
		name = path;
	}
	for (int i = 0; i < g->nr_axes; i++)
		if (!strcmp(g->axis[i].name, name))
			return bad(where, "'%s' is given twice%s", name, "");
	if (g->nr_axes == GRID_MAX_AXES)
		return bad(where, "'%s': at most 16 axes%s", name, "");
	a = &g->axis[g->nr_axes];
	memset(a, 0, sizeof(*a));
	copy = strdup(values);
	for (s = copy; s; s = comma ? comma + 1 : NULL) {
		comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		if (check_value(where, name, s)) {
			free(copy);
			return 2;
		}
		if (a->n == GRID_MAX_VALUES) {
			free(copy);
			return bad(where, "%s: more than 256 values%s", name, "");
		}
		a->val[a->n++] = strdup(s);
	}
	free(copy);
	a->name = strdup(name);
	g->nr_axes++;
	return 0;
}

int grid_set_seeds(struct grid *g, const char *spec, const char *where)
{
	char *copy = strdup(spec), *s, *comma, *end, *end2;

	g->nr_seeds = 0;
	for (s = copy; s; s = comma ? comma + 1 : NULL) {
		unsigned long long a, b;

		comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		errno = 0;
		a = strtoull(s, &end, 10);
		b = a;
		if (*end == '-')
			b = strtoull(end + 1, &end2, 10), end = end2;
		if (errno || end == s || *end || *s == '-' || b < a ||
		    g->nr_seeds + (b - a) >= GRID_MAX_VALUES) {
			free(copy);
			return bad(where, "'%s': numbers and ranges such "
				   "as 1,2,5 or 1-10 (at most 256 seeds)%s", spec, "");
		}
		for (unsigned long long x = a; x <= b; x++)
			g->seed[g->nr_seeds++] = x;
	}
	free(copy);
	return 0;
}

size_t grid_size(const struct grid *g)
{
	size_t n = g->nr_seeds ? g->nr_seeds : 1;

	for (int i = 0; i < g->nr_axes; i++)
		n *= g->axis[i].n;
	return n;
}

void grid_point(const struct grid *g, size_t i, struct point *p)
{
	size_t nseeds = g->nr_seeds ? g->nr_seeds : 1;
	uint64_t v;

	memset(p, 0, sizeof(*p));
	p->bench = g->bench;
	p->replay = g->replay;
	p->target = g->target;
	for (int k = 0; k < g->nr_args; k++)
		p->args[p->nr_args++] = g->args[k];
	p->deterministic = g->deterministic;
	p->timeout = g->timeout;
	p->seed = g->nr_seeds ? g->seed[i % nseeds] : 1;
	i /= nseeds;
	for (int k = g->nr_axes - 1; k >= 0; k--) {
		const struct axis *a = &g->axis[k];
		const char *val = a->val[i % a->n];

		i /= a->n;
		if (!strcmp(a->name, "cpus")) {
			p->cpus = (unsigned int)strtoul(val, NULL, 10);
		} else if (!strcmp(a->name, "mem")) {
			if (!parse_size(val, &v))
				p->mem = v;
		} else {
			/* "path=value" strings live as long as the grid */
			static char *memo[GRID_MAX_AXES][GRID_MAX_VALUES];
			int j;

			for (j = 0; a->val[j] != val; j++)
				;
			if (!memo[k][j] && asprintf(&memo[k][j], "%s=%s", a->name, val) < 0)
				continue;
			p->sets[p->nr_sets++] = memo[k][j];
		}
	}
}

/* Field `name` of the table at -1 as a comma list of its values (a
 * scalar or an array of scalars); NULL when absent. */
static char *lua_list(lua_State *L, const char *name, int idx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	lua_getfield(L, idx, name);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return NULL;
	}
	f = open_memstream(&buf, &len);
	if (lua_istable(L, -1)) {
		lua_Integer n = luaL_len(L, -1);

		for (lua_Integer i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			fprintf(f, "%s%s", i > 1 ? "," : "", lua_tostring(L, -1) ?
				lua_tostring(L, -1) : "");
			lua_pop(L, 1);
		}
	} else {
		fprintf(f, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "");
	}
	fclose(f);
	lua_pop(L, 1);
	return buf;
}

static int knob_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The table's `set`: knob = value or {values}, knobs in name order. */
static int lua_sets(lua_State *L, struct grid *g, const char *where)
{
	char *names[GRID_MAX_AXES];
	int n = 0, ret = 0;

	lua_getfield(L, -1, "set");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1))
		return bad(where, "set: a table of knob = values%s", "", "");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING || n == GRID_MAX_AXES) {
			lua_pop(L, 2);
			return bad(where, "set: keys are knob names (at most 16)%s%s", "", "");
		}
		names[n++] = strdup(lua_tostring(L, -1));
	}
	qsort(names, n, sizeof(*names), knob_cmp);
	for (int i = 0; i < n; i++) {
		char *vals = lua_list(L, names[i], -1);

		if (!ret)
			ret = grid_add_axis(g, names[i], vals ? vals : "", where);
		free(vals);
		free(names[i]);
	}
	lua_pop(L, 1);
	return ret;
}

static int lua_grid(lua_State *L, struct grid *g, const char *where)
{
	static const char *const keys[] = { "scenario", "bench", "replay", "args", "cpus",
		"mem", "seeds", "set", "timeout", "deterministic", NULL };
	char *s;
	int ret = 0;

	lua_pushnil(L);
	while (lua_next(L, -2)) {
		int k = 0;

		lua_pop(L, 1);
		while (keys[k] && (lua_type(L, -1) != LUA_TSTRING ||
				   strcmp(keys[k], lua_tostring(L, -1))))
			k++;
		if (!keys[k]) {
			const char *name = lua_type(L, -1) == LUA_TSTRING ?
					   lua_tostring(L, -1) : "(not a string)";

			lua_pop(L, 1);
			return bad(where, "unknown field '%s' (fields: scenario, bench, "
				   "replay, args, cpus, mem, seeds, set, timeout, "
				   "deterministic)%s", name, "");
		}
	}
	lua_getfield(L, -1, "scenario");
	lua_getfield(L, -2, "bench");
	lua_getfield(L, -3, "replay");
	if (lua_isstring(L, -3) + lua_isstring(L, -2) + lua_isstring(L, -1) != 1) {
		lua_pop(L, 3);
		return bad(where, "give one of scenario = \"x.lua\", bench = \"name\" "
			   "and replay = \"trace.mmt\"%s%s", "", "");
	}
	g->bench = lua_isstring(L, -2);
	g->replay = lua_isstring(L, -1);
	g->target = strdup(lua_tostring(L, g->replay ? -1 : g->bench ? -2 : -3));
	lua_pop(L, 3);
	lua_getfield(L, -1, "args");
	if (lua_istable(L, -1))
		for (lua_Integer i = 1; i <= luaL_len(L, -1) && g->nr_args < POINT_MAX_ARGS; i++) {
			lua_geti(L, -1, i);
			g->args[g->nr_args++] = strdup(luaL_tolstring(L, -1, NULL));
			lua_pop(L, 2);
		}
	lua_pop(L, 1);
	for (const char *const *ax = (const char *const[]){ "cpus", "mem", NULL }; *ax; ax++)
		if (!ret && (s = lua_list(L, *ax, -1))) {
			ret = grid_add_axis(g, *ax, s, where);
			free(s);
		}
	if (!ret && (s = lua_list(L, "seeds", -1))) {
		ret = grid_set_seeds(g, s, where);
		free(s);
	}
	if (!ret)
		ret = lua_sets(L, g, where);
	lua_getfield(L, -1, "timeout");
	if (lua_isinteger(L, -1))
		g->timeout = (unsigned int)lua_tointeger(L, -1);
	lua_getfield(L, -2, "deterministic");
	g->deterministic = lua_toboolean(L, -1);
	lua_pop(L, 2);
	return ret;
}

int grid_load_lua(struct grid *g, const char *path)
{
	lua_State *L = luaL_newstate();
	char where[4200];
	int ret;

	snprintf(where, sizeof(where), "%s:", path);
	sc_open_libs(L, false);
	if (luaL_loadfile(L, path) || lua_pcall(L, 0, 1, 0)) {
		fprintf(stderr, "mmlab sweep: %s\n", lua_tostring(L, -1));
		lua_close(L);
		return 2;
	}
	if (!lua_istable(L, -1)) {
		lua_close(L);
		return bad(where, "the grid file must return a table (docs/"
			   "experiments.md)%s%s", "", "");
	}
	ret = lua_grid(L, g, where);
	lua_close(L);
	return ret;
}
