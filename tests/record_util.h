/*
 * record_util.h - helpers of the trace tests (test_trace.c, test_record.c),
 * header only: a path in the test's temporary directory (the test defines
 * `dir`) and a replay counter by name.
 */
#ifndef MMLAB_TESTS_RECORD_UTIL_H
#define MMLAB_TESTS_RECORD_UTIL_H


/* dir/name; four results may be in use at once. */
static const char *tpath(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static uint64_t counter(const struct replay_result *res, const char *name)
{
	for (unsigned int i = 0; i < replay_nr_counters; i++)
		if (!strcmp(replay_counters[i], name))
			return res->counters[i];
	fail_msg("no counter %s", name);
	return 0;
}

#endif
