/*
 * sysfs.c - the knob table: every tunable the model has, by its kernel path
 * (/sys/kernel/mm/..., /sys/kernel/debug/...), with the kernel's parsing:
 * a bad value is refused with -EINVAL, an unknown path with -ENOENT.
 * Mechanisms that exist only in the model live under /sys/kernel/mm/mmlab/.
 *
 * Knob values are read with READ_ONCE where they are used; a knob changes
 * the behaviour of operations that start after the write.
 */
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"

struct mm_knobs knobs;

struct knob {
	const char *path;
	int *ival;
	unsigned int *uval;
	long min, max;
	void (*changed)(void);
};

static void stale_check_changed(void)
{
	hw_stale_check = READ_ONCE(knobs.stale_check) != 0;
}

static const struct knob knob_table[] = {
	{ "/sys/kernel/mm/mmlab/debug/skip_flush", &knobs.skip_flush, NULL, 0, 1, NULL },
	{ "/sys/kernel/mm/mmlab/debug/stale_check", &knobs.stale_check, NULL, 0, 1,
	  stale_check_changed },
	{ "/sys/kernel/debug/x86/tlb_single_page_flush_ceiling", NULL,
	  &knobs.tlb_single_page_flush_ceiling, 0, 1L << 30, NULL },
};

int knobs_init(void)
{
	memset(&knobs, 0, sizeof(knobs));
	knobs.tlb_single_page_flush_ceiling = 33;
	return 0;
}

static const struct knob *knob_find(const char *path)
{
	for (size_t i = 0; path && i < ARRAY_SIZE(knob_table); i++)
		if (!strcmp(knob_table[i].path, path))
			return &knob_table[i];
	return NULL;
}

/* kstrtol-like: decimal, optional sign, one trailing newline allowed. */
static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int mmlab_knob_set(const char *path, const char *value)
{
	const struct knob *k = knob_find(path);
	long v;

	if (!k)
		return -ENOENT;
	if (parse_long(value, &v) || v < k->min || v > k->max)
		return -EINVAL;
	if (k->ival)
		WRITE_ONCE(*k->ival, (int)v);
	else
		WRITE_ONCE(*k->uval, (unsigned int)v);
	if (k->changed)
		k->changed();
	return 0;
}

int mmlab_knob_get(const char *path, char *buf, size_t len)
{
	const struct knob *k = knob_find(path);
	int n;

	if (!k)
		return -ENOENT;
	if (!buf || !len)
		return -EINVAL;
	n = k->ival ? snprintf(buf, len, "%d", READ_ONCE(*k->ival)) :
		      snprintf(buf, len, "%u", READ_ONCE(*k->uval));
	return n < 0 ? -EINVAL : 0;
}

const char *mmlab_knob_name(unsigned int i)
{
	return i < ARRAY_SIZE(knob_table) ? knob_table[i].path : NULL;
}

/* MMLAB_SET="path=value;path=value": applied at machine creation. */
int knobs_apply_env(void)
{
	const char *env = getenv("MMLAB_SET");
	char *copy, *save = NULL;
	int ret = 0;

	if (!env || !*env)
		return 0;
	copy = strdup(env);
	if (!copy)
		return -ENOMEM;
	for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(item, '=');

		if (!*item)
			continue;
		if (!eq) {
			fprintf(stderr, "MMLAB_SET: '%s': expected path=value\n", item);
			ret = -EINVAL;
			break;
		}
		*eq = 0;
		ret = mmlab_knob_set(item, eq + 1);
		if (ret == -ENOENT && strncmp(item, "/sys/kernel/mm/mmlab/", 21)) {
			/* a kernel knob the model does not have yet: not an error
			 * of the user's, but say so */
			fprintf(stderr, "MMLAB_SET: %s: not modelled, ignored\n", item);
			ret = 0;
			continue;
		}
		if (ret) {
			fprintf(stderr, "MMLAB_SET: %s=%s: %s\n", item, eq + 1,
				ret == -ENOENT ? "no such knob" : "invalid value");
			break;
		}
	}
	free(copy);
	return ret;
}
