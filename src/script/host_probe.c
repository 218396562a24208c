/*
 * host_probe.c - behaviours of the running kernel, probed in a forked child
 * so that nothing the probes map, register or swap on outlives them in the
 * caller (and the caller's threads are not in the child's way).
 *
 * Each probe makes the smallest real use of one mechanism and reads the
 * kernel's own answer (pagemap bits, /proc/self/status, /proc/interrupts,
 * the userfaultfd API handshake) rather than trusting CONFIG values, since
 * a boot switch or a patch can change a behaviour its CONFIG promises.
 * Results go back through a shared anonymous page; the child has a few
 * seconds before it is killed, and a probe it did not finish reads
 * "unknown".
 *
 * The answers hold for one boot: they are kept in a cache file
 * (/tmp/mmlab-probes.<uid>) whose key is the boot id, the mmlab binary
 * (size and time) and the THP settings the huge zero page probe depends
 * on, so that a run of many diffs probes once.  A key that differs, or
 * MMLAB_PROBE_CACHE=0, or host_probe_fresh (`mmlab host`) probes again.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_probe.h"
#include "linux_sys.h"
#include "bench/host_ipi.h"

#define PG	4096UL
#define PMD	(2UL << 20)

#define PM_PRESENT	(1ULL << 63)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_PFN		((1ULL << 55) - 1)

static uint64_t pagemap_entry(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)addr / PG * 8)) != 8)
		e = 0;
	close(fd);
	return e;
}

/* A field of /proc/self/status in kB, or -1. */
static long status_kb(const char *field)
{
	char buf[4096], *p;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, field);
	return p ? strtol(p + strlen(field) + 1, NULL, 10) : -1;
}

static void say(struct probe_result *r, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct probe_result *r, const char *value, const char *fmt, ...)
{
	va_list ap;

	snprintf(r->value, sizeof(r->value), "%s", value);
	va_start(ap, fmt);
	vsnprintf(r->how, sizeof(r->how), fmt, ap);
	va_end(ap);
}

static char *map_aligned(unsigned long len, unsigned long align)
{
	char *m = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	return (char *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1));
}

/* The shared zero page: read faults on two pages of private anonymous
 * memory map one frame, present and not exclusive. */
static void probe_zero_page(struct probe_result *r)
{
	char *p = map_aligned(2 * PG, PG);
	volatile char c;
	uint64_t e0, e1;

	if (!p)
		return say(r, "unknown", "probe: mmap failed (%s)", strerror(errno));
	madvise(p, 2 * PG, MADV_NOHUGEPAGE);
	c = p[0];
	c = p[PG];
	(void)c;
	e0 = pagemap_entry(p);
	e1 = pagemap_entry(p + PG);
	if (!(e0 & PM_PRESENT) || !(e1 & PM_PRESENT))
		return say(r, "unknown", "probe: a read fault left no present "
			   "entry in pagemap");
	if ((e0 | e1) & PM_EXCLUSIVE)
		return say(r, "no", "probe: read faults on 2 private anonymous "
			   "pages allocated 2 exclusive pages%s",
			   (e0 & PM_PFN) && (e0 & PM_PFN) != (e1 & PM_PFN) ?
			   " (2 frames)" : "");
	say(r, "yes", "probe: read faults on 2 private anonymous pages mapped "
	    "%s, not exclusive", (e0 & PM_PFN) ? ((e0 & PM_PFN) == (e1 & PM_PFN) ?
	    "one frame" : "two frames") : "shared pages");
}

/* The huge zero page: a read fault in a MADV_HUGEPAGE range maps a PMD
 * that is not exclusive (a THP allocated for the read would be). */
static void probe_huge_zero_page(struct probe_result *r)
{
	char knob[64] = "";
	char *p;
	volatile char c;
	uint64_t e;

	if (lx_knob_get("/sys/kernel/mm/transparent_hugepage/enabled", knob,
			sizeof(knob)))
		return say(r, "no", "probe: no /sys/kernel/mm/transparent_hugepage");
	if (strstr(knob, "[never]"))
		return say(r, "unknown", "probe: THP enabled is never");
	p = map_aligned(PMD, PMD);
	if (!p)
		return say(r, "unknown", "probe: mmap failed (%s)", strerror(errno));
	madvise(p, PMD, MADV_HUGEPAGE);
	c = p[0];
	(void)c;
	e = pagemap_entry(p);
	if (!(e & PM_PRESENT))
		return say(r, "unknown", "probe: a read fault left no present entry");
	if (e & PM_EXCLUSIVE)
		return say(r, "no", "probe: a read fault in a MADV_HUGEPAGE range "
			   "allocated an exclusive page");
	say(r, "yes", "probe: a read fault in a MADV_HUGEPAGE range mapped a "
	    "shared, not exclusive, page");
}

