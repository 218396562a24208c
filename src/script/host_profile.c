/*
 * host_profile.c - the host profile: what mmlab knows of the kernel it
 * compares the model with.
 *
 * Items come from four places, each named in the item's "how":
 *  - facts: uname, the CPUs this process may use, NUMA nodes, root;
 *  - boot switches on /proc/cmdline that touch memory management;
 *  - CONFIG values from /proc/config.gz, where the kernel exposes it;
 *  - behaviours probed in a child process (host_probe.c);
 *  - tunables the model also has, whose host value is not the model's
 *    default (read from their sysfs/procfs files).
 * "Stock" is what the model does by default: Linux 6.18 with the
 * configuration the model assumes.  An item that differs and that a model
 * knob reproduces carries that knob as model_set; `mmlab diff` gives those
 * to the model, so that both sides run the same kernel.
 *
 * The profile is computed once per process, or taken from the file
 * $MMLAB_HOST_PROFILE that a parent (`mmlab diff`) wrote, so that the runs
 * it starts see the same profile without probing again.  Not thread-safe:
 * the CLI calls it from its main thread.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <mmlab/mmlab.h>
#include "host_probe.h"
#include "host_profile.h"
#include "linux_sys.h"

static const char *const kind_names[] = {
	[HOST_FACT] = "fact", [HOST_BOOT] = "boot", [HOST_CONFIG] = "config",
	[HOST_PROBE] = "probe", [HOST_KNOB] = "knob",
};

/* Copy what fits; a longer value is cut. */
static void scopy(char *dst, size_t size, const char *src)
{
	size_t l = strnlen(src, size - 1);

	memcpy(dst, src, l);
	dst[l] = 0;
}

