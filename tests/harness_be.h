/*
 * harness_be.h - the differential tests' backends (included by harness.h).
 *
 * struct be runs one case on either side: on the host kernel (real system
 * calls in a forked child that makes no malloc and no stdio, its signals
 * caught with sigsetjmp) or on the model (the mmlab API).  Each be_*
 * call does one system call on the backend at hand and returns its result
 * (0, a file descriptor) or -errno; OBS and EXPECT record what the case
 * saw.
 */
#ifndef MMLAB_TESTS_HARNESS_BE_H
#define MMLAB_TESTS_HARNESS_BE_H

/* ------------------------------------------------------------------ */
/* Differential backends                                               */

struct vma_desc {
	uint64_t start, end;
	int prot;
	bool shared;
};

#define OBS_MAX 512

struct obs {
	const char *label;	/* a string literal: same address in the child */
	long idx;
	int64_t v;
	int64_t want;
	bool expect;		/* an expectation, not only an observation */
	bool ok;
	bool nodiff;		/* one backend only: not compared */
};

struct obs_log {
	int n;
	int nfail;
	bool overflow;
	bool skip;
	const char *skip_why;
	struct obs e[OBS_MAX];
};

struct be {
	bool model;
	const char *name;
	struct obs_log *log;
	uint64_t mmap_min_addr;
	/* model only */
	struct mmlab_proc *p;
	struct mmlab_task *t;
	/* host only: /proc/self/pagemap */
	int pagemap_fd;
};

static inline void obs_add(struct be *b, const char *label, long idx, int64_t v,
			   bool expect, int64_t want, bool nodiff)
{
	struct obs_log *log = b->log;
	struct obs *o;

	if (log->n >= OBS_MAX) {
		log->overflow = true;
		return;
	}
	o = &log->e[log->n++];
	o->label = label;
	o->idx = idx;
	o->v = v;
	o->want = want;
	o->expect = expect;
	o->ok = !expect || v == want;
	o->nodiff = nodiff;
	if (!o->ok)
		log->nfail++;
}

/* Record @v; it must be the same on both backends. */
#define OBS(b, label, v)		obs_add(b, label, -1, (int64_t)(v), false, 0, false)
#define OBSI(b, label, i, v)		obs_add(b, label, i, (int64_t)(v), false, 0, false)
/* @v must equal @want on both backends (and so is also compared). */
#define EXPECT(b, label, v, want)	obs_add(b, label, -1, (int64_t)(v), true, (int64_t)(want), false)
#define EXPECTI(b, label, i, v, want)	obs_add(b, label, i, (int64_t)(v), true, (int64_t)(want), false)
/* An expectation that holds on one backend only (not compared). */
#define EXPECT_ONLY(b, label, v, want)	obs_add(b, label, -1, (int64_t)(v), true, (int64_t)(want), true)

/* Host backend: real system calls, in a forked child. */

static sigjmp_buf host_jmp;
static volatile sig_atomic_t host_sig;
static volatile uint64_t host_fault_addr;

static void host_on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	host_sig = sig;
	host_fault_addr = (uint64_t)(uintptr_t)si->si_addr;
	siglongjmp(host_jmp, 1);
}

/*
 * Not instrumented: sanitizer shadow accesses would fault in page tables of
 * their own and move the VmPTE and RSS the cases observe.
 */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
#define HOST_NO_SANITIZE __attribute__((no_sanitize("address", "thread")))
#else
#define HOST_NO_SANITIZE
#endif

static inline HOST_NO_SANITIZE int host_access(uint64_t addr, uint8_t *buf, size_t len,
					       bool write, uint64_t *fault_addr)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;
	volatile size_t i = 0;

	if (sigsetjmp(host_jmp, 1)) {
		if (fault_addr)
			*fault_addr = host_fault_addr;
		return host_sig == SIGBUS ? MMLAB_SIGBUS : MMLAB_SIGSEGV;
	}
	for (i = 0; i < len; i++) {
		if (write)
			p[i] = buf[i];
		else
			buf[i] = p[i];
	}
	return 0;
}

