/*
 * recorded.h - recorded programs for the benchmarks' replay cases
 * (recorded.c): a Debian program run under `mmlab record` on a generated
 * input, the trace cached under the build directory.
 *
 * The cache: <directory of the mmlab binary>/bench-traces/NAME-KEY.mmt,
 * KEY the FNV-1a 64 hash of the program's binary, the command's words and
 * the input's bytes; a trace found there is used as it is (a different
 * program, command or input is a different file).  The input is generated
 * by the caller into bench_trace_input()'s path (stable, so that the
 * recorded file paths and the key do not depend on a temporary name).
 * Recording a case's trace anew removes its older traces.
 * Single-threaded: the bench thread alone uses it.
 */
#ifndef MMLAB_BENCH_RECORDED_H
#define MMLAB_BENCH_RECORDED_H

#include <stdbool.h>
#include <stddef.h>

struct bench_trace {
	char path[512];		/* the trace */
	char key[17];		/* hex: program, command and input */
	char hash[17];		/* hex FNV-1a 64 of the trace file */
	bool cached;		/* found in the cache, not recorded now */
	double record_s;	/* the recording's wall time (0 when cached) */
	char err[256];
};

/* The path for a case's input file (in the cache directory, created). */
int bench_trace_input(const char *name, char *path, size_t len);

/* The trace of @argv (NULL-terminated; argv[0] an absolute path) run on
 * the input at @input: from the cache or recorded now.  0, or -1 with
 * t->err set (the recorder not built, the program missing, it failed). */
int bench_trace_get(const char *name, const char *const *argv, const char *input,
		    struct bench_trace *t);

/* The record of a case whose trace could not be had: @t->err as its note. */
struct bench_ctx;
void bench_trace_note(struct bench_ctx *ctx, const char *case_name, const char *program,
		      const struct bench_trace *t);

#endif
