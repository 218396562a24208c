/*
 * host_profile.h - what mmlab knows of the kernel it runs on (see
 * host_profile.c): facts, boot switches, CONFIG values, behaviours probed
 * in a child process, and tunables whose value differs from the model's
 * default.  Each item says how it was found, what stock 6.18 (the model's
 * defaults) would show, and which model knob reproduces it.
 */
#ifndef MMLAB_HOST_PROFILE_H
#define MMLAB_HOST_PROFILE_H

#include <stdbool.h>
#include <stdio.h>

#define HOST_MAX_ITEMS	96

enum host_kind {
	HOST_FACT,	/* release, CPUs, NUMA nodes, root */
	HOST_BOOT,	/* a boot switch on /proc/cmdline */
	HOST_CONFIG,	/* a CONFIG_ value from /proc/config.gz */
	HOST_PROBE,	/* a behaviour, probed */
	HOST_KNOB,	/* a tunable whose value is not the model's default */
};

struct host_item {
	enum host_kind kind;
	char name[80];		/* "zero_page", "CONFIG_PT_RECLAIM", a path */
	char value[96];		/* probes: "yes", "no" or "unknown" */
	char stock[64];		/* what stock 6.18 shows; "" if nothing fixed */
	char how[320];		/* how it was found */
	char model_set[192];	/* "path=value": the model knob that makes the
				 * model behave as this host; "" if none */
	bool differs;		/* value is not stock */
};

struct host_profile {
	int n;
	struct host_item item[HOST_MAX_ITEMS];
	double probe_ms;	/* time the probes took */
};

/* The profile of this host: loaded from $MMLAB_HOST_PROFILE when a parent
 * (mmlab diff) probed it already, probed otherwise; cached for the
 * process.  Never NULL. */
const struct host_profile *host_profile(void);
/* Probe now (no cache, no environment). */
void host_profile_probe(struct host_profile *hp);
/* Write / read the profile as lines of tab-separated fields. */
int host_profile_save(const struct host_profile *hp, const char *path);
int host_profile_load(struct host_profile *hp, const char *path);
const struct host_item *host_item_find(const struct host_profile *hp,
				       const char *name);

/* Requirements a scenario can state (mm.require / mm.has). */
extern const char *const host_requirements[];
/* 1: this host has it, 0: it lacks it (*why says why), -ENOENT: no such
 * requirement. */
int host_has(const struct host_profile *hp, const char *req, const char **why);

/* `mmlab host`: the profile for people (text) or programs (JSON lines). */
void host_profile_print(const struct host_profile *hp, FILE *f, bool json);
/* The one-paragraph summary `mmlab diff` prints at its top: the items
 * that differ from stock.  Returns how many differ. */
int host_profile_print_differences(const struct host_profile *hp, FILE *f);

#endif