static struct host_item *add(struct host_profile *hp, enum host_kind kind,
			     const char *name, const char *value,
			     const char *stock)
{
	struct host_item *it;

	if (hp->n >= HOST_MAX_ITEMS)
		return &hp->item[HOST_MAX_ITEMS - 1];	/* overwritten: never
							 * reached with the
							 * lists below */
	it = &hp->item[hp->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	scopy(it->name, sizeof(it->name), name);
	scopy(it->value, sizeof(it->value), value);
	scopy(it->stock, sizeof(it->stock), stock);
	it->differs = *stock && strcmp(value, stock);
	return it;
}

const struct host_item *host_item_find(const struct host_profile *hp,
				       const char *name)
{
	for (int i = 0; i < hp->n; i++)
		if (!strcmp(hp->item[i].name, name))
			return &hp->item[i];
	return NULL;
}

/* The hypervisor, from the kernel log ("Hypervisor detected: X"), else
 * the CPU's hypervisor flag. */
static void hypervisor(struct host_profile *hp)
{
	static char log[1 << 20];
	struct host_item *it;
	char name[32] = "";
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	char *p;

	if (n > 0) {
		log[n] = 0;
		p = strstr(log, "Hypervisor detected: ");
		if (p)
			sscanf(p + 21, "%31[^\n]", name);
	}
	if (*name) {
		it = add(hp, HOST_FACT, "hypervisor", name, "");
		snprintf(it->how, sizeof(it->how), "kernel log: Hypervisor detected: %s",
			 name);
		return;
	}
	{
		FILE *f = fopen("/proc/cpuinfo", "re");
		char line[4096];
		bool flag = false, pvm;

		while (f && fgets(line, sizeof(line), f) && !flag)
			flag = !strncmp(line, "flags", 5) && strstr(line, " hypervisor");
		if (f)
			fclose(f);
		/* the boot line's message may have left the log's ring; a PVM
		 * guest kernel still has its own parameters */
		pvm = flag && !access("/sys/module/kernel/parameters/pvm_no_zero_page", F_OK);
		it = add(hp, HOST_FACT, "hypervisor", pvm ? "PVM" : flag ? "yes" : "none", "");
		snprintf(it->how, sizeof(it->how), "%s", pvm ? "the CPU's hypervisor "
			 "flag and a PVM guest kernel's parameters (/sys/module/kernel/"
			 "parameters/pvm_*); the kernel log no longer names it" :
			 flag ? "/proc/cpuinfo flags (the kernel log does not name it)" :
			 "/proc/cpuinfo flags");
	}
}

static void facts(struct host_profile *hp)
{
	struct utsname u;
	struct host_item *it;
	cpu_set_t set;
	char buf[32];
	int nodes = 0;
	DIR *d;
	struct dirent *e;

	uname(&u);
	it = add(hp, HOST_FACT, "release", u.release, "");
	snprintf(it->how, sizeof(it->how), "uname -r");
	it->differs = strncmp(u.release, "6.18", 4) ||
		      (u.release[4] && u.release[4] != '.' && u.release[4] != '-');
	snprintf(it->stock, sizeof(it->stock), "6.18");
	it = add(hp, HOST_FACT, "machine", u.machine, "x86_64");
	snprintf(it->how, sizeof(it->how), "uname -m");
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	snprintf(buf, sizeof(buf), "%d", CPU_COUNT(&set));
	it = add(hp, HOST_FACT, "cpus", buf, "");
	snprintf(it->how, sizeof(it->how), "sched_getaffinity");
	d = opendir("/sys/devices/system/node");
	while (d && (e = readdir(d)))
		nodes += !strncmp(e->d_name, "node", 4) && isdigit(e->d_name[4]);
	if (d)
		closedir(d);
	snprintf(buf, sizeof(buf), "%d", nodes ? nodes : 1);
	it = add(hp, HOST_FACT, "numa_nodes", buf, "");
	snprintf(it->how, sizeof(it->how), "/sys/devices/system/node/node*");
	it = add(hp, HOST_FACT, "numa", nodes >= 2 ? "yes" : "no", "");
	snprintf(it->how, sizeof(it->how), "%d NUMA node%s: move_pages has %s",
		 nodes ? nodes : 1, nodes >= 2 ? "s" : "", nodes >= 2 ?
		 "another node to move to" : "no other node to move to");
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_PAGESIZE));
	it = add(hp, HOST_FACT, "page_size", buf, "4096");
	snprintf(it->how, sizeof(it->how), "sysconf(_SC_PAGESIZE)");
	it = add(hp, HOST_FACT, "root", geteuid() ? "no" : "yes", "");
	snprintf(it->how, sizeof(it->how), "geteuid");
	hypervisor(hp);
}

/* Boot switches that change memory management, by name before any '='. */
static const char *const boot_switches[] = {
	"pvm_no_zero_page", "transparent_hugepage", "transparent_hugepage_shmem",
	"transparent_hugepage_tmpfs", "thp_anon", "thp_shmem", "numa_balancing",
	"numa", "nopti", "pti", "nopcid", "noinvpcid", "mem", "memmap",
	"hugepages", "hugepagesz", "default_hugepagesz", "init_on_alloc",
	"init_on_free", "page_alloc.shuffle", "zswap.enabled", "cgroup_disable",
	"movablecore", "kernelcore", "page_owner", "no5lvl", "nokaslr",
	"kpti", "hugetlb_free_vmemmap", "memory_hotplug.memmap_on_memory",
	NULL,
};

/* Listed for the record; they change no answer the model gives. */
static const char *const boot_informational[] = {
	"pti", "kpti", "nopti", "nokaslr", NULL,
};