/* TLB flush IPIs visible: munmap of a touched page while a thread of the
 * same mm runs on another CPU sends that CPU one shootdown, which
 * /proc/interrupts counts on its TLB line (the experiment of `mmlab bench
 * tlb`, a few trials). */
static void probe_tlb_ipis(struct probe_result *r)
{
	int n = host_ipi_delta(HOST_IPI_MUNMAP_TOUCHED, 5);

	if (n == -ENOENT)
		return say(r, "no", "probe: /proc/interrupts has no TLB line");
	if (n == -EOPNOTSUPP)
		return say(r, "unknown", "probe: fewer than 2 CPUs to send an IPI to");
	if (n < 0)
		return say(r, "unknown", "probe: %s", strerror(-n));
	if (n > 0)
		return say(r, "yes", "probe: munmap of a touched page with a thread "
			   "of the mm on another CPU: %d TLB shootdown interrupt%s",
			   n, n == 1 ? "" : "s");
	say(r, "no", "probe: munmap of a touched page with a thread of the mm on "
	    "another CPU: 0 TLB shootdown interrupts in /proc/interrupts (the "
	    "kernel flushes remote TLBs some other way, e.g. through the "
	    "hypervisor)");
}

/* Soft-dirty: after clear_refs 4, a write sets pagemap bit 55. */
static void probe_soft_dirty(struct probe_result *r)
{
	char *p = map_aligned(PG, PG);
	int fd;

	if (!p)
		return say(r, "unknown", "probe: mmap failed");
	p[0] = 1;
	fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "4", 1) != 1) {
		if (fd >= 0)
			close(fd);
		return say(r, "unknown", "probe: cannot write /proc/self/clear_refs");
	}
	close(fd);
	p[0] = 2;
	if (pagemap_entry(p) & PM_SOFT_DIRTY)
		return say(r, "yes", "probe: a write after clear_refs 4 set "
			   "pagemap's soft-dirty bit");
	say(r, "no", "probe: a write after clear_refs 4 left pagemap's "
	    "soft-dirty bit clear");
}

/* Page-table reclaim on zap: MADV_DONTNEED of a whole 2 MiB of written
 * pages frees their PTE table (VmPTE drops by 4 kB).  The kernel frees it
 * only when one pass of zap_pte_range covers the whole table, and a pass
 * cut short (need_resched on a loaded host) keeps it: a few tries, and one
 * free is enough to say yes. */
static void probe_pt_reclaim(struct probe_result *r)
{
	long before = -1, after = -1;
	int tries;

	for (tries = 1; tries <= 4; tries++) {
		char *p = map_aligned(PMD, PMD);

		if (!p)
			return say(r, "unknown", "probe: mmap failed");
		madvise(p, PMD, MADV_NOHUGEPAGE);
		for (unsigned long o = 0; o < PMD; o += PG)
			p[o] = 1;
		before = status_kb("VmPTE:");
		madvise(p, PMD, MADV_DONTNEED);
		after = status_kb("VmPTE:");
		munmap(p, PMD);
		if (before < 0 || after < 0)
			return say(r, "unknown", "probe: no VmPTE in /proc/self/status");
		if (after < before)
			return say(r, "yes", "probe: MADV_DONTNEED of a full PTE table "
				   "freed it (VmPTE %ld -> %ld kB, try %d)", before,
				   after, tries);
	}
	say(r, "no", "probe: MADV_DONTNEED of a full PTE table kept it, %d tries "
	    "(VmPTE %ld kB before and after)", tries - 1, before);
}

static int uffd_open(uint64_t *features)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		int e = errno;

		close(fd);
		return -e;
	}
	*features = api.features;
	return fd;
}

static int uffd_register_wp(int fd, void *addr, unsigned long len)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	return ioctl(fd, UFFDIO_REGISTER, &reg) ? -errno : 0;
}

/* userfaultfd write-protect on anonymous memory and on shmem (the latter
 * needs PTE markers). */
