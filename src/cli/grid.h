/*
 * grid.h - the grid of an experiment (grid.c): what runs, and the axes
 * whose product are its points: --cpus, --mem, knobs (--set K=v1,v2,...),
 * seeds; from the command line or a Lua grid file (docs/experiments.md).
 */
#ifndef MMLAB_CLI_GRID_H
#define MMLAB_CLI_GRID_H

#include "point.h"

#define GRID_MAX_AXES	16
#define GRID_MAX_VALUES	256

struct axis {
	char *name;		/* "cpus", "mem" or a knob's full path */
	char *val[GRID_MAX_VALUES];
	int n;
};

struct grid {
	bool bench;
	bool replay;		/* target is a recorded trace */
	char *target;		/* script, benchmark or trace */
	char *args[POINT_MAX_ARGS];
	int nr_args;
	struct axis axis[GRID_MAX_AXES];
	int nr_axes;
	uint64_t seed[GRID_MAX_VALUES];
	int nr_seeds;
	bool deterministic;
	unsigned int timeout;
};

/* Add an axis: "cpus", "mem" or a knob (its full path, or a unique end of
 * one: "luf/enabled"), values comma-separated.  0, or 2 said why (where:
 * "--set" or "grid.lua:" for the message). */
int grid_add_axis(struct grid *g, const char *name, const char *values,
		  const char *where);
/* Seeds: "1,2,3", "1-5" or a mix.  0 or 2. */
int grid_set_seeds(struct grid *g, const char *spec, const char *where);
/* Load a Lua grid file into g.  0 or 2 (said why, file:line where Lua
 * knows it). */
int grid_load_lua(struct grid *g, const char *path);
/* Number of points, and point i (its strings point into g). */
size_t grid_size(const struct grid *g);
void grid_point(const struct grid *g, size_t i, struct point *p);

#endif