static void boot(struct host_profile *hp, char *cmdline, size_t len)
{
	char *buf = NULL, *tok, *save;
	FILE *f = fopen("/proc/cmdline", "re");
	size_t cap = 0;

	cmdline[0] = 0;
	if (!f || getline(&buf, &cap, f) < 0) {
		if (f)
			fclose(f);
		free(buf);
		return;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	snprintf(cmdline, len, "%s", buf);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char name[64], name_key[80];
		const char *eq = strchr(tok, '=');
		struct host_item *it;

		if (!strcmp(tok, "--"))
			break;	/* the rest is init's */
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - tok) : 63, tok);
		for (int i = 0; boot_switches[i]; i++) {
			if (strcmp(name, boot_switches[i]))
				continue;
			snprintf(name_key, sizeof(name_key), "boot:%s", name);
			it = add(hp, HOST_BOOT, name_key, eq ? eq + 1 : "(set)",
				 "(absent)");
			snprintf(it->how, sizeof(it->how), "/proc/cmdline");
			for (int j = 0; boot_informational[j]; j++)
				if (!strcmp(name, boot_informational[j]))
					it->differs = false;
		}
	}
	free(buf);
}

/* CONFIG values the model's behaviour depends on, with the value the
 * model assumes. */
static const struct {
	const char *name, *stock;
} configs[] = {
	{ "CONFIG_TRANSPARENT_HUGEPAGE", "y" },
	{ "CONFIG_TRANSPARENT_HUGEPAGE_MADVISE", "y" },
	{ "CONFIG_PT_RECLAIM", "y" },
	{ "CONFIG_MEM_SOFT_DIRTY", "n" },
	{ "CONFIG_USERFAULTFD", "y" },
	{ "CONFIG_PTE_MARKER_UFFD_WP", "y" },
	{ "CONFIG_DEBUG_TLBFLUSH", "y" },
	{ "CONFIG_PER_VMA_LOCK", "y" },
	{ "CONFIG_SWAP", "y" },
	{ "CONFIG_MIGRATION", "y" },
	{ "CONFIG_NUMA_BALANCING", "y" },
	{ "CONFIG_KSM", "y" },
	{ "CONFIG_LRU_GEN", "n" },
	{ "CONFIG_ZSWAP_DEFAULT_ON", "n" },
	{ "CONFIG_PVM_GUEST", "n" },
};

static void config(struct host_profile *hp)
{
	FILE *f;
	char line[512];
	char val[sizeof(configs) / sizeof(configs[0])][64];
	struct host_item *it;
	bool any = false;

	if (access("/proc/config.gz", R_OK)) {
		it = add(hp, HOST_CONFIG, "config", "unknown", "");
		snprintf(it->how, sizeof(it->how), "no /proc/config.gz: CONFIG "
			 "values not known (the probes still are)");
		return;
	}
	f = popen("gzip -dc /proc/config.gz 2>/dev/null", "re");
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		snprintf(val[i], sizeof(val[i]), "n");
	while (f && fgets(line, sizeof(line), f)) {
		any = true;
		for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
			size_t l = strlen(configs[i].name);

			if (!strncmp(line, configs[i].name, l) && line[l] == '=') {
				snprintf(val[i], sizeof(val[i]), "%s", line + l + 1);
				val[i][strcspn(val[i], "\n")] = 0;
			}
		}
	}
	if (f)
		pclose(f);
	if (!any) {
		it = add(hp, HOST_CONFIG, "config", "unknown", "");
		snprintf(it->how, sizeof(it->how), "/proc/config.gz unreadable");
		return;
	}
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		it = add(hp, HOST_CONFIG, configs[i].name, val[i], configs[i].stock);
		snprintf(it->how, sizeof(it->how), "/proc/config.gz");
	}
}

static const char *probe_names[PROBE_NR] = {
	[PROBE_ZERO_PAGE] = "zero_page",
	[PROBE_HUGE_ZERO_PAGE] = "huge_zero_page",
	[PROBE_TLB_IPIS] = "tlb_ipis",
	[PROBE_SOFT_DIRTY] = "soft_dirty",
	[PROBE_PT_RECLAIM] = "pt_reclaim",
	[PROBE_UFFD_WP] = "uffd_wp",
	[PROBE_UFFD_WP_SHMEM] = "uffd_wp_shmem",
	[PROBE_SWAP] = "swap",
	[PROBE_EXACT_YOUNG] = "exact_accessed_bits",
	[PROBE_PAGEMAP_SCAN] = "pagemap_scan",
	[PROBE_UFFD_WP_ASYNC] = "uffd_wp_async",
	[PROBE_GUP_TEST] = "gup_test",
	[PROBE_SPLIT_HUGE_PAGES] = "split_huge_pages",
};