/* Drop CAP_SYS_RAWIO so that mmap_min_addr applies, as to a plain program. */
static inline void host_drop_rawio(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct { uint64_t cur, max; } rl;

	if (syscall(SYS_capget, &h, d))
		return;
	d[CAP_SYS_RAWIO / 32].effective &= ~(1U << (CAP_SYS_RAWIO % 32));
	d[CAP_SYS_RAWIO / 32].permitted &= ~(1U << (CAP_SYS_RAWIO % 32));
	/* an ordinary program for mlock too: RLIMIT_MEMLOCK holds (8 MiB,
	 * the model's default) */
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	syscall(SYS_capset, &h, d);
	if (!syscall(SYS_getrlimit, 8 /* RLIMIT_MEMLOCK */, &rl)) {
		rl.cur = rl.max < 8 * MiB ? rl.max : 8 * MiB;
		syscall(SYS_setrlimit, 8, &rl);
	}
}

static inline uint64_t host_read_u64_file(const char *path)
{
	char buf[64];
	uint64_t v = 0;
	ssize_t n, i;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(buf[i] - '0');
	return v;
}

/* Read a whole /proc file into a static buffer (no malloc in the child). */
static inline ssize_t host_slurp(const char *path, char *buf, size_t size)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((size_t)got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = 0;
	return got;
}

static inline uint64_t parse_hex(const char **s)
{
	uint64_t v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

/* Add @v to out[@n] if it meets [lo, hi) (and out has room); the new
 * count (all that meet it, stored or not). */
static inline int vma_collect(struct vma_desc *out, int n, int max, struct vma_desc v,
			      uint64_t lo, uint64_t hi)
{
	if (v.end <= lo || v.start >= hi)
		return n;
	if (n < max)
		out[n] = v;
	return n + 1;
}

static char host_maps_buf[1 << 20];

static inline int host_vmas(uint64_t lo, uint64_t hi, struct vma_desc *out, int max)
{
	const char *s;
	int n = 0;

	if (host_slurp("/proc/self/maps", host_maps_buf, sizeof(host_maps_buf)) < 0)
		return -1;
	for (s = host_maps_buf; *s; ) {
		struct vma_desc v;

		v.start = parse_hex(&s);
		s++;			/* '-' */
		v.end = parse_hex(&s);
		s++;			/* ' ' */
		v.prot = (s[0] == 'r' ? PROT_READ : 0) |
			 (s[1] == 'w' ? PROT_WRITE : 0) |
			 (s[2] == 'x' ? PROT_EXEC : 0);
		v.shared = s[3] == 's';
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
		n = vma_collect(out, n, max, v, lo, hi);
	}
	return n;
}

static char host_status_buf[8192];

/* /proc/@pid/status (0: this process) */
static inline int host_status_pid(int pid, struct mmlab_status *st)
{
	char *buf = host_status_buf;
	static const struct { const char *key; size_t off; } keys[] = {
		{ "VmSize:", offsetof(struct mmlab_status, VmSize) },
		{ "VmRSS:", offsetof(struct mmlab_status, VmRSS) },
		{ "RssAnon:", offsetof(struct mmlab_status, RssAnon) },
		{ "RssFile:", offsetof(struct mmlab_status, RssFile) },
		{ "RssShmem:", offsetof(struct mmlab_status, RssShmem) },
		{ "VmPTE:", offsetof(struct mmlab_status, VmPTE) },
		{ "VmSwap:", offsetof(struct mmlab_status, VmSwap) },
		{ "VmPeak:", offsetof(struct mmlab_status, VmPeak) },
		{ "VmLck:", offsetof(struct mmlab_status, VmLck) },
		{ "VmHWM:", offsetof(struct mmlab_status, VmHWM) },
	};
	char path[40];
	const char *s;
	size_t k;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (host_slurp(pid ? path : "/proc/self/status", buf, sizeof(host_status_buf)) < 0)
		return -1;
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		uint64_t v = 0;

		s = strstr(buf, keys[k].key);
		if (!s)
			return -1;
		s += strlen(keys[k].key);
		while (*s == ' ' || *s == '\t')
			s++;
		while (*s >= '0' && *s <= '9')
			v = v * 10 + (uint64_t)(*s++ - '0');
		*(uint64_t *)((char *)st + keys[k].off) = v;
	}
	return 0;
}

static inline int host_status(struct mmlab_status *st)
{
	return host_status_pid(0, st);
}

/* Backend operations: 0 or -errno; accesses 0 or MMLAB_SIG*. */

