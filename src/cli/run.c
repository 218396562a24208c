/* run.c - placeholder until the scenario runner lands (owned by the script work). */
#include <stdio.h>
#include "cli.h"

int cmd_run(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "mmlab run: not built yet\n");
	return 2;
}

int cmd_diff(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "mmlab diff: not built yet\n");
	return 2;
}
