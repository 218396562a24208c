/*
 * host_probe.h - behaviours of the running kernel, probed in a child
 * process (host_probe.c); host_profile.c turns them into profile items.
 */
#ifndef MMLAB_HOST_PROBE_H
#define MMLAB_HOST_PROBE_H

#include <stdbool.h>

enum probe_id {
	PROBE_ZERO_PAGE,
	PROBE_HUGE_ZERO_PAGE,
	PROBE_TLB_IPIS,
	PROBE_SOFT_DIRTY,
	PROBE_PT_RECLAIM,
	PROBE_UFFD_WP,
	PROBE_UFFD_WP_SHMEM,
	PROBE_SWAP,
	PROBE_EXACT_YOUNG,
	PROBE_PAGEMAP_SCAN,
	PROBE_UFFD_WP_ASYNC,
	PROBE_GUP_TEST,
	PROBE_SPLIT_HUGE_PAGES,
	PROBE_NR
};

struct probe_result {
	char value[16];		/* "yes", "no", "unknown" */
	char how[256];
};

struct probe_results {
	struct probe_result r[PROBE_NR];
};

/* Run every probe in a child process, or take this boot's answers from
 * the cache; returns the milliseconds taken (0 from the cache). */
double host_probe_run(struct probe_results *out);
/* Set: probe again and refresh the cache (`mmlab host`). */
extern bool host_probe_fresh;

#endif