static void probe_uffd_wp(struct probe_result *anon, struct probe_result *shm)
{
	uint64_t features = 0;
	int fd = uffd_open(&features), mfd, ret;
	char *p;

	if (fd < 0) {
		say(anon, "no", "probe: userfaultfd: %s", strerror(-fd));
		return say(shm, "no", "probe: userfaultfd: %s", strerror(-fd));
	}
	p = map_aligned(PG, PG);
	ret = p ? uffd_register_wp(fd, p, PG) : -ENOMEM;
	if (!(features & UFFD_FEATURE_PAGEFAULT_FLAG_WP) || ret)
		say(anon, "no", "probe: userfaultfd %s write-protect on "
		    "anonymous memory", ret ? "refused" : "does not offer");
	else
		say(anon, "yes", "probe: userfaultfd registered anonymous "
		    "memory for write-protect");
	mfd = (int)syscall(SYS_memfd_create, "mmlab-probe", 1U /* CLOEXEC */);
	p = MAP_FAILED;
	if (mfd >= 0 && !ftruncate(mfd, PG))
		p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ret = p != MAP_FAILED ? uffd_register_wp(fd, p, PG) : -ENOMEM;
	if (!(features & UFFD_FEATURE_WP_HUGETLBFS_SHMEM) || ret)
		say(shm, "no", "probe: userfaultfd %s write-protect on shmem",
		    ret ? "refused" : "does not offer");
	else
		say(shm, "yes", "probe: userfaultfd registered a memfd mapping "
		    "for write-protect");
	if (mfd >= 0)
		close(mfd);
	close(fd);
}

/* The PAGEMAP_SCAN ioctl (6.7) on /proc/self/pagemap, and the userfaultfd
 * feature it tracks writes with (WP_ASYNC, 6.7). */
static void probe_pagemap_scan(struct probe_result *scan, struct probe_result *async)
{
	uint64_t arg[12] = { sizeof(arg) }, features = 0;	/* struct pm_scan_arg */
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), ufd;
	long r = fd < 0 ? -1 : ioctl(fd, _IOWR('f', 16, uint64_t[12]), arg);

	if (r < 0)
		say(scan, "no", "probe: PAGEMAP_SCAN on /proc/self/pagemap: %s", strerror(errno));
	else
		say(scan, "yes", "probe: PAGEMAP_SCAN of an empty range on "
		    "/proc/self/pagemap returned %ld", r);
	if (fd >= 0)
		close(fd);
	ufd = uffd_open(&features);
	if (ufd < 0)
		return say(async, "no", "probe: userfaultfd: %s", strerror(-ufd));
	close(ufd);
	if (features & (1ULL << 15))
		say(async, "yes", "probe: UFFDIO_API offers UFFD_FEATURE_WP_ASYNC");
	else
		say(async, "no", "probe: UFFDIO_API does not offer UFFD_FEATURE_WP_ASYNC");
}

/* Is debugfs mounted at @dir?  (/proc/self/mounts) */
static bool debugfs_mounted(const char *dir)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char src[256], at[256], type[64];
	bool found = false;

	if (!f)
		return false;
	while (!found && fscanf(f, "%255s %255s %63s %*[^\n]", src, at, type) == 3)
		found = !strcmp(at, dir) && !strcmp(type, "debugfs");
	fclose(f);
	return found;
}

/*
 * CONFIG_GUP_TEST: /sys/kernel/debug/gup_test, the driver of the pin
 * tests.  debugfs is mounted for the look when it is not (root only) and
 * unmounted again, so the mount state stays as it was.
 */
static void probe_gup_test(struct probe_result *r)
{
	const char *dir = "/sys/kernel/debug", *path = "/sys/kernel/debug/gup_test";
	bool mounted = debugfs_mounted(dir), present;

	if (!mounted) {
		if (geteuid())
			return say(r, "unknown", "probe: debugfs is not mounted and mounting "
				   "it needs root");
		if (mount("debugfs", dir, "debugfs", 0, NULL))
			return say(r, "unknown", "probe: mount debugfs on %s: %s", dir,
				   strerror(errno));
	}
	present = access(path, F_OK) == 0;
	if (!mounted)
		umount2(dir, 0);
	if (present)
		say(r, "yes", "probe: %s exists (CONFIG_GUP_TEST)", path);
	else
		say(r, "no", "probe: no %s (CONFIG_GUP_TEST is off)", path);
}

/*
 * Swap files: make a small one, swapon, swapoff (root only).  Each swapon
 * writes two lines to the kernel log, so the answer is kept for the boot
 * (in /tmp, keyed by the boot id): probing at every run would push the
 * log's older lines out.
 */
