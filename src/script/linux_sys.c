/*
 * linux_sys.c - the host side of the linux backend that is not a puppet:
 * tunables under /sys/kernel/mm and /proc/sys (every value changed is
 * saved first and written back at the end, also from a signal handler, so
 * the saved table is static and the restore uses only open/write/close),
 * temporary swap files, /proc/vmstat, khugepaged full scans, and the
 * /proc/PID files (status, smaps, pagemap, clear_refs, maps) of puppets.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/swap.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "linux_sys.h"

#define MAX_SAVED	128
#define MAX_SWAPS	8

static struct saved_knob {
	char path[256];
	char value[256];
} saved[MAX_SAVED];
static volatile int nr_saved;

static char swap_paths[MAX_SWAPS][80];
static volatile int nr_swaps;

static char *read_all(const char *path, size_t *lenp)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf) {
		int e = errno;

		free(buf);
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				break;
			buf = nb;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

/* Under which paths the mm tunables are: of /proc/sys/kernel only the
 * NUMA-balancing ones (the rest, core_pattern, modprobe, ..., are no mm
 * knobs, and a scenario runs as root). */
static bool knob_prefix(const char *path)
{
	return !strncmp(path, "/sys/kernel/mm/", 15) ||
	       !strncmp(path, "/proc/sys/vm/", 13) ||
	       !strncmp(path, "/proc/sys/kernel/numa_balancing", 31);
}

/* Which paths mm.set/mm.get may name on the host. */
static int check_path(const char *path)
{
	char *real;
	bool ok;

	if (!strncmp(path, "/sys/kernel/mm/mmlab/", 21) ||
	    !strcmp(path, "/sys/kernel/mm/mmlab"))
		return -EOPNOTSUPP;
	if (strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//") ||
	    (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")))
		return -ENOENT;
	if (!knob_prefix(path))
		return -ENOENT;
	/* no symbolic link out of them either */
	real = realpath(path, NULL);
	if (!real)
		return 0;	/* does not exist: the caller says so */
	ok = knob_prefix(real);
	free(real);
	return ok ? 0 : -ENOENT;
}

int lx_knob_get(const char *path, char *buf, size_t len)
{
	int ret = check_path(path);
	char *s;
	size_t n;

	if (ret)
		return ret;
	s = read_all(path, &n);
	if (!s)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}

/* "always [madvise] never" -> "madvise"; anything else as it reads. */
static void restorable(const char *cur, char *out, size_t len)
{
	const char *lb = strchr(cur, '['), *rb = lb ? strchr(lb, ']') : NULL;

	size_t n;

	if (lb && rb) {
		cur = lb + 1;
		n = rb - lb - 1;
	} else {
		n = strlen(cur);
	}
	if (n >= len)
		n = len - 1;
	memcpy(out, cur, n);
	out[n] = 0;
}

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

int lx_knob_set(const char *path, const char *value)
{
	char cur[4096];
	bool known = false;
	int ret = check_path(path);

	if (ret)
		return ret;
	if (access(path, F_OK))
		return -ENOENT;
	if (strlen(path) >= sizeof(saved[0].path))
		return -ENAMETOOLONG;
	for (int i = 0; i < nr_saved; i++)
		if (!strcmp(saved[i].path, path))
			known = true;
	if (!known) {
		/* Write-only files (drop_caches, compact_memory) have no
		 * value to restore. */
		if (!lx_knob_get(path, cur, sizeof(cur)) && cur[0] &&
		    nr_saved < MAX_SAVED) {
			struct saved_knob *s = &saved[nr_saved];

			snprintf(s->path, sizeof(s->path), "%s", path);
			restorable(cur, s->value, sizeof(s->value));
			__atomic_store_n(&nr_saved, nr_saved + 1,
					 __ATOMIC_RELEASE);
		}
	}
	ret = write_str(path, value);
	if (ret == -ENOENT)
		ret = -EINVAL;
	return ret;
}

void lx_restore_all(void)
{
	for (int i = nr_saved - 1; i >= 0; i--) {
		int fd = open(saved[i].path, O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			ssize_t r = write(fd, saved[i].value,
					  strlen(saved[i].value));

			(void)r;
			close(fd);
		}
	}
	nr_saved = 0;
}

void lx_swapoff_all(void)
{
	for (int i = nr_swaps - 1; i >= 0; i--) {
		swapoff(swap_paths[i]);
		unlink(swap_paths[i]);
	}
	nr_swaps = 0;
}

static int write_zeros(int fd, uint64_t bytes)
{
	static char zero[1 << 20];

	for (uint64_t off = 0; off < bytes;) {
		size_t n = bytes - off < sizeof(zero) ? bytes - off : sizeof(zero);
		ssize_t w = pwrite(fd, zero, n, (off_t)off);

		if (w <= 0)
			return -errno;
		off += w;
	}
	return 0;
}

/* The swap header mkswap writes (version 1). */
static int write_swap_header(int fd, uint64_t bytes)
{
	static union {
		char page[4096];
		struct {
			char bootbits[1024];
			uint32_t version, last_page, nr_badpages;
			unsigned char uuid[16];
			char volume_name[16];
		} info;
	} h;

	memset(&h, 0, sizeof(h));
	h.info.version = 1;
	h.info.last_page = (uint32_t)(bytes / 4096 - 1);
	for (int i = 0; i < 16; i++)
		h.info.uuid[i] = (unsigned char)(rand() & 0xff);
	snprintf(h.info.volume_name, sizeof(h.info.volume_name), "mmlab");
	memcpy(h.page + 4096 - 10, "SWAPSPACE2", 10);
	return pwrite(fd, &h, sizeof(h), 0) == sizeof(h) ? 0 : -errno;
}

int lx_swapon(uint64_t bytes)
{
	const char *dir = getenv("MMLAB_SWAP_DIR");
	char *path;
	int fd, ret;

	if (geteuid())
		return -EPERM;
	bytes &= ~4095ULL;
	if (bytes < 40960)
		return -EINVAL;
	if (nr_swaps >= MAX_SWAPS)
		return -ENOSPC;
	path = swap_paths[nr_swaps];
	snprintf(path, sizeof(swap_paths[0]), "%s/mmlab-swap.%d.%d",
		 dir ? dir : "/var/tmp", (int)getpid(), nr_swaps);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	nr_swaps++;		/* from now on, cleanup removes it */
	ret = write_zeros(fd, bytes);
	if (!ret)
		ret = write_swap_header(fd, bytes);
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret && swapon(path, SWAP_FLAG_PREFER |
			   (32767 & SWAP_FLAG_PRIO_MASK)))
		ret = -errno;
	if (ret) {
		fprintf(stderr, "mmlab run: swap file %s: %s\n", path,
			strerror(-ret));
		nr_swaps--;
		unlink(path);
	}
	return ret;
}

int lx_vmstat(sc_vmstat_cb cb, void *ctx)
{
	char *buf = read_all("/proc/vmstat", NULL), *line, *save;

	if (!buf)
		return -errno;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = 0;
		cb(ctx, line, strtoull(sp + 1, NULL, 10));
	}
	free(buf);
	return 0;
}