static const char *probe_stock[PROBE_NR] = {
	[PROBE_ZERO_PAGE] = "yes", [PROBE_HUGE_ZERO_PAGE] = "yes",
	[PROBE_TLB_IPIS] = "yes", [PROBE_SOFT_DIRTY] = "no",
	[PROBE_PT_RECLAIM] = "yes", [PROBE_UFFD_WP] = "yes",
	[PROBE_UFFD_WP_SHMEM] = "yes", [PROBE_SWAP] = "yes",
	[PROBE_EXACT_YOUNG] = "yes", [PROBE_PAGEMAP_SCAN] = "yes",
	[PROBE_UFFD_WP_ASYNC] = "yes", [PROBE_SPLIT_HUGE_PAGES] = "yes",
	/* the mm selftests' kernel config enables CONFIG_GUP_TEST */
	[PROBE_GUP_TEST] = "yes",
};

/* nr_tlb_* in /proc/vmstat: CONFIG_DEBUG_TLBFLUSH (the model always
 * counts them). */
static void tlb_counters(struct host_profile *hp)
{
	FILE *f = fopen("/proc/vmstat", "re");
	struct host_item *it;
	char line[128];
	bool has = false;

	while (f && fgets(line, sizeof(line), f))
		has |= !strncmp(line, "nr_tlb_remote_flush ", 20);
	if (f)
		fclose(f);
	it = add(hp, HOST_PROBE, "tlb_counters", has ? "yes" : "no", "yes");
	snprintf(it->how, sizeof(it->how), "/proc/vmstat %s nr_tlb_* "
		 "(CONFIG_DEBUG_TLBFLUSH)", has ? "has" : "has no");
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* THP, and the sizes sysfs offers (the model has 16 kB to 2 MiB). */
static void thp_sizes(struct host_profile *hp)
{
	DIR *d = opendir("/sys/kernel/mm/transparent_hugepage");
	struct dirent *e;
	struct host_item *it;
	unsigned int kb[32];
	char sizes[96] = "";
	int n = 0;

	while (d && (e = readdir(d)) && n < 32)
		if (sscanf(e->d_name, "hugepages-%ukB", &kb[n]) == 1)
			n++;
	it = add(hp, HOST_PROBE, "thp", d ? "yes" : "no", "yes");
	snprintf(it->how, sizeof(it->how), "/sys/kernel/mm/transparent_hugepage %s",
		 d ? "exists" : "is missing");
	if (d)
		closedir(d);
	qsort(kb, n, sizeof(kb[0]), cmp_uint);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(sizes);

		snprintf(sizes + l, sizeof(sizes) - l, "%s%u", i ? " " : "", kb[i]);
	}
	it = add(hp, HOST_PROBE, "mthp", n > 1 ? "yes" : "no", "yes");
	snprintf(it->how, sizeof(it->how), "hugepages-<size>kB directories: %s%s",
		 n ? sizes : "none", n ? " kB" : "");
}

/* Where a boot switch explains a probed behaviour, say so. */
static void explain_by_boot(struct host_profile *hp, struct host_item *it,
			    const char *boot_name)
{
	const struct host_item *b = host_item_find(hp, boot_name);
	size_t l = strlen(it->how);
	char val[sizeof(b->value)];

	if (!b)
		return;
	scopy(val, sizeof(val), b->value);
	snprintf(it->how + l, sizeof(it->how) - l, "; boot switch %s=%s",
		 boot_name + 5, val);
}

