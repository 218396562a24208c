/*
 * host.c - `mmlab host`: the profile of the kernel mmlab compares the model
 * with (src/script/host_profile.c).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "script/host_probe.h"
#include "script/host_profile.h"

static void host_usage(FILE *f)
{
	fprintf(f,
"usage: mmlab host [--json | --model-sets | --has NAME | --save FILE]\n"
"\n"
"Print what mmlab knows of the running kernel, each item with how it was\n"
"found: facts (release, CPUs, NUMA nodes, root), memory-management boot\n"
"switches on /proc/cmdline, CONFIG values from /proc/config.gz, behaviours\n"
"probed in a child process (zero page, huge zero page, TLB flush IPIs in\n"
"/proc/interrupts, nr_tlb_* counters, THP sizes, swap files, userfaultfd\n"
"write-protect, soft-dirty, page-table reclaim), and tunables whose value\n"
"is not the model's default.  Items marked \"*\" differ from stock 6.18;\n"
"\"model:\" names the knob `mmlab diff` sets so that the model behaves as\n"
"this host (`mmlab diff --stock` does not).\n"
"\n"
"options:\n"
"  --json         one JSON object per item: kind, name, value, stock,\n"
"                 differs, how, model_set\n"
"  --model-sets   only the model knobs of this host's profile, one\n"
"                 path=value per line\n"
"  --has NAME     exit 0 when this host has NAME (a name of mm.require),\n"
"                 1 with the reason on stdout when it lacks it\n"
"  --save FILE    write the profile to FILE: a run or diff started with\n"
"                 MMLAB_HOST_PROFILE=FILE takes it from there instead of\n"
"                 probing again (scripts/run-scenarios.sh probes once)\n"
"  -h, --help     this text\n");
}

int cmd_host(int argc, char **argv)
{
	bool json = false, sets = false;
	const struct host_profile *hp;
	const char *has = NULL, *save = NULL, *why = "";

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--model-sets")) {
			sets = true;
		} else if (!strcmp(argv[i], "--has") && i + 1 < argc) {
			has = argv[++i];
		} else if (!strcmp(argv[i], "--save") && i + 1 < argc) {
			save = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			host_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "mmlab host: unknown option '%s' (see "
				"'mmlab host --help')\n", argv[i]);
			return 2;
		}
	}
	if (json && sets) {
		fprintf(stderr, "mmlab host: --json and --model-sets exclude each other\n");
		return 2;
	}
	host_probe_fresh = true;	/* this command probes again */
	hp = host_profile();
	if (save) {
		int ret = host_profile_save(hp, save);

		if (ret) {
			fprintf(stderr, "mmlab host: --save %s: %s\n", save,
				strerror(-ret));
			return 2;
		}
		return 0;
	}
	if (has) {
		int ret = host_has(hp, has, &why);

		if (ret < 0) {
			fprintf(stderr, "mmlab host: --has '%s': unknown name\n", has);
			return 2;
		}
		if (!ret)
			printf("%s\n", why);
		return ret ? 0 : 1;
	}
	if (sets) {
		for (int i = 0; i < hp->n; i++)
			if (hp->item[i].model_set[0])
				printf("%s\n", hp->item[i].model_set);
		return 0;
	}
	host_profile_print(hp, stdout, json);
	return 0;
}