static inline int be_mmap(struct be *b, uint64_t addr, uint64_t len, int prot,
			  int flags, int fd, uint64_t off, uint64_t *out)
{
	long r;

	*out = 0;
	if (b->model)
		return mmlab_mmap(b->t, addr, len, prot, flags, fd, off, out);
	r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r == -1)	/* glibc's syscall(): -1 and errno on failure */
		return -errno;
	*out = (uint64_t)r;
	return 0;
}

static inline int host_ret(long r)
{
	return r < 0 ? -errno : 0;
}

static inline int be_munmap(struct be *b, uint64_t addr, uint64_t len)
{
	if (b->model)
		return mmlab_munmap(b->t, addr, len);
	return host_ret(syscall(SYS_munmap, addr, len));
}

static inline int be_mprotect(struct be *b, uint64_t addr, uint64_t len, int prot)
{
	if (b->model)
		return mmlab_mprotect(b->t, addr, len, prot);
	return host_ret(syscall(SYS_mprotect, addr, len, prot));
}

static inline int be_madvise(struct be *b, uint64_t addr, uint64_t len, int advice)
{
	if (b->model)
		return mmlab_madvise(b->t, addr, len, advice);
	return host_ret(syscall(SYS_madvise, addr, len, advice));
}

static inline int be_mlock(struct be *b, uint64_t addr, uint64_t len, int flags)
{
	if (b->model)
		return mmlab_mlock(b->t, addr, len, flags);
	return host_ret(syscall(SYS_mlock2, addr, len, flags));
}

static inline int be_munlock(struct be *b, uint64_t addr, uint64_t len)
{
	if (b->model)
		return mmlab_munlock(b->t, addr, len);
	return host_ret(syscall(SYS_munlock, addr, len));
}

/* The soft RLIMIT_MEMLOCK, in bytes. */
static inline int be_memlock_limit(struct be *b, uint64_t bytes)
{
	struct { uint64_t cur, max; } rl;

	if (b->model)
		return mmlab_setrlimit(b->p, MMLAB_RLIMIT_MEMLOCK, bytes);
	if (syscall(SYS_getrlimit, 8, &rl))
		return -errno;
	rl.cur = bytes;
	return host_ret(syscall(SYS_setrlimit, 8, &rl));
}

static inline int be_memfd(struct be *b, const char *name, uint64_t size)
{
	int fd, err;

	if (b->model)
		return mmlab_memfd(b->p, name, size);
	fd = (int)syscall(SYS_memfd_create, name, 0);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_ftruncate, fd, size)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static inline int be_close(struct be *b, int fd)
{
	if (b->model)
		return mmlab_close(b->p, fd);
	return host_ret(syscall(SYS_close, fd));
}

/* memfd_create alone (flags: MMLAB_MFD_*, the kernel's values). */
static inline int be_memfd_create(struct be *b, const char *name, unsigned int flags)
{
	long fd;

	if (b->model)
		return mmlab_memfd_create(b->p, name, flags);
	fd = syscall(SYS_memfd_create, name, flags);
	return fd < 0 ? -errno : (int)fd;
}

/* open("/proc/self/fd/FD", flags): MMLAB_O_* are the kernel's O_* */
static inline int be_reopen(struct be *b, int fd, int flags)
{
	char path[32];
	long n;

	if (b->model)
		return mmlab_reopen(b->p, fd, flags);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = syscall(SYS_openat, AT_FDCWD, path, flags);
	return n < 0 ? -errno : (int)n;
}

static inline int be_ftruncate(struct be *b, int fd, int64_t len)
{
	if (b->model)
		return mmlab_ftruncate(b->p, fd, len);
	return host_ret(syscall(SYS_ftruncate, fd, len));
}

static inline int be_fallocate(struct be *b, int fd, int mode, int64_t off, int64_t len)
{
	if (b->model)
		return mmlab_fallocate(b->p, fd, mode, off, len);
	return host_ret(syscall(SYS_fallocate, fd, mode, off, len));
}

#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#endif

static inline int be_add_seals(struct be *b, int fd, unsigned int seals)
{
	if (b->model)
		return mmlab_add_seals(b->p, fd, seals);
	return host_ret(syscall(SYS_fcntl, fd, F_ADD_SEALS, seals));
}

/* The seals, or -errno. */
static inline int be_get_seals(struct be *b, int fd)
{
	long r;

	if (b->model)
		return mmlab_get_seals(b->p, fd);
	r = syscall(SYS_fcntl, fd, F_GET_SEALS);
	return r < 0 ? -errno : (int)r;
}