static void probes(struct host_profile *hp)
{
	struct probe_results pr;
	const struct host_item *hyp;
	struct host_item *it;

	hp->probe_ms = host_probe_run(&pr);
	for (int i = 0; i < PROBE_NR; i++) {
		it = add(hp, HOST_PROBE, probe_names[i], pr.r[i].value, probe_stock[i]);
		snprintf(it->how, sizeof(it->how), "%s", pr.r[i].how);
	}
	/* probe items are indexed by enum probe_id: hp->item[first + id] */
	it = &hp->item[hp->n - PROBE_NR + PROBE_ZERO_PAGE];
	explain_by_boot(hp, it, "boot:pvm_no_zero_page");
	if (!strcmp(it->value, "no"))
		snprintf(it->model_set, sizeof(it->model_set),
			 "/sys/kernel/mm/mmlab/forbids_zeropage=1");
	it = &hp->item[hp->n - PROBE_NR + PROBE_HUGE_ZERO_PAGE];
	explain_by_boot(hp, it, "boot:pvm_no_zero_page");
	it = &hp->item[hp->n - PROBE_NR + PROBE_SOFT_DIRTY];
	if (!strcmp(it->value, "yes"))
		snprintf(it->model_set, sizeof(it->model_set),
			 "/sys/kernel/mm/mmlab/soft_dirty=1");
	/* A PVM guest runs on shadow page tables whose accessed bits the
	 * hypervisor sets too: the probe sees it in only some runs. */
	it = &hp->item[hp->n - PROBE_NR + PROBE_EXACT_YOUNG];
	hyp = host_item_find(hp, "hypervisor");
	if (hyp && !strcmp(hyp->value, "PVM") && strcmp(it->value, "no")) {
		char how[160];

		scopy(how, sizeof(how), it->how);
		scopy(it->value, sizeof(it->value), "no");
		it->differs = true;
		snprintf(it->how, sizeof(it->how), "PVM guest: its shadow page tables "
			 "take accessed bits from the hypervisor as well (%s)", how);
	}
	it = &hp->item[hp->n - PROBE_NR + PROBE_PT_RECLAIM];
	if (!strcmp(it->value, "no"))
		snprintf(it->model_set, sizeof(it->model_set),
			 "/sys/kernel/mm/mmlab/pt_reclaim/zap=0");
	tlb_counters(hp);
	thp_sizes(hp);
}

/* The selected word of "a [b] c", or the value trimmed. */
static void knob_value(const char *raw, char *out, size_t len)
{
	const char *open = strchr(raw, '['), *close = open ? strchr(open, ']') : NULL;

	if (open && close)
		snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
	else
		snprintf(out, len, "%s", raw);
	out[strcspn(out, "\n")] = 0;
	for (size_t l = strlen(out); l && isspace((unsigned char)out[l - 1]); l--)
		out[l - 1] = 0;
}

/* Kernel tunables the model has, where the host's value is not the
 * model's default: the linux side runs with the host's value, so the
 * model must too. */
static void knobs(struct host_profile *hp)
{
	char def[256], host[256], a[128], b[128];
	const char *path;

	if (mmlab_knob_default("/proc/sys/vm/swappiness", def, sizeof(def)) == -EBUSY)
		return;	/* a machine is up: its knobs are not ours to reset */
	for (unsigned int i = 0; (path = mmlab_knob_name(i)); i++) {
		struct host_item *it;

		if (!strncmp(path, "/sys/kernel/mm/mmlab/", 21) ||
		    mmlab_knob_default(path, def, sizeof(def)) ||
		    lx_knob_get(path, host, sizeof(host)))
			continue;
		knob_value(def, a, sizeof(a));
		knob_value(host, b, sizeof(b));
		if (!strcmp(a, b))
			continue;
		it = add(hp, HOST_KNOB, path, b, a);
		snprintf(it->how, sizeof(it->how), "read from %s", path);
		snprintf(it->model_set, sizeof(it->model_set), "%s=%s", path, b);
		it->differs = true;
	}
}

