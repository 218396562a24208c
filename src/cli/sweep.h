/*
 * sweep.h - `mmlab sweep` (sweep.c: options, the local run) and its Slurm
 * side (slurm.c: submit the grid as a job array, run one task, collect
 * the tasks' result files into the database).
 */
#ifndef MMLAB_CLI_SWEEP_H
#define MMLAB_CLI_SWEEP_H

#include <sqlite3.h>
#include "grid.h"

struct sweep {
	struct grid g;
	const char *db_path;
	unsigned int jobs;
	bool slurm;
	const char *sbatch_opts;	/* --slurm=OPTIONS */
	const char *dir;		/* --slurm-dir / --collect DIR / --out */
	bool collect;
	bool from_grid;			/* --grid FILE */
	long task;			/* --task N: -1 none */
	const char *task_list;		/* --task-list FILE: N is its line */
	/* the options that define the grid, as given: a Slurm task gets
	 * them again */
	char **grid_argv;
	int grid_argc;
	char *command;			/* the whole command line */
};

/* slurm.c; each returns the exit status */
int slurm_submit(struct sweep *s);
int slurm_task(struct sweep *s);
int slurm_collect(struct sweep *s, sqlite3 *db);
/* "DB.slurm" beside the database when no directory is given */
const char *slurm_dir(struct sweep *s);

#endif