#define KHP "/sys/kernel/mm/transparent_hugepage/khugepaged/"

static long read_long(const char *path)
{
	char buf[64];

	if (lx_knob_get(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Let khugepaged finish n full scans that start after this call (a scan in
 * progress may have passed our mm already: wait for one more), with
 * scan_sleep_millisecs at 0 meanwhile.  Returns the scans seen; gives up
 * when none completes for 3 s (khugepaged sleeps while no mm is
 * registered).
 */
int lx_khugepaged_scan(unsigned int n)
{
	char old[64];
	long start = read_long(KHP "full_scans"), cur = start;
	uint64_t last = now_ms();
	int ret;

	if (start < 0)
		return -ENOENT;
	if (n == 0)
		return 0;
	ret = lx_knob_get(KHP "scan_sleep_millisecs", old, sizeof(old));
	if (!ret)
		ret = lx_knob_set(KHP "scan_sleep_millisecs", "0");
	if (ret)
		return ret;
	while (cur < start + (long)n + 1) {
		struct timespec ts = { 0, 1000000 };
		long c;

		nanosleep(&ts, NULL);
		c = read_long(KHP "full_scans");
		if (c != cur) {
			cur = c;
			last = now_ms();
		} else if (now_ms() - last > 3000) {
			break;
		}
	}
	write_str(KHP "scan_sleep_millisecs", old);
	cur -= start + 1;
	return cur < 0 ? 0 : cur > (long)n ? (int)n : (int)cur;
}

static int proc_path(char *buf, size_t len, int pid, const char *file)
{
	return snprintf(buf, len, "/proc/%d/%s", pid, file);
}

int lx_status(int pid, struct sc_status *st)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
#define K(x) { #x ":", offsetof(struct sc_status, x) }
		K(VmSize), K(VmRSS), K(RssAnon), K(RssFile), K(RssShmem),
		K(VmPTE), K(VmSwap), K(VmPeak), K(VmLck), K(VmHWM),
#undef K
	};
	char path[64], *buf, *line, *save;

	proc_path(path, sizeof(path), pid, "status");
	buf = read_all(path, NULL);
	if (!buf)
		return -errno;
	memset(st, 0, sizeof(*st));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i].key, strlen(keys[i].key)))
				*(uint64_t *)((char *)st + keys[i].off) =
					strtoull(line + strlen(keys[i].key),
						 NULL, 10);
	free(buf);
	return 0;
}

static bool vma_header(const char *line, uint64_t *lo, uint64_t *hi)
{
	char *end;

	*lo = strtoull(line, &end, 16);
	if (end == line || *end != '-')
		return false;
	*hi = strtoull(end + 1, &end, 16);
	return *end == ' ';
}

