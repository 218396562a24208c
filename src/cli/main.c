/*
 * main.c - the mmlab command: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: mmlab <command> [options]\n"
"\n"
"commands:\n"
"  run     run a Lua scenario on the model or the real kernel\n"
"  diff    run a scenario on both backends and compare observations\n"
"  bench   run benchmarks (model beside the host kernel)\n"
"  explore run a scenario under the deterministic scheduler for many\n"
"          seeds; stop at the first that fails, with its replay command\n"
"  host    what mmlab knows of the running kernel (the host profile)\n"
"  sweep   run a grid of points into an SQLite database\n"
"  report  an HTML page of plots from a sweep's database\n"
"\n"
"'mmlab <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return cmd_diff(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	if (!strcmp(argv[1], "explore"))
		return cmd_explore(argc - 1, argv + 1);
	if (!strcmp(argv[1], "host"))
		return cmd_host(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sweep"))
		return cmd_sweep(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	fprintf(stderr, "mmlab: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