/* The read-ahead of the disk the linux backend's regular files live on
 * (p:file makes them in /var/tmp): its bdi's read_ahead_kb, which the
 * model's one disk takes as /sys/kernel/mm/mmlab/read_ahead_kb. */
static void disk_readahead(struct host_profile *hp)
{
	const char *knob = "/sys/kernel/mm/mmlab/read_ahead_kb";
	char def[64], host[64], path[96];
	struct host_item *it;
	struct stat st;
	bool ok;
	FILE *f;

	if (stat("/var/tmp", &st) || mmlab_knob_default(knob, def, sizeof(def)))
		return;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/bdi/read_ahead_kb",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "r");
	if (!f)
		return;
	ok = fgets(host, sizeof(host), f) != NULL;
	fclose(f);
	if (!ok)
		return;
	host[strcspn(host, "\n")] = 0;
	if (!strcmp(def, host))
		return;
	it = add(hp, HOST_KNOB, "read_ahead_kb", host, def);
	snprintf(it->how, sizeof(it->how), "read from %s (the disk of /var/tmp)", path);
	snprintf(it->model_set, sizeof(it->model_set), "%s=%s", knob, host);
	it->differs = true;
}

void host_profile_probe(struct host_profile *hp)
{
	char cmdline[4096];

	memset(hp, 0, sizeof(*hp));
	facts(hp);
	boot(hp, cmdline, sizeof(cmdline));
	config(hp);
	probes(hp);
	knobs(hp);
	disk_readahead(hp);
}

/* ---- requirements ---- */

const char *const host_requirements[] = {
	"zero_page", "huge_zero_page", "tlb_ipis", "tlb_counters", "thp",
	"mthp", "swap", "uffd_wp", "uffd_wp_shmem", "soft_dirty",
	"pt_reclaim", "root", "exact_accessed_bits", "pagemap_scan",
	"uffd_wp_async", "numa", "split_huge_pages", "gup_test", NULL,
};

int host_has(const struct host_profile *hp, const char *req, const char **why)
{
	const struct host_item *it;
	static char reason[512];
	int i;

	for (i = 0; host_requirements[i]; i++)
		if (!strcmp(host_requirements[i], req))
			break;
	if (!host_requirements[i])
		return -ENOENT;
	if (!strcmp(req, "numa")) {	/* two nodes or more */
		it = host_item_find(hp, "numa_nodes");
		if (it && atoi(it->value) > 1)
			return 1;
		snprintf(reason, sizeof(reason), "numa: %s node%s (%s)",
			 it ? it->value : "1", it && atoi(it->value) > 1 ? "s" : "",
			 it ? it->how : "not in the host profile");
		if (why)
			*why = reason;
		return 0;
	} else {
		it = host_item_find(hp, req);
		if (it && !strcmp(it->value, "yes"))
			return 1;
	}
	snprintf(reason, sizeof(reason), "%s: %s (%s)", req,
		 it ? (!strcmp(it->value, "no") ? "absent" : it->value) : "unknown",
		 it ? it->how : "not in the host profile");
	if (why)
		*why = reason;
	return 0;
}

/* ---- save, load, cache ---- */

static void clean(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n')
			*s = ' ';
}

int host_profile_save(const struct host_profile *hp, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "mmlab-host-profile 1\t%.3f\n", hp->probe_ms);
	for (int i = 0; i < hp->n; i++) {
		struct host_item it = hp->item[i];

		clean(it.name), clean(it.value), clean(it.stock), clean(it.how);
		clean(it.model_set);
		fprintf(f, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", kind_names[it.kind],
			it.name, it.value, it.stock, it.differs, it.model_set,
			it.how);
	}
	return fclose(f) ? -errno : 0;
}