int lx_smaps(int pid, uint64_t addr, struct sc_smaps *sm)
{
	char path[64], *buf, *line, *save;
	bool in = false, found = false;

	proc_path(path, sizeof(path), pid, "smaps");
	buf = read_all(path, NULL);
	if (!buf)
		return -errno;
	sm->nr = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		uint64_t lo, hi;
		char *colon;

		if (vma_header(line, &lo, &hi)) {
			if (found)
				break;
			in = lo <= addr && addr < hi;
			if (in) {
				found = true;
				sm->start = lo;
				sm->end = hi;
			}
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(line, "VmFlags:", 8)) {
			const char *f = line + 8;

			while (*f == ' ')
				f++;
			snprintf(sm->flags, sizeof(sm->flags), "%s", f);
			continue;
		}
		colon = strchr(line, ':');
		if (!colon || colon - line >= (long)sizeof(sm->f[0].key) ||
		    sm->nr >= SC_SMAPS_MAX_FIELDS)
			continue;
		snprintf(sm->f[sm->nr].key, sizeof(sm->f[0].key), "%.*s",
			 (int)(colon - line), line);
		sm->f[sm->nr++].val = strtoull(colon + 1, NULL, 10);
	}
	free(buf);
	if (found) {
		size_t n = strlen(sm->flags);

		while (n && sm->flags[n - 1] == ' ')
			sm->flags[--n] = 0;
	}
	return found ? 0 : -ENOENT;
}

/* /proc/PID/pagemap opened for reading: the fd or -errno */
static int open_pagemap(int pid)
{
	char path[64];
	int fd;

	proc_path(path, sizeof(path), pid, "pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int lx_pagemap(int pid, uint64_t addr, uint64_t n, uint64_t *out)
{
	int fd = open_pagemap(pid);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = pread(fd, out, n * 8, (off_t)((addr / 4096) * 8));
	if (r < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return (uint64_t)r == n * 8 ? 0 : -EINVAL;
}

/* _IOWR('f', 16, struct pm_scan_arg): this machine's headers may be older
 * than the ioctl (6.7) */
#define PAGEMAP_SCAN_IOCTL	_IOWR('f', 16, struct sc_pm_scan_arg)

long lx_pagemap_scan(int pid, struct sc_pm_scan_arg *arg)
{
	int fd = open_pagemap(pid);
	long r;

	if (fd < 0)
		return fd;
	r = ioctl(fd, PAGEMAP_SCAN_IOCTL, arg);
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

int lx_clear_refs(int pid, int v)
{
	char path[64], val[16];

	proc_path(path, sizeof(path), pid, "clear_refs");
	snprintf(val, sizeof(val), "%d", v);
	return write_str(path, val);
}

/* "lo-hi perms offset dev inode [path]": private, inode 0 and no path
 * (or a bracketed one: [heap], [stack]) */
static bool anon_private_line(const char *line)
{
	char perms[8] = "", path[64] = "";
	unsigned long inode = 1;

	if (sscanf(line, "%*x-%*x %7s %*x %*s %lu %63s", perms, &inode, path) < 2)
		return false;
	return perms[3] == 'p' && inode == 0 && (!path[0] || path[0] == '[');
}

struct lx_vma *lx_vmas(int pid, uint64_t lo, uint64_t hi, int *n)
{
	char path[64], *buf, *line, *save;
	struct lx_vma *v = NULL;
	int cap = 0;

	*n = 0;
	proc_path(path, sizeof(path), pid, "maps");
	buf = read_all(path, NULL);
	if (!buf)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		uint64_t a, b;

		if (!vma_header(line, &a, &b) || b <= lo || a >= hi)
			continue;
		if (*n == cap) {
			struct lx_vma *nv = realloc(v, (cap = cap * 2 + 64) *
						    sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		v[(*n)++] = (struct lx_vma){ a, b, anon_private_line(line) };
	}
	free(buf);
	return v;
}

#define DEBUGFS		"/sys/kernel/debug"
#define SPLIT_DEBUGFS	DEBUGFS "/split_huge_pages"

int lx_split_huge_pages(const char *input)
{
	bool mounted = false;
	int ret;

	if (access(SPLIT_DEBUGFS, F_OK)) {
		if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL))
			return errno == EPERM ? -EACCES : -errno;
		mounted = true;
	}
	ret = access(SPLIT_DEBUGFS, F_OK) ? -ENOSYS : write_str(SPLIT_DEBUGFS, input);
	if (mounted)
		umount2(DEBUGFS, 0);
	return ret;
}

int lx_kpageflags(uint64_t pfn, uint64_t n, uint64_t *out)
{
	int fd;
	size_t want = n * sizeof(*out), got = 0;

	if (pfn >= (1ULL << 60) || n >= (1ULL << 60) - pfn)
		return -EINVAL;	/* a negative file offset */
	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < want) {
		ssize_t r = pread(fd, (char *)out + got, want - got,
				  (off_t)(pfn * sizeof(*out) + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : 0;

			close(fd);
			if (e)
				return -e;
			/* past the last frame: no page */
			for (size_t i = got / sizeof(*out); i < n; i++)
				out[i] = 1ULL << 20;
			return 0;
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
}
