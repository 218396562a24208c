/*
 * cli.h - the mmlab command's subcommands.  Each returns the process exit
 * status: 0 success, 1 a failed expectation or check, 2 usage error or
 * bad input.
 */
#ifndef MMLAB_CLI_H
#define MMLAB_CLI_H

int cmd_run(int argc, char **argv);	/* src/cli/run.c */
int cmd_diff(int argc, char **argv);	/* src/cli/run.c */
int cmd_bench(int argc, char **argv);	/* src/cli/bench.c */
int cmd_host(int argc, char **argv);	/* src/cli/host.c */
int cmd_explore(int argc, char **argv);	/* src/cli/explore.c */
int cmd_sweep(int argc, char **argv);	/* src/cli/sweep.c */
int cmd_report(int argc, char **argv);	/* src/cli/report.c */

#endif