static void probe_swap(struct probe_result *r)
{
	char boot[64] = "", path[128];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	int ret;

	if (geteuid())
		return say(r, "no", "probe: not root: swapon needs CAP_SYS_ADMIN");
	if (f) {
		if (!fgets(boot, sizeof(boot), f))
			boot[0] = 0;
		fclose(f);
	}
	boot[strcspn(boot, "\n")] = 0;
	snprintf(path, sizeof(path), "/tmp/mmlab-host-swap.%s", boot);
	f = *boot ? fopen(path, "re") : NULL;
	if (f) {
		char line[300];
		bool ok = fgets(line, sizeof(line), f) != NULL;

		fclose(f);
		line[strcspn(line, "\n")] = 0;
		if (ok && (!strncmp(line, "yes ", 4) || !strncmp(line, "no ", 3)))
			return say(r, line[0] == 'y' ? "yes" : "no", "%s (probed earlier "
				   "this boot)", strchr(line, ' ') + 1);
	}
	ret = lx_swapon(64 * PG);
	lx_swapoff_all();
	if (ret)
		say(r, "no", "probe: swapon of a 256 kB swap file: %s", strerror(-ret));
	else
		say(r, "yes", "probe: swapon and swapoff of a 256 kB swap file");
	f = *boot ? fopen(path, "we") : NULL;
	if (f) {
		fprintf(f, "%s %s\n", r->value, r->how);
		fclose(f);
	}
}

/* Referenced in /proc/PID/smaps for the VMA holding addr, in kB, or -1. */
static long smaps_referenced(pid_t pid, uintptr_t addr)
{
	char path[64], line[256];
	unsigned long lo, hi;
	bool in = false;
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = lo <= addr && addr < hi;
		else if (in && !strncmp(line, "Referenced:", 11)) {
			kb = strtol(line + 11, NULL, 10);
			break;
		}
	}
	if (f)
		fclose(f);
	return kb;
}

/* Accessed bits set only by accesses: fork copies PTEs old, so a child
 * that touches nothing shows no Referenced for memory its parent wrote.
 * Under shadow paging a hypervisor may set them itself, now and then. */
static void probe_exact_young(struct probe_result *r)
{
	enum { FORKS = 16, PAGES = 256 };
	int seen = 0, tried = 0;

	for (int i = 0; i < FORKS; i++) {
		char *p = map_aligned(PAGES * PG, PG), x;
		int pipefd[2];
		pid_t c;

		if (!p || pipe(pipefd))
			break;
		madvise(p, PAGES * PG, MADV_NOHUGEPAGE);
		for (unsigned long o = 0; o < PAGES * PG; o += PG)
			p[o] = 1;
		c = fork();
		if (c == 0) {
			/* touch nothing of p: wait to be told to go */
			x = read(pipefd[0], &x, 1) > 0;
			_exit(0);
		}
		if (c > 0) {
			usleep(2000);
			seen += smaps_referenced(c, (uintptr_t)p) > 0;
			tried++;
			x = 1;
			if (write(pipefd[1], &x, 1) < 0)
				kill(c, SIGKILL);
			waitpid(c, NULL, 0);
		}
		close(pipefd[0]);
		close(pipefd[1]);
		munmap(p, PAGES * PG);
	}
	if (!tried)
		return say(r, "unknown", "probe: could not fork");
	if (seen)
		return say(r, "no", "probe: in %d of %d forks the child's untouched "
			   "pages read as referenced", seen, tried);
	say(r, "yes", "probe: in none of %d forks did the child's untouched pages "
	    "read as referenced", tried);
}

/* The debugfs file that splits THPs: writable by root unless the kernel's
 * lockdown restricts debugfs (debugfs mounted for the probe if it is not,
 * and unmounted after). */
