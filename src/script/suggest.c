/*
 * suggest.c - "did you mean ...?": the known name nearest to a misspelt
 * one (a knob path, a vmstat counter), by edit distance, and what a
 * knob accepts: the hints of the error messages of mm.set/mm.get,
 * mm.vmstat(), --set and `mmlab knobs`.  No state: each call walks the
 * names it is given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmlab/mmlab.h>
#include "script.h"

/* Levenshtein distance of a and b, at most 255 characters each. */
static unsigned int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned int row[256];

	if (la > 255 || lb > 255)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *sc_suggest(const char *word, const char *(*name)(unsigned int i))
{
	unsigned int best = 1000, limit = 2 + (unsigned int)strlen(word) / 6;
	const char *pick = NULL, *n;

	for (unsigned int i = 0; (n = name(i)); i++) {
		unsigned int d = edit_distance(word, n);

		if (d < best) {
			best = d;
			pick = n;
		}
	}
	return best <= limit ? pick : NULL;
}

/* The model's knob table, filled: it is when the model machine is up;
 * for the linux backend (no machine) mmlab_knob_default fills it. */
static void knob_table_ready(void)
{
	char def[8];

	if (!mmlab_knob_name(0))
		mmlab_knob_default("/", def, sizeof(def));
}

void sc_knob_hint(const char *path, int err, char *buf, size_t len)
{
	char acc[512];
	const char *near;

	buf[0] = 0;
	knob_table_ready();
	if (err == -ENOENT) {
		near = sc_suggest(path, mmlab_knob_name);
		if (near)
			snprintf(buf, len, " (did you mean '%s'?)", near);
		else
			snprintf(buf, len, " (`mmlab knobs` lists them)");
		return;
	}
	if (err != -EINVAL)
		return;
	if (!mmlab_knob_accepts(path, acc, sizeof(acc))) {
		snprintf(buf, len, " (accepted: %s)", acc);
		return;
	}
	/* a kernel knob the model lacks: a choice file lists its words */
	if (sc_be && !sc_be->knob_get(path, acc, sizeof(acc)) && strchr(acc, '[')) {
		char *w = acc, *o = acc;

		for (; *w; w++)
			if (*w != '[' && *w != ']')
				*o++ = *w == ' ' ? ',' : *w;
		*o = 0;
		snprintf(buf, len, " (accepted: %s)", acc);
	}
}