static char *field(char **s)
{
	char *f = *s, *tab = f ? strchr(f, '\t') : NULL;

	if (tab) {
		*tab = 0;
		*s = tab + 1;
	} else {
		*s = NULL;
	}
	return f ? f : "";
}

int host_profile_load(struct host_profile *hp, const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024];

	if (!f)
		return -errno;
	memset(hp, 0, sizeof(*hp));
	if (!fgets(line, sizeof(line), f) || sscanf(line, "mmlab-host-profile 1\t%lf",
						    &hp->probe_ms) != 1) {
		fclose(f);
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f) && hp->n < HOST_MAX_ITEMS) {
		struct host_item *it = &hp->item[hp->n++];
		char *s = line, *kind;

		line[strcspn(line, "\n")] = 0;
		kind = field(&s);
		for (unsigned int k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
			if (!strcmp(kind, kind_names[k]))
				it->kind = (enum host_kind)k;
		snprintf(it->name, sizeof(it->name), "%s", field(&s));
		snprintf(it->value, sizeof(it->value), "%s", field(&s));
		snprintf(it->stock, sizeof(it->stock), "%s", field(&s));
		it->differs = atoi(field(&s)) != 0;
		snprintf(it->model_set, sizeof(it->model_set), "%s", field(&s));
		snprintf(it->how, sizeof(it->how), "%s", field(&s));
	}
	fclose(f);
	return 0;
}

const struct host_profile *host_profile(void)
{
	static struct host_profile hp;
	static bool done;
	const char *env = getenv("MMLAB_HOST_PROFILE");

	if (done)
		return &hp;
	if (!env || !*env || host_profile_load(&hp, env))
		host_profile_probe(&hp);
	done = true;
	return &hp;
}

/* ---- printing ---- */

static void json_str(FILE *f, const char *key, const char *s)
{
	fprintf(f, "\"%s\":\"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void host_profile_print(const struct host_profile *hp, FILE *f, bool json)
{
	const char *last = NULL;

	if (!json) {
		fprintf(f, "host profile (probed in %.0f ms); \"*\" marks what differs "
			"from stock 6.18 (the model's defaults)\n", hp->probe_ms);
	}
	for (int i = 0; i < hp->n; i++) {
		const struct host_item *it = &hp->item[i];

		if (json) {
			fputc('{', f);
			json_str(f, "kind", kind_names[it->kind]);
			fputc(',', f);
			json_str(f, "name", it->name);
			fputc(',', f);
			json_str(f, "value", it->value);
			fputc(',', f);
			json_str(f, "stock", it->stock);
			fprintf(f, ",\"differs\":%s,", it->differs ? "true" : "false");
			json_str(f, "how", it->how);
			fputc(',', f);
			json_str(f, "model_set", it->model_set);
			fputs("}\n", f);
			continue;
		}
		if (last != kind_names[it->kind])
			fprintf(f, "%s:\n", kind_names[it->kind]);
		last = kind_names[it->kind];
		fprintf(f, " %c %-36s %-10s", it->differs ? '*' : ' ', it->name, it->value);
		if (it->differs && *it->stock)
			fprintf(f, " (stock %s)", it->stock);
		fprintf(f, "  [%s]\n", it->how);
		if (*it->model_set)
			fprintf(f, "     model: %s\n", it->model_set);
	}
}

int host_profile_print_differences(const struct host_profile *hp, FILE *f)
{
	const struct host_item *rel = host_item_find(hp, "release");
	int n = 0;

	for (int i = 0; i < hp->n; i++) {
		const struct host_item *it = &hp->item[i];

		if (!it->differs)
			continue;
		if (!n++)
			fprintf(f, "host: Linux %s differs from stock 6.18:\n",
				rel ? rel->value : "?");
		fprintf(f, "  %s = %s (stock %s; %s)%s%s\n", it->name, it->value,
			*it->stock ? it->stock : "-", it->how,
			*it->model_set ? "; model: " : "", it->model_set);
	}
	return n;
}
