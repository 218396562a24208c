/*
 * run_stats.c - what `mmlab run --results FILE` records of one run beside
 * its observations, for `mmlab sweep` and `mmlab run --json`: the vmstat
 * deltas over the script, the simulated time it took (model: the largest
 * advance of any CPU's cost clock) and the value of every model knob as
 * the script starts (after MMLAB_SET and --set; the reader, which has no
 * machine up, keeps those that differ from their defaults).
 *
 * The file: one record a line, tab-separated, "vmstat NAME DELTA",
 * "knob PATH VALUE", "sim_cycles N".  Single-threaded: called by the
 * thread that runs the script, before and after it; no locks.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmlab/mmlab.h>
#include "script.h"

struct vm_snap {
	char **name;
	uint64_t *val;
	int n, cap;
};

static struct vm_snap before;
static uint64_t cycles0[MMLAB_MAX_CPUS];
static FILE *res;

static void snap_cb(void *ctx, const char *name, uint64_t val)
{
	struct vm_snap *s = ctx;

	if (s->n == s->cap) {
		s->cap = s->cap * 2 + 64;
		s->name = realloc(s->name, s->cap * sizeof(*s->name));
		s->val = realloc(s->val, s->cap * sizeof(*s->val));
		if (!s->name || !s->val)
			sc_die("mmlab run: out of memory");
	}
	s->name[s->n] = strdup(name);
	s->val[s->n++] = val;
}

static bool is_model(void)
{
	return !strcmp(sc_be->name, "model");
}

/* Every model knob, as the script starts. */
static void write_knobs(void)
{
	char cur[256];
	const char *path;

	for (unsigned int i = 0; (path = mmlab_knob_name(i)); i++) {
		if (mmlab_knob_get(path, cur, sizeof(cur)))
			continue;
		cur[strcspn(cur, "\n")] = 0;
		fprintf(res, "knob\t%s\t%s\n", path, cur);
	}
}

int sc_stats_begin(const char *path)
{
	res = fopen(path, "we");
	if (!res)
		return -1;
	if (sc_be->vmstat)
		sc_be->vmstat(snap_cb, &before);
	if (is_model()) {
		write_knobs();
		for (unsigned int c = 0; c < mmlab_nr_cpus() && c < MMLAB_MAX_CPUS; c++)
			cycles0[c] = mmlab_cpu_cycles(c);
	}
	return 0;
}

/* Before the backend finishes (the model's machine is still up). */
int sc_stats_end(void)
{
	struct vm_snap after = { 0 };
	uint64_t span = 0;

	if (!res)
		return 0;
	if (sc_be->vmstat)
		sc_be->vmstat(snap_cb, &after);
	for (int i = 0; i < after.n; i++) {
		int64_t d = (int64_t)after.val[i];

		for (int j = 0; j < before.n; j++)
			if (!strcmp(before.name[j], after.name[i])) {
				d -= (int64_t)before.val[j];
				break;
			}
		if (d)
			fprintf(res, "vmstat\t%s\t%" PRId64 "\n", after.name[i], d);
		free(after.name[i]);
	}
	free(after.name);
	free(after.val);
	if (is_model()) {
		for (unsigned int c = 0; c < mmlab_nr_cpus() && c < MMLAB_MAX_CPUS; c++) {
			uint64_t d = mmlab_cpu_cycles(c) - cycles0[c];

			span = d > span ? d : span;
		}
		fprintf(res, "sim_cycles\t%" PRIu64 "\n", span);
	}
	if (fclose(res)) {
		res = NULL;
		return -1;
	}
	res = NULL;
	return 0;
}