static inline int be_msync(struct be *b, uint64_t addr, uint64_t len, int flags)
{
	if (b->model)
		return mmlab_msync(b->t, addr, len, flags);
	return host_ret(syscall(SYS_msync, addr, len, flags));
}

static inline int be_read(struct be *b, uint64_t addr, void *buf, size_t len,
			  uint64_t *fa)
{
	if (b->model)
		return mmlab_read(b->t, addr, buf, len, fa);
	return host_access(addr, buf, len, false, fa);
}

static inline int be_write(struct be *b, uint64_t addr, const void *buf, size_t len,
			   uint64_t *fa)
{
	if (b->model)
		return mmlab_write(b->t, addr, buf, len, fa);
	return host_access(addr, (uint8_t *)buf, len, true, fa);
}

/* One 8-byte store / load; returns 0 or the signal. */
static inline int be_put(struct be *b, uint64_t addr, uint64_t v)
{
	return be_write(b, addr, &v, sizeof(v), NULL);
}

static inline int be_get(struct be *b, uint64_t addr, uint64_t *v)
{
	*v = 0;
	return be_read(b, addr, v, sizeof(*v), NULL);
}

static inline int be_pagemap(struct be *b, uint64_t addr, uint64_t n, uint64_t *out)
{
	ssize_t want = (ssize_t)(n * 8);

	if (b->model)
		return mmlab_pagemap(b->p, addr, n, out);
	if (b->pagemap_fd < 0)
		b->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (b->pagemap_fd < 0)
		return -errno;
	if (pread(b->pagemap_fd, out, want, (off_t)(addr / PG * 8)) != want)
		return -EIO;
	return 0;
}

/* Pages of [addr, addr + n pages) present in the page tables (n <= 64),
 * -1 on error. */
static inline int be_present(struct be *b, uint64_t addr, int n)
{
	uint64_t e[64];
	int c = 0;

	if (n > 64 || be_pagemap(b, addr, (uint64_t)n, e))
		return -1;
	for (int i = 0; i < n; i++)
		c += !!(e[i] & MMLAB_PM_PRESENT);
	return c;
}

static inline int be_status(struct be *b, struct mmlab_status *st)
{
	if (b->model)
		return mmlab_status(b->p, st);
	return host_status(st);
}

static inline bool flags_shared(int flags)
{
	return (flags & 3) == MAP_SHARED || (flags & 3) == MAP_SHARED_VALIDATE;
}

/* VMAs overlapping [lo, hi), in address order: their number. */
static inline int be_vmas(struct be *b, uint64_t lo, uint64_t hi,
			  struct vma_desc *out, int max)
{
	int i, n = 0, cnt;

	if (!b->model)
		return host_vmas(lo, hi, out, max);
	cnt = mmlab_vma_count(b->p);
	for (i = 0; i < cnt; i++) {
		struct vma_desc v;
		int prot = 0, flags = 0;

		if (mmlab_vma_get(b->p, i, &v.start, &v.end, &prot, &flags))
			return -1;
		v.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		v.shared = flags_shared(flags);
		n = vma_collect(out, n, max, v, lo, hi);
	}
	return n;
}

/* Record the VMA layout of [lo, hi): count, then each VMA. */
static inline void obs_vmas(struct be *b, const char *label, uint64_t lo, uint64_t hi)
{
	struct vma_desc v[32];
	int i, n = be_vmas(b, lo, hi, v, 32);

	OBS(b, label, n);
	for (i = 0; i < n && i < 32; i++) {
		OBSI(b, "  vma start", i, v[i].start);
		OBSI(b, "  vma end", i, v[i].end);
		OBSI(b, "  vma prot", i, v[i].prot);
		OBSI(b, "  vma shared", i, v[i].shared);
	}
}

/* The pagemap bits a plain program sees (no PFN). */
#define PM_BITS (MMLAB_PM_PRESENT | MMLAB_PM_SWAP | MMLAB_PM_FILE | \
		 MMLAB_PM_MMAP_EXCLUSIVE)

static inline void obs_pagemap(struct be *b, const char *label, uint64_t addr,
			       uint64_t n)
{
	uint64_t e[64];
	uint64_t i;

	if (n > 64)
		n = 64;
	if (be_pagemap(b, addr, n, e)) {
		OBS(b, label, -1);
		return;
	}
	for (i = 0; i < n; i++)
		OBSI(b, label, (long)i, e[i] & PM_BITS);
}

#endif
