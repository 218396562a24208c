/* bench.c - placeholder until the benchmarks land (owned by the bench work). */
#include <stdio.h>
#include "cli.h"

int cmd_bench(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "mmlab bench: not built yet\n");
	return 2;
}