static void probe_split_huge_pages(struct probe_result *r)
{
	static const char path[] = "/sys/kernel/debug/split_huge_pages";
	bool mounted = false;
	int fd, e;

	if (access(path, F_OK)) {
		if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
			return say(r, "unknown", "probe: cannot mount debugfs: %s",
				   strerror(errno));
		mounted = true;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	e = errno;
	if (fd >= 0)
		close(fd);
	if (mounted)
		umount2("/sys/kernel/debug", 0);
	if (fd >= 0)
		return say(r, "yes", "probe: %s opens for writing", path);
	if (e == ENOENT)
		return say(r, "no", "probe: no %s (CONFIG_DEBUG_FS)", path);
	say(r, e == EACCES ? "unknown" : "no", "probe: opening %s for writing: %s%s", path,
	    strerror(e), e == EPERM ? " (the kernel's lockdown restricts debugfs)" : "");
}

static void probe_all(struct probe_results *pr)
{
	probe_zero_page(&pr->r[PROBE_ZERO_PAGE]);
	probe_huge_zero_page(&pr->r[PROBE_HUGE_ZERO_PAGE]);
	probe_soft_dirty(&pr->r[PROBE_SOFT_DIRTY]);
	probe_pt_reclaim(&pr->r[PROBE_PT_RECLAIM]);
	probe_uffd_wp(&pr->r[PROBE_UFFD_WP], &pr->r[PROBE_UFFD_WP_SHMEM]);
	probe_swap(&pr->r[PROBE_SWAP]);
	probe_tlb_ipis(&pr->r[PROBE_TLB_IPIS]);
	probe_exact_young(&pr->r[PROBE_EXACT_YOUNG]);
	probe_pagemap_scan(&pr->r[PROBE_PAGEMAP_SCAN], &pr->r[PROBE_UFFD_WP_ASYNC]);
	probe_gup_test(&pr->r[PROBE_GUP_TEST]);
	probe_split_huge_pages(&pr->r[PROBE_SPLIT_HUGE_PAGES]);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool host_probe_fresh;

static void read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)n, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
}

/* The cache's key: this boot, this binary, the THP knobs. */
static bool cache_key(char *key, size_t n)
{
	char boot[64], thp[96], zp[16];
	struct stat st;

	read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
	if (!boot[0] || stat("/proc/self/exe", &st))
		return false;
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof(thp));
	read_line("/sys/kernel/mm/transparent_hugepage/use_zero_page", zp, sizeof(zp));
	snprintf(key, n, "mmlab-probes 1 %s %lld.%09ld %lld %zu [%s] [%s]\n", boot,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long long)st.st_size,
		 sizeof(struct probe_results), thp, zp);
	return true;
}

static void cache_path(char *path, size_t n)
{
	snprintf(path, n, "/tmp/mmlab-probes.%u", (unsigned int)getuid());
}

static bool cache_load(struct probe_results *out, const char *key)
{
	char path[64], line[512];
	struct stat st;
	bool ok = false;
	FILE *f;

	cache_path(path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return false;
	/* only a file this user wrote (/tmp is shared) */
	if (fstat(fileno(f), &st) || st.st_uid != getuid()) {
		fclose(f);
		return false;
	}
	if (fgets(line, sizeof(line), f) && !strcmp(line, key))
		ok = fread(out, sizeof(*out), 1, f) == 1;
	fclose(f);
	return ok;
}

static void cache_save(const struct probe_results *pr, const char *key)
{
	char path[64], tmp[96];
	FILE *f;

	cache_path(path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	f = fopen(tmp, "we");
	if (!f)
		return;
	if (fputs(key, f) < 0 || fwrite(pr, sizeof(*pr), 1, f) != 1) {
		fclose(f);
		unlink(tmp);
		return;
	}
	if (fclose(f) || rename(tmp, path))
		unlink(tmp);
}

static double probe_fork(struct probe_results *out);

double host_probe_run(struct probe_results *out)
{
	const char *env = getenv("MMLAB_PROBE_CACHE");
	bool cache = !(env && !strcmp(env, "0"));
	char key[512];
	double ms;

	if (cache && !cache_key(key, sizeof(key)))
		cache = false;
	if (cache && !host_probe_fresh && cache_load(out, key))
		return 0;
	ms = probe_fork(out);
	if (cache)
		cache_save(out, key);
	return ms;
}

static double probe_fork(struct probe_results *out)
{
	struct probe_results *pr;
	double t0 = now_ms();
	pid_t pid;
	int status;

	for (int i = 0; i < PROBE_NR; i++)
		say(&out->r[i], "unknown", "probe: did not run");
	pr = mmap(NULL, sizeof(*pr), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pr == MAP_FAILED)
		return 0;
	memcpy(pr, out, sizeof(*pr));
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		alarm(5);
		probe_all(pr);
		_exit(0);
	}
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		memcpy(out, pr, sizeof(*pr));
		if (!WIFEXITED(status))
			for (int i = 0; i < PROBE_NR; i++)
				if (!strcmp(out->r[i].how, "probe: did not run"))
					say(&out->r[i], "unknown", "probe: the probe "
					    "process died (signal %d)",
					    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	munmap(pr, sizeof(*pr));
	return now_ms() - t0;
}
