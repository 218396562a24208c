/*
 * mmlab public C API.
 *
 * One simulated machine per host process at a time: mmlab_machine_create()
 * builds physical memory, CPUs and the memory manager; every other call acts
 * on that machine.  A process (struct mmlab_proc) is an mm_struct with its
 * tasks; a task (struct mmlab_task) is a thread of that process bound to one
 * simulated CPU.  Calls that act "as" a task run on that task's CPU: the host
 * thread calling them becomes that CPU for the duration of the call.
 *
 * Errors are negative errno values, as the kernel returns them.  Accesses that
 * a real process would die of return a positive signal number
 * (MMLAB_SIGSEGV, MMLAB_SIGBUS) and leave the process alive.
 *
 * Constants for prot, flags and advice are the x86-64 Linux values
 * (<sys/mman.h>); model-only advice values are defined below.
 *
 * Thread safety: every call may be made concurrently from different host
 * threads, with these rules: a task is used by one host thread at a time, and
 * a process is not used after mmlab_exit() returns.
 */
#ifndef MMLAB_MMLAB_H
#define MMLAB_MMLAB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMLAB_PAGE_SIZE		4096UL
#define MMLAB_PMD_SIZE		(2UL << 20)
#define MMLAB_MAX_NODES		8
#define MMLAB_MAX_CPUS		64
/* A node's memory: from 4 MiB to 1 TiB, used in whole 4 MiB blocks (the
 * buddy allocator's largest order) */
#define MMLAB_MIN_NODE_BYTES	(4ULL << 20)
#define MMLAB_MAX_NODE_BYTES	(1ULL << 40)

/* Model-only madvise advice (values outside the kernel's range). */
#define MMLAB_MADV_PT_RECLAIM	1000

/* Positive return values of access calls: the signal a real process gets. */
#define MMLAB_SIGBUS		7
#define MMLAB_SIGSEGV		11

struct mmlab_tlb_geometry {
	unsigned int entries;	/* total entries */
	unsigned int ways;	/* associativity; entries % ways == 0 */
};

struct mmlab_config {
	unsigned int nr_cpus;			/* default 4 */
	unsigned int nr_nodes;			/* default 1 */
	uint64_t node_bytes[MMLAB_MAX_NODES];	/* default: 4 GiB on node 0 */
	unsigned int node_latency_ns[MMLAB_MAX_NODES]; /* default 80 */
	bool node_slow[MMLAB_MAX_NODES];	/* a slower memory tier */
	bool no_data;		/* frames hold no bytes (scale runs) */
	int stale_check;	/* stale-TLB detector: 1 on, 0 off, -1 default
				 * (on when MMLAB_STALE_CHECK=1 or in tests) */
	int pcid;		/* 1 on (default), 0 off */
	struct mmlab_tlb_geometry l1_4k;	/* default 64, 4-way */
	struct mmlab_tlb_geometry l1_2m;	/* default 32, 4-way */
	struct mmlab_tlb_geometry l2;		/* default 1536, 12-way */
	uint64_t seed;		/* for randomised choices of the model (default 0) */
	/* Deterministic mode: one seeded scheduler runs the model's threads
	 * one at a time, deciding at every scheduling point (locks, waits,
	 * RCU, IPIs, page-table entries, accesses) who runs next, on a
	 * simulated clock; the same seed replays the same run.  Threads that
	 * call into the model must then be made with mmlab_thread_create().
	 * MMLAB_SCHED="seed[,random|pct[,depth]]" in the environment turns it
	 * on for a machine created with deterministic = 0. */
	int deterministic;		/* 1: on (default 0) */
	int sched_strategy;		/* MMLAB_SCHED_RANDOM (default), _PCT */
	unsigned int sched_depth;	/* PCT's bug depth (default 3) */
	uint64_t sched_seed;
	uint64_t sched_max_steps;	/* step budget, 0: none */
	uint64_t sched_pct_steps;	/* PCT: expected length (default 1e5) */
};
#define MMLAB_SCHED_RANDOM	0
#define MMLAB_SCHED_PCT		1

/* Fill @cfg with the defaults above. */
void mmlab_config_default(struct mmlab_config *cfg);

/*
 * Create the machine.  Returns 0 or -EINVAL (bad config), -EBUSY (a machine
 * exists), -ENOMEM (host mapping failed).  MMLAB_SET in the environment is
 * applied (knob=value;knob=value) after creation; a bad entry fails creation
 * with its -errno and a message on stderr.
 */
int mmlab_machine_create(const struct mmlab_config *cfg);
void mmlab_machine_destroy(void);

/* Threads that call into the model: under the scheduler in deterministic
 * mode (a plain thread there would break the replay and is refused), plain
 * pthreads otherwise.  Returns 0 or -errno. */
int mmlab_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);
void mmlab_thread_join(pthread_t t);

/* The schedule of the last deterministic machine (after destroy: the whole
 * run): scheduling points, thread switches, a hash of every decision and
 * the simulated clock.  -ENOENT when no machine ran in that mode. */
struct mmlab_sched_stats {
	uint64_t steps, switches, hash, clock_ns;
};
int mmlab_sched_stats(struct mmlab_sched_stats *out);
/* Is a deterministic machine up?  Its clock (simulated there, the host's
 * CLOCK_MONOTONIC otherwise), and a scheduling point (a yield of the host
 * CPU outside deterministic mode) for a test's own wait loops. */
bool mmlab_deterministic(void);
uint64_t mmlab_now_ns(void);
void mmlab_yield(void);
unsigned int mmlab_nr_cpus(void);

/* Knobs, by kernel path ("/sys/kernel/mm/...", "/proc/sys/vm/..."): values
 * as the kernel reads and prints them.  -ENOENT unknown path, -EINVAL bad
 * value, -EACCES read-only. */
int mmlab_knob_set(const char *path, const char *value);
int mmlab_knob_get(const char *path, char *buf, size_t len);	/* -ENOENT */
/* Iterate knob paths: returns NULL past the end. */
const char *mmlab_knob_name(unsigned int i);
/* A knob's default (stock 6.18), printed as mmlab_knob_get prints it, with
 * no machine up (-EBUSY while one is); -EACCES for a read-only counter. */
int mmlab_knob_default(const char *path, char *buf, size_t len);
/* The values a knob accepts, in words ("always, madvise, never", "0 or 1",
 * "an integer from 0 to 511", "read-only"); with no machine up, after
 * mmlab_knob_default().  -ENOENT unknown path. */
int mmlab_knob_accepts(const char *path, char *buf, size_t len);

/*
 * vmstat counters by kernel name.  -ENOENT for an unknown name.  Besides the
 * kernel's (nr_free_pages, nr_anon_pages, nr_shmem, nr_page_table_pages,
 * pgfault, pgalloc_normal, pgfree, and the CONFIG_DEBUG_TLBFLUSH ones
 * nr_tlb_remote_flush, nr_tlb_remote_flush_received, nr_tlb_local_flush_all,
 * nr_tlb_local_flush_one), the model adds: stale_tlb_reports (accesses
 * through a stale TLB entry, see the stale-TLB detector), mmlab_tlb_hits,
 * mmlab_tlb_misses, mmlab_page_walks.
 *
 * Model knobs (mmlab_knob_set): /sys/kernel/mm/mmlab/debug/skip_flush
 * (0 default; 1 drops every TLB flush, to prove the detector fires),
 * /sys/kernel/mm/mmlab/debug/stale_check (1 turns the detector on) and
 * /sys/kernel/mm/mmlab/debug/collapse_fail (none default; alloc,
 * revalidate, isolate, lock or pmd: the next THP collapse, by khugepaged
 * or MADV_COLLAPSE, fails at that step and backs off, and the knob reads
 * none again).
 */
int mmlab_vmstat_get(const char *name, uint64_t *val);
/* Iterate counters: returns NULL past the end. */
const char *mmlab_vmstat_name(unsigned int i);
/* What a counter is: one of the kernel's the model keeps, one of the
 * kernel's for a mechanism the model lacks (reads 0), or the model's own.
 * -ENOENT unknown name. */
#define MMLAB_VMSTAT_KERNEL		0
#define MMLAB_VMSTAT_NOT_MODELLED	1
#define MMLAB_VMSTAT_MODEL_ONLY		2
int mmlab_vmstat_kind(const char *name);

/* Processes and tasks */
struct mmlab_proc;
struct mmlab_task;

/* A new process, as exec leaves one: no mappings but a 132 KiB stack VMA
 * below TASK_SIZE with its top page touched (RssAnon 4 kB, VmPTE 12 kB),
 * and one task on CPU 0.  Mappings go top-down from 128 MiB below it. */
int mmlab_spawn(struct mmlab_proc **out);
struct mmlab_task *mmlab_main_task(struct mmlab_proc *p);
/* Another thread of @p bound to @cpu: -EINVAL for a bad cpu. */
int mmlab_thread(struct mmlab_proc *p, unsigned int cpu, struct mmlab_task **out);
unsigned int mmlab_task_cpu(const struct mmlab_task *t);
struct mmlab_proc *mmlab_task_proc(struct mmlab_task *t);
int mmlab_pid(const struct mmlab_proc *p);

/* fork(2) by the main task of @p.  The child's main task is on CPU 0. */
int mmlab_fork(struct mmlab_proc *p, struct mmlab_proc **child);
/* exit: tear down the address space; @p is freed. */
int mmlab_exit(struct mmlab_proc *p);

/* System calls, made by task @t.  Return 0 or -errno. */
int mmlab_mmap(struct mmlab_task *t, uint64_t addr, uint64_t len, int prot,
	       int flags, int fd, uint64_t offset, uint64_t *out_addr);
int mmlab_munmap(struct mmlab_task *t, uint64_t addr, uint64_t len);
/*
 * mremap(2): resize [addr, addr + old_len), in place or, with
 * MMLAB_MREMAP_MAYMOVE, by moving it (page tables move with it; MMLAB_MREMAP_FIXED
 * puts it at new_addr, replacing what was there; MMLAB_MREMAP_DONTUNMAP
 * leaves the old range mapped but empty).  The new address in *out.
 * Errors as 6.18: -EINVAL (bad flags, unaligned address, zero new_len,
 * FIXED or DONTUNMAP without MAYMOVE, DONTUNMAP with a size change,
 * overlapping ranges, a private old_len of 0), -EFAULT (nothing mapped at
 * addr, or the range leaves its VMA), -ENOMEM (cannot grow in place
 * without MAYMOVE, no room).
 */
#define MMLAB_MREMAP_MAYMOVE	1
#define MMLAB_MREMAP_FIXED	2
#define MMLAB_MREMAP_DONTUNMAP	4
int mmlab_mremap(struct mmlab_task *t, uint64_t old_addr, uint64_t old_len,
		 uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out);
/*
 * Memory locks, as 6.18.  mlock/mlock2 lock [addr, addr + len) (rounded out
 * to pages) and fault it in; @flags 0 or MMLAB_MLOCK_ONFAULT (lock pages
 * as they are faulted in: nothing is populated).  Errors: -EINVAL (flags,
 * a range that wraps), -EPERM (RLIMIT_MEMLOCK 0 and no CAP_IPC_LOCK),
 * -ENOMEM (a hole in the range, after the VMAs before it were locked; over
 * RLIMIT_MEMLOCK; a fault that failed while populating, a PROT_NONE VMA
 * among them: the VMAs stay locked), -EAGAIN (out of memory populating).
 * munlock: -ENOMEM for a hole.  The pages of a locked VMA are never
 * reclaimed (the unevictable LRU); MADV_DONTNEED, MADV_FREE, MADV_COLD and
 * MADV_PAGEOUT refuse it with -EINVAL.  A fork child does not inherit the
 * locks.  mmap's MAP_LOCKED locks the new mapping (-EPERM as above,
 * -EAGAIN over the limit) and populates it.
 */
#define MMLAB_MLOCK_ONFAULT	1
int mmlab_mlock(struct mmlab_task *t, uint64_t addr, uint64_t len, int flags);
int mmlab_munlock(struct mmlab_task *t, uint64_t addr, uint64_t len);
/* mlockall: MCL_CURRENT locks every VMA now (and populates them unless
 * MCL_ONFAULT), MCL_FUTURE every VMA mapped later (mmap, brk, which then
 * fail with -EAGAIN past the limit).  -EINVAL for 0, unknown bits or
 * MCL_ONFAULT alone; -EPERM as mlock; -ENOMEM for MCL_CURRENT when the
 * whole address space (VmSize) exceeds RLIMIT_MEMLOCK.  munlockall undoes
 * both. */
#define MMLAB_MCL_CURRENT	1
#define MMLAB_MCL_FUTURE	2
#define MMLAB_MCL_ONFAULT	4
int mmlab_mlockall(struct mmlab_task *t, int flags);
int mmlab_munlockall(struct mmlab_task *t);
/*
 * brk(2) as the raw system call: *out is the new break, or the old one
 * when the kernel refuses (below the heap's start, no room: the heap keeps
 * a page free below the next mapping, past RLIMIT_MEMLOCK under
 * MCL_FUTURE); addr 0 reads the break.  A new process's heap starts at
 * 0x555555559000, empty.  Returns 0 (-EINVAL for bad arguments only).
 */
int mmlab_brk(struct mmlab_task *t, uint64_t addr, uint64_t *out);
/* The process's RLIMIT_MEMLOCK (bytes; soft and hard start at 8 MiB):
 * setrlimit sets the soft limit, -EINVAL above the hard one.  CAP_IPC_LOCK
 * (off by default, as for an ordinary program) lifts every memlock limit. */
#define MMLAB_RLIMIT_MEMLOCK	8
#define MMLAB_CAP_IPC_LOCK	14
int mmlab_setrlimit(struct mmlab_proc *p, int resource, uint64_t soft);
int mmlab_getrlimit(struct mmlab_proc *p, int resource, uint64_t *soft, uint64_t *hard);
int mmlab_setcap(struct mmlab_proc *p, int cap, bool on);
int mmlab_mprotect(struct mmlab_task *t, uint64_t addr, uint64_t len, int prot);
/* Let khugepaged finish @n more full scans of every registered mm (run
 * by the caller; returns at once when no mm is registered). */
int mmlab_khugepaged_scan(unsigned int n);
int mmlab_madvise(struct mmlab_task *t, uint64_t addr, uint64_t len, int advice);
/* memfd_create + ftruncate(size): returns fd >= 0 or -errno. */
int mmlab_memfd(struct mmlab_proc *p, const char *name, uint64_t size);
int mmlab_close(struct mmlab_proc *p, int fd);
/*
 * pipe(2): fds[0] the read end, fds[1] the write end.  vmsplice(2) of
 * [addr, addr + len) into the write end @fd: the pipe takes references
 * on the pages (up to 16 pages, one per pipe buffer); returns the bytes
 * moved, or -errno (-EAGAIN when the pipe is full: it never blocks).
 * mmlab_read_fd: read(2) of a pipe's read end, the pages' content as it
 * is now: bytes read, 0 when empty with no writer, -EAGAIN when empty.
 */
int mmlab_pipe(struct mmlab_proc *p, int fds[2]);
long mmlab_vmsplice(struct mmlab_task *t, int fd, uint64_t addr, uint64_t len);
long mmlab_read_fd(struct mmlab_proc *p, int fd, void *buf, uint64_t len);
/*
 * io_uring's fixed buffers: mmlab_io_uring_setup makes a ring (fd >= 0);
 * register pins [addr, addr + len) as buffer 0 (FOLL_WRITE | FOLL_LONGTERM;
 * -EBUSY when one is registered); unregister unpins it (-ENXIO: none);
 * write_fixed writes [addr, addr + len) of the buffer, from its pinned
 * pages, into the memfd @fd at @off and returns the completion's res.
 */
int mmlab_io_uring_setup(struct mmlab_proc *p);
int mmlab_io_uring_register_buffer(struct mmlab_task *t, int ring, uint64_t addr, uint64_t len);
int mmlab_io_uring_unregister_buffers(struct mmlab_proc *p, int ring);
long mmlab_io_uring_write_fixed(struct mmlab_proc *p, int ring, int fd, uint64_t addr,
				uint64_t len, int64_t off);
/*
 * CONFIG_GUP_TEST's /sys/kernel/debug/gup_test (model only): open it (fd
 * >= 0), then PIN_LONGTERM_TEST_START pins [addr, addr + size) longterm
 * (read-only, or FOLL_WRITE with MMLAB_PIN_LONGTERM_TEST_WRITE; through
 * pin_user_pages_fast with MMLAB_PIN_LONGTERM_TEST_FAST), _READ copies the
 * first @len bytes the pinned pages hold now, _STOP unpins (so does
 * closing the fd).  -EINVAL: START with pins held, READ or STOP on a file
 * that is not gup_test.
 */
#define MMLAB_PIN_LONGTERM_TEST_WRITE	1
#define MMLAB_PIN_LONGTERM_TEST_FAST	2
int mmlab_gup_test_open(struct mmlab_proc *p);
int mmlab_pin_longterm_test_start(struct mmlab_task *t, int fd, uint64_t addr,
				  uint64_t size, unsigned int flags);
int mmlab_pin_longterm_test_read(struct mmlab_proc *p, int fd, void *buf, uint64_t len);
int mmlab_pin_longterm_test_stop(struct mmlab_proc *p, int fd);
/*
 * pread / pwrite of /proc/PID/mem: ptrace's access to another process's
 * memory, with FOLL_FORCE (a write reaches a read-only private mapping
 * through a CoW copy).  Bytes moved, or -EIO when none could be.
 */
long mmlab_proc_mem(struct mmlab_proc *p, uint64_t addr, void *buf, uint64_t len, bool write);

/*
 * memfd_create(2): a new empty memfd, fd >= 0, or -EINVAL (unknown flags,
 * EXEC with NOEXEC_SEAL, HUGETLB - the model has no hugetlb - or a name
 * over 249 bytes), -EMFILE, -ENOMEM.  Without ALLOW_SEALING the file is
 * sealed with F_SEAL_SEAL; NOEXEC_SEAL makes it non-executable, sealed
 * with F_SEAL_EXEC, and sealable.
 */
#define MMLAB_MFD_CLOEXEC	0x0001U
#define MMLAB_MFD_ALLOW_SEALING	0x0002U
#define MMLAB_MFD_HUGETLB	0x0004U
#define MMLAB_MFD_NOEXEC_SEAL	0x0008U
#define MMLAB_MFD_EXEC		0x0010U
int mmlab_memfd_create(struct mmlab_proc *p, const char *name, unsigned int flags);
/*
 * A new regular file on a disk filesystem (mkstemp in a directory of one,
 * unlinked: it goes with its last fd), open for reading and writing, of
 * @size bytes (a hole): fd >= 0, or -EMFILE, -ENOMEM.  Its page cache is
 * not swap-backed: reclaim drops clean pages and writes dirty ones back;
 * pages count in RssFile.  No seals (F_ADD_SEALS, F_GET_SEALS: -EINVAL).
 */
int mmlab_file_create(struct mmlab_proc *p, const char *name, uint64_t size);
/*
 * pread(2) / pwrite(2) on @fd (a regular file or a memfd), made as @p's
 * main task: the bytes done, or -EBADF (not open, or not for that),
 * -EINVAL (a negative offset), -EPERM (a write under a write seal, or
 * growing under F_SEAL_GROW), -EFBIG, -ENOMEM.  A read stops at the end of
 * the file; a write grows it and dirties the pages it copies into.
 */
long mmlab_pread(struct mmlab_proc *p, int fd, void *buf, size_t len, int64_t off);
long mmlab_pwrite(struct mmlab_proc *p, int fd, const void *buf, size_t len, int64_t off);
/*
 * open("/proc/self/fd/FD", @flags): another open file on the same memfd,
 * a new fd >= 0 with its own access mode: MMLAB_O_RDONLY, MMLAB_O_WRONLY or
 * MMLAB_O_RDWR (-EINVAL otherwise).  -ENOENT when @fd is not open (there
 * is no such /proc entry), -EMFILE.  From a read-only
 * fd: ftruncate is -EINVAL, fallocate -EBADF, F_ADD_SEALS -EPERM, a shared
 * writable mmap (or any mmap from a write-only fd) -EACCES, and a shared
 * read-only mapping may never become writable.
 */
#define MMLAB_O_RDONLY	0
#define MMLAB_O_WRONLY	1
#define MMLAB_O_RDWR	2
int mmlab_reopen(struct mmlab_proc *p, int fd, int flags);
/*
 * ftruncate(2): -EINVAL for a negative length or an fd not open for
 * writing, -EBADF, -EPERM when F_SEAL_SHRINK / F_SEAL_GROW forbid it.
 * Shrinking unmaps the pages past the new size from every mapping (private
 * copies too: a later access there is SIGBUS) and frees them; the bytes of
 * the last page past the size read as zero.  Made as @p's main task.
 */
int mmlab_ftruncate(struct mmlab_proc *p, int fd, int64_t length);
/*
 * fallocate(2), with the kernel's mode bits: 0 allocates the range (and
 * grows the file to its end), MMLAB_FALLOC_FL_KEEP_SIZE allocates without
 * growing, MMLAB_FALLOC_FL_PUNCH_HOLE|MMLAB_FALLOC_FL_KEEP_SIZE frees it
 * (whole pages leave the cache and every mapping, private copies stay; the
 * partial pages at its ends are zeroed).  -EINVAL (offset < 0, len <= 0),
 * -EOPNOTSUPP (other modes), -EBADF (not open for writing), -EFBIG, -EPERM
 * (a punch under F_SEAL_WRITE or F_SEAL_FUTURE_WRITE; growing under
 * F_SEAL_GROW), -ENOMEM.  Allocated pages read as zero and count in the
 * file's memory; a read fault maps them one at a time (fault-around skips
 * pages not yet used).  Made as @p's main task.
 */
#define MMLAB_FALLOC_FL_KEEP_SIZE	0x01
#define MMLAB_FALLOC_FL_PUNCH_HOLE	0x02
int mmlab_fallocate(struct mmlab_proc *p, int fd, int mode, int64_t offset, int64_t len);
/*
 * fcntl(F_ADD_SEALS) / fcntl(F_GET_SEALS) of a memfd.  add: -EPERM (fd not
 * open for writing, or F_SEAL_SEAL set), -EINVAL (unknown bits), -EBUSY
 * (F_SEAL_WRITE - or F_SEAL_EXEC, which implies it on an executable memfd -
 * while a MAP_SHARED mapping from a writable fd exists, even a read-only
 * one).  get returns the seals (>= 0) or -EBADF.  Sealed: F_SEAL_WRITE and
 * F_SEAL_FUTURE_WRITE make a new shared writable mmap -EPERM and a new
 * shared read-only one unable to become writable (mprotect -EACCES);
 * F_SEAL_WRITE needs no writable mapping, F_SEAL_FUTURE_WRITE leaves
 * existing ones writable.
 */
#define MMLAB_F_SEAL_SEAL		0x0001U
#define MMLAB_F_SEAL_SHRINK		0x0002U
#define MMLAB_F_SEAL_GROW		0x0004U
#define MMLAB_F_SEAL_WRITE		0x0008U
#define MMLAB_F_SEAL_FUTURE_WRITE	0x0010U
#define MMLAB_F_SEAL_EXEC		0x0020U
int mmlab_add_seals(struct mmlab_proc *p, int fd, unsigned int seals);
int mmlab_get_seals(struct mmlab_proc *p, int fd);

/*
 * msync(2) by task @t, flags MMLAB_MS_*: -EINVAL (unaligned addr, unknown
 * flags, SYNC with ASYNC), -ENOMEM (a hole in the range: at once for ASYNC
 * alone, after the mapped parts otherwise), -EBUSY (INVALIDATE over a
 * VM_LOCKED mapping).  Nothing is written: shmem has no disk, and a disk
 * file's dirty pages go back only through reclaim (kswapd).
 */
#define MMLAB_MS_ASYNC		1
#define MMLAB_MS_INVALIDATE	2
#define MMLAB_MS_SYNC		4
int mmlab_msync(struct mmlab_task *t, uint64_t addr, uint64_t len, int flags);

/*
 * process_madvise(2) by task @t about @target's memory (@target's pidfd):
 * each range of @iov in turn, stopping at the first that fails.  Returns
 * the bytes of the ranges advised before it, or, when there are none, the
 * error: -EINVAL (flags not 0, more than 1024 ranges, advice another
 * process may not give - only COLD, PAGEOUT, WILLNEED and COLLAPSE; any
 * advice about one's own memory - or madvise's own -EINVAL), -ENOMEM (a
 * hole), or madvise's other errors.  -EBADF for a NULL @target.
 */
struct mmlab_iovec {
	uint64_t base, len;
};
long mmlab_process_madvise(struct mmlab_task *t, struct mmlab_proc *target,
			   const struct mmlab_iovec *iov, size_t vlen, int advice,
			   unsigned int flags);

/*
 * mseal(2) by task @t: seal [addr, addr + len) (len rounded up to pages)
 * against munmap, mremap, mmap(MAP_FIXED) over it, mprotect, and the
 * discarding advice on private anonymous memory it cannot write; each of
 * those then fails with -EPERM.  -EINVAL (flags not 0, unaligned addr, the
 * range wraps), -ENOMEM (a hole in the range: nothing is sealed).
 */
int mmlab_mseal(struct mmlab_task *t, uint64_t addr, uint64_t len, unsigned long flags);

/* mmap's MAP_DROPPABLE type (6.11+): anonymous memory reclaim drops
 * instead of swapping, written or not; it reads back as zeros, a fork
 * child gets it empty, and it is never locked. */
#define MMLAB_MAP_DROPPABLE	0x08

/*
 * prctl(2) options of the memory manager, for process @p: the option and
 * its arguments as the kernel takes them; the result (>= 0) or -errno.
 * MMLAB_PR_SET_THP_DISABLE (a2 1 or 0, a3 0 or
 * MMLAB_PR_THP_DISABLE_EXCEPT_ADVISED) and MMLAB_PR_GET_THP_DISABLE (0, 1,
 * or 3 for except-advised); any other option is -EINVAL.
 */
#define MMLAB_PR_SET_THP_DISABLE		41
#define MMLAB_PR_GET_THP_DISABLE		42
#define MMLAB_PR_THP_DISABLE_EXCEPT_ADVISED	(1UL << 1)
long mmlab_prctl(struct mmlab_proc *p, int option, unsigned long a2, unsigned long a3,
		 unsigned long a4, unsigned long a5);

/*
 * Accesses by task @t.  Return 0, MMLAB_SIGSEGV / MMLAB_SIGBUS (with the
 * faulting address in *fault_addr when non-NULL), -ENOMEM when memory ran
 * out and nothing could be reclaimed (the model has no OOM killer; the page
 * that could not be allocated is in *fault_addr), or -errno for a bad
 * argument.  Bytes before the faulting address have been accessed.
 * (MAP_POPULATE failures are ignored by mmap, as the kernel does.)
 */
int mmlab_write(struct mmlab_task *t, uint64_t addr, const void *buf,
		size_t len, uint64_t *fault_addr);
int mmlab_read(struct mmlab_task *t, uint64_t addr, void *buf, size_t len,
	       uint64_t *fault_addr);
/* One access per 4 KiB page; a write stores ((a >> 12) & 0xff) | 1 at the
 * first byte of each page (a = that byte's address). */
int mmlab_touch(struct mmlab_task *t, uint64_t addr, uint64_t len, bool write,
		uint64_t *fault_addr);
/*
 * A run of accesses by task @t without data (a recorded program's, for
 * replay), each as mmlab_touch(addr, size, write) makes it: one access per
 * 4 KiB page it covers, in order.  The task's CPU is entered once for the
 * run.  Returns the number of accesses done; when that is less than @n,
 * *ret is the failing access's MMLAB_SIGSEGV, MMLAB_SIGBUS or -errno and
 * *fault_addr its page.  With the stale-TLB detector off and outside
 * deterministic mode, an L1 TLB hit takes a short path with the same
 * effects (LRU, counters, cycles) as the full one.
 */
struct mmlab_access {
	uint64_t addr;
	uint32_t size;
	uint32_t write;		/* bit 0: 1 a write, 0 a read */
};
size_t mmlab_access_run(struct mmlab_task *t, const struct mmlab_access *v, size_t n,
			int *ret, uint64_t *fault_addr);
/* 8-byte words: word at a = splitmix64(seed ^ (a >> 3)).  addr and len must
 * be 8-byte aligned (-EINVAL).  verify: *mismatch = first differing address
 * or UINT64_MAX when all match. */
int mmlab_fill(struct mmlab_task *t, uint64_t addr, uint64_t len,
	       uint64_t seed, uint64_t *fault_addr);
int mmlab_verify(struct mmlab_task *t, uint64_t addr, uint64_t len,
		 uint64_t seed, uint64_t *mismatch, uint64_t *fault_addr);
uint64_t mmlab_splitmix64(uint64_t x);

/* /proc views */

/* Raw /proc/PID/pagemap entries (the kernel's 64-bit format). */
int mmlab_pagemap(struct mmlab_proc *p, uint64_t addr, uint64_t npages,
		  uint64_t *out);
/* /proc/kpageflags: the KPF_* words of frames pfn..pfn+n-1 (0 or -errno).
 * Splitting large folios: write "pid,0xstart,0xend[,new_order]" to the
 * knob /sys/kernel/debug/split_huge_pages (mmlab_knob_set). */
int mmlab_kpageflags(uint64_t pfn, uint64_t n, uint64_t *out);
#define MMLAB_PM_PFN_MASK	((1ULL << 55) - 1)
#define MMLAB_PM_SOFT_DIRTY	(1ULL << 55)
#define MMLAB_PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define MMLAB_PM_UFFD_WP	(1ULL << 57)
#define MMLAB_PM_GUARD_REGION	(1ULL << 58)
#define MMLAB_PM_FILE		(1ULL << 61)
#define MMLAB_PM_SWAP		(1ULL << 62)
#define MMLAB_PM_PRESENT	(1ULL << 63)

/*
 * The PAGEMAP_SCAN ioctl of /proc/PID/pagemap (Linux 6.7+), the kernel's
 * struct pm_scan_arg and struct page_region; vec is a pointer to an array
 * of vec_len regions.  Pages in [start, end) whose categories match
 * (categories ^ category_inverted has all of category_mask and, when it is
 * not 0, one of category_anyof_mask) are reported as runs of equal
 * categories & return_mask; at most max_pages pages (0: no limit).
 * PM_SCAN_WP_MATCHING write-protects the matching written pages (only VMAs
 * with WPALLOWED are walked); PM_SCAN_CHECK_WPASYNC fails with -EPERM at a
 * VMA without it.  Returns the number of regions, walk_end set to where the
 * walk stopped; -EINVAL for a bad size, flags, masks, an unaligned start or
 * vec_len without vec; -EFAULT for a range or vec_len past user space.
 */
#define MMLAB_PAGE_IS_WPALLOWED		(1ULL << 0)	/* uffd-wp async VMA */
#define MMLAB_PAGE_IS_WRITTEN		(1ULL << 1)	/* not uffd-wp protected */
#define MMLAB_PAGE_IS_FILE		(1ULL << 2)
#define MMLAB_PAGE_IS_PRESENT		(1ULL << 3)
#define MMLAB_PAGE_IS_SWAPPED		(1ULL << 4)	/* any swap-format entry */
#define MMLAB_PAGE_IS_PFNZERO		(1ULL << 5)
#define MMLAB_PAGE_IS_HUGE		(1ULL << 6)	/* PMD-mapped */
#define MMLAB_PAGE_IS_SOFT_DIRTY	(1ULL << 7)
#define MMLAB_PAGE_IS_GUARD		(1ULL << 8)
#define MMLAB_PM_SCAN_CATEGORIES	0x1ffULL
#define MMLAB_PM_SCAN_WP_MATCHING	(1ULL << 0)
#define MMLAB_PM_SCAN_CHECK_WPASYNC	(1ULL << 1)
struct mmlab_page_region {
	uint64_t start, end, categories;
};
struct mmlab_pm_scan_arg {
	uint64_t size;		/* sizeof(struct mmlab_pm_scan_arg): 96 */
	uint64_t flags, start, end;
	uint64_t walk_end;	/* out */
	uint64_t vec;		/* (uintptr_t) struct mmlab_page_region[] */
	uint64_t vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
long mmlab_pagemap_scan(struct mmlab_proc *p, struct mmlab_pm_scan_arg *arg);

struct mmlab_status {	/* kB, as /proc/PID/status */
	uint64_t VmSize, VmRSS, RssAnon, RssFile, RssShmem, VmPTE, VmSwap;
	uint64_t VmPeak;	/* the largest VmSize (raised when it shrinks) */
	uint64_t VmLck;		/* pages of VM_LOCKED VMAs (mlock, mlockall, MAP_LOCKED) */
	uint64_t VmHWM;		/* the largest VmRSS (raised when RSS goes down;
				 * clear_refs 5 resets it to VmRSS) */
};
int mmlab_status(struct mmlab_proc *p, struct mmlab_status *st);

struct mmlab_smaps {	/* kB, as /proc/PID/smaps for one VMA */
	uint64_t start, end;	/* bytes: the VMA */
	uint64_t Size, Rss, Pss, Pss_Dirty, Shared_Clean, Shared_Dirty, Private_Clean,
		 Private_Dirty, Referenced, Anonymous, LazyFree, AnonHugePages,
		 ShmemPmdMapped, Swap, SwapPss;
	uint64_t Locked;	/* the Pss of a VM_LOCKED VMA, else 0 */
	uint64_t KernelPageSize, MMUPageSize;	/* 4 */
	int THPeligible;	/* some THP order may be used in this VMA */
	char flags[64];		/* VmFlags, e.g. "rd wr mr mw me ac" */
};
/* The VMA containing @addr: -ENOENT when none. */
int mmlab_smaps(struct mmlab_proc *p, uint64_t addr, struct mmlab_smaps *out);
/* Write @type to /proc/PID/clear_refs: 1 all, 2 anon, 3 file referenced
 * bits; 4 soft-dirty; 5 peak RSS.  -EINVAL for other values. */
int mmlab_clear_refs(struct mmlab_proc *p, int type);

/* Number of VMAs and the i-th one's range (for tests and tools). */
int mmlab_vma_count(struct mmlab_proc *p);
int mmlab_vma_get(struct mmlab_proc *p, int i, uint64_t *start, uint64_t *end,
		  int *prot, int *flags);

/*
 * Swap: add a swap area of @bytes backed by a temporary file (deleted when
 * the machine is destroyed).  Returns the area's type (>= 0) or -EINVAL
 * (under 40 KiB), -EPERM (too many areas), -errno of the file.
 */
int mmlab_swapon(uint64_t bytes);

/*
 * move_pages(2) for @npages pages from @addr of @p's address space: move
 * each mapped page to @node.  Returns the number of pages moved, or -EINVAL
 * (bad node) / -ENOMEM.
 */
long mmlab_move_pages(struct mmlab_proc *p, uint64_t addr, uint64_t npages, int node);
/* The node of the page mapped at @addr, -ENOENT when none is present. */
int mmlab_page_node(struct mmlab_proc *p, uint64_t addr);
/* The machine's NUMA nodes (0 with no machine up), and one node's memory
 * and free memory in bytes: -EINVAL for a node that does not exist. */
unsigned int mmlab_nr_nodes(void);
int mmlab_node_info(int nid, uint64_t *total, uint64_t *free);

/* Memory policies: the kernel's values (linux/mempolicy.h). */
#define MMLAB_MPOL_DEFAULT		0
#define MMLAB_MPOL_PREFERRED		1
#define MMLAB_MPOL_BIND			2
#define MMLAB_MPOL_INTERLEAVE		3
#define MMLAB_MPOL_LOCAL		4
#define MMLAB_MPOL_PREFERRED_MANY	5
#define MMLAB_MPOL_WEIGHTED_INTERLEAVE	6
#define MMLAB_MPOL_F_STATIC_NODES	(1 << 15)	/* mode flags */
#define MMLAB_MPOL_F_RELATIVE_NODES	(1 << 14)
#define MMLAB_MPOL_F_NUMA_BALANCING	(1 << 13)
#define MMLAB_MPOL_MF_STRICT		(1 << 0)	/* mbind flags */
#define MMLAB_MPOL_MF_MOVE		(1 << 1)
#define MMLAB_MPOL_MF_MOVE_ALL		(1 << 2)
#define MMLAB_MPOL_F_NODE		(1 << 0)	/* get_mempolicy flags */
#define MMLAB_MPOL_F_ADDR		(1 << 1)
#define MMLAB_MPOL_F_MEMS_ALLOWED	(1 << 2)

/*
 * mbind(2) by task @t: the policy @mode (with its mode flags) and the node
 * mask @nmask of @maxnode - 1 bits (the caller provides that many; NULL or
 * maxnode <= 1: none) on [start, start + len).  MMLAB_MPOL_MF_MOVE moves
 * the range's pages that are not on an allowed node and only this process
 * maps (MOVE_ALL: shared ones too; MPOL_LOCAL allows none, so every page
 * moves); a large folio is split first (the kernel migrates it whole).
 * Returns 0, -EINVAL (flags, mode, alignment, a wrapping range, nodes the
 * mode does not take or none of the machine's), -EFAULT (a hole in the
 * range), -EIO (MMLAB_MPOL_MF_STRICT and pages left misplaced).  The
 * anonymous faults of the range (CoW copies, THPs and swap-in included)
 * then allocate by the policy; shmem pages ignore it (the model has no
 * shared policy).
 */
int mmlab_mbind(struct mmlab_task *t, uint64_t start, uint64_t len, unsigned long mode,
		const unsigned long *nmask, unsigned long maxnode, unsigned int flags);
/*
 * set_mempolicy(2) by task @t: its own policy @mode (with its mode flags)
 * over the node mask @nmask of @maxnode - 1 bits, as mmlab_mbind takes
 * them; MMLAB_MPOL_DEFAULT (no nodes) removes it.  A VMA without a policy
 * allocates by the policy of the task that faults; mmlab_fork copies the
 * main task's to the child, mmlab_thread gives a new thread the main
 * task's.  Returns 0 or -EINVAL (mode, flags, nodes as mmlab_mbind).
 */
int mmlab_set_mempolicy(struct mmlab_task *t, unsigned long mode, const unsigned long *nmask,
			unsigned long maxnode);
/*
 * get_mempolicy(2) by task @t: with MMLAB_MPOL_F_ADDR the policy of the
 * VMA at @addr in *@policy and its nodes in *@nmask (one word, may be
 * NULL); with MMLAB_MPOL_F_ADDR | MMLAB_MPOL_F_NODE the node of the page
 * at @addr (faulted in if absent).  Without MMLAB_MPOL_F_ADDR (@addr 0)
 * @t's own policy (MMLAB_MPOL_DEFAULT and no nodes for none), with
 * MMLAB_MPOL_F_NODE the node its interleave takes next (-EINVAL when it
 * does not interleave); MMLAB_MPOL_F_MEMS_ALLOWED alone: the machine's
 * nodes.  -EFAULT (no VMA there), -EINVAL.
 */
int mmlab_get_mempolicy(struct mmlab_task *t, int *policy, unsigned long *nmask,
			uint64_t addr, unsigned long flags);

/*
 * userfaultfd: one per process.  Registering without mmlab_uffd_api() opens
 * it as a plain program does (no optional features).  The model's handler
 * answers every fault at once: a wp fault by un-protecting that page, a
 * missing fault with UFFDIO_ZEROPAGE; the faulting access then completes.
 */
#define MMLAB_UFFD_MISSING	1
#define MMLAB_UFFD_WP		2
#define MMLAB_UFFD_FORK		3	/* event: the process forked (EVENT_FORK) */
struct mmlab_uffd_event {
	uint64_t addr;		/* page address of the fault (0 for fork) */
	int kind;		/* MMLAB_UFFD_MISSING, _WP, _FORK, _REMAP, _REMOVE */
	uint64_t to, len;	/* REMAP: new address, length; REMOVE: length */
};
/* UFFDIO_API features the model has (the kernel's bits):
 * EVENT_FORK: a child gets its own userfaultfd with the registrations and
 *   wp bits copied (its faults are its own events); the parent gets a
 *   MMLAB_UFFD_FORK event.  Without it the child is not registered.
 * WP_UNPOPULATED: UFFDIO_WRITEPROTECT of anonymous memory puts PTE markers
 *   on empty PTEs, so the first write there faults as wp.
 * WP_ASYNC (brings WP_UNPOPULATED): a wp fault is resolved by the kernel
 *   itself, no event; the page becomes writable and "written" for
 *   mmlab_pagemap_scan. */
#define MMLAB_UFFD_FEATURE_EVENT_FORK		(1ULL << 1)
#define MMLAB_UFFD_FEATURE_WP_UNPOPULATED	(1ULL << 13)
#define MMLAB_UFFD_FEATURE_WP_ASYNC		(1ULL << 15)
/* UFFDIO_API: -EINVAL for other features, or when the process's userfaultfd
 * is set up already (by an earlier call or registration). */
int mmlab_uffd_api(struct mmlab_proc *p, uint64_t features);
/* UFFDIO_REGISTER of [addr, addr+len) with @modes: -EINVAL for a bad range,
 * bad modes, or a range with no mapping at all (holes are skipped). */
int mmlab_uffd_register(struct mmlab_proc *p, uint64_t addr, uint64_t len, int modes);
/* UFFDIO_WRITEPROTECT: -ENOENT when a mapping in the range is not
 * registered for wp, or there is none; holes are skipped. */
int mmlab_uffd_wp(struct mmlab_proc *p, uint64_t addr, uint64_t len, bool on);
/* Faults delivered since the last call, oldest first (at most @max). */
int mmlab_uffd_events(struct mmlab_proc *p, struct mmlab_uffd_event *ev, int max);
/* More UFFDIO_API features (the kernel's bits):
 * SIGBUS: a fault that would go to the handler is SIGBUS instead.
 * EVENT_REMAP: mremap of a registered range is a MMLAB_UFFD_REMAP event
 *   (addr the old start, to the new one, len); EVENT_REMOVE: MADV_DONTNEED
 *   and MADV_REMOVE of one are a MMLAB_UFFD_REMOVE event ([addr, end)).
 * The others are accepted as the kernel accepts them and change nothing the
 * model shows (PAGEFAULT_FLAG_WP, MISSING_SHMEM, WP_HUGETLBFS_SHMEM, the
 * hugetlbfs ones, MINOR_SHMEM, POISON, MOVE). */
#define MMLAB_UFFD_FEATURE_PAGEFAULT_FLAG_WP	(1ULL << 0)
#define MMLAB_UFFD_FEATURE_EVENT_REMAP		(1ULL << 2)
#define MMLAB_UFFD_FEATURE_EVENT_REMOVE		(1ULL << 3)
#define MMLAB_UFFD_FEATURE_MISSING_HUGETLBFS	(1ULL << 4)
#define MMLAB_UFFD_FEATURE_MISSING_SHMEM	(1ULL << 5)
#define MMLAB_UFFD_FEATURE_SIGBUS		(1ULL << 7)
#define MMLAB_UFFD_FEATURE_MINOR_HUGETLBFS	(1ULL << 9)
#define MMLAB_UFFD_FEATURE_MINOR_SHMEM		(1ULL << 10)
#define MMLAB_UFFD_FEATURE_WP_HUGETLBFS_SHMEM	(1ULL << 12)
#define MMLAB_UFFD_FEATURE_POISON		(1ULL << 14)
#define MMLAB_UFFD_FEATURE_MOVE			(1ULL << 16)
#define MMLAB_UFFD_FEATURES_ACCEPTED	(MMLAB_UFFD_FEATURE_PAGEFAULT_FLAG_WP | \
					 MMLAB_UFFD_FEATURE_MISSING_HUGETLBFS | \
					 MMLAB_UFFD_FEATURE_MISSING_SHMEM | \
					 MMLAB_UFFD_FEATURE_MINOR_HUGETLBFS | \
					 MMLAB_UFFD_FEATURE_MINOR_SHMEM | \
					 MMLAB_UFFD_FEATURE_WP_HUGETLBFS_SHMEM | \
					 MMLAB_UFFD_FEATURE_POISON | \
					 MMLAB_UFFD_FEATURE_MOVE)
/* Event kinds beyond MMLAB_UFFD_MISSING, _WP and _FORK */
#define MMLAB_UFFD_REMAP	4
#define MMLAB_UFFD_REMOVE	5
#define MMLAB_UFFD_MINOR	6	/* a minor fault (the page cache has the page) */
/* UFFDIO_REGISTER_MODE_MINOR (shmem only), and the ioctl numbers whose bits
 * UFFDIO_REGISTER reports for the range */
#define MMLAB_UFFD_MINOR_MODE		4
#define MMLAB_UFFDIO_WAKE_NR		2
#define MMLAB_UFFDIO_COPY_NR		3
#define MMLAB_UFFDIO_ZEROPAGE_NR	4
#define MMLAB_UFFDIO_MOVE_NR		5
#define MMLAB_UFFDIO_WRITEPROTECT_NR	6
#define MMLAB_UFFDIO_CONTINUE_NR	7
#define MMLAB_UFFDIO_POISON_NR		8
#define MMLAB_UFFDIO_RANGE_IOCTLS	((1ULL << MMLAB_UFFDIO_WAKE_NR) | \
					 (1ULL << MMLAB_UFFDIO_COPY_NR) | \
					 (1ULL << MMLAB_UFFDIO_ZEROPAGE_NR) | \
					 (1ULL << MMLAB_UFFDIO_MOVE_NR) | \
					 (1ULL << MMLAB_UFFDIO_WRITEPROTECT_NR) | \
					 (1ULL << MMLAB_UFFDIO_CONTINUE_NR) | \
					 (1ULL << MMLAB_UFFDIO_POISON_NR))
/* UFFDIO_REGISTER that also reports the range's ioctls (NULL: not wanted);
 * -EINVAL as mmlab_uffd_register, and for minor mode off shmem. */
int mmlab_uffd_register_ioctls(struct mmlab_proc *p, uint64_t addr, uint64_t len,
			       int modes, uint64_t *ioctls);
/* The filling ioctls (userfaultfd_mfill.c): @op one of these, @mode bits of
 * MMLAB_UFFDIO_MODE_* (DONTWAKE for all, WP for COPY and CONTINUE).  0 when
 * all of [dst, dst+len) was filled, -EAGAIN when part was, else -errno;
 * *filled the bytes filled or the error (the ioctl's result field). */
#define MMLAB_UFFDIO_COPY	1
#define MMLAB_UFFDIO_ZEROPAGE	2
#define MMLAB_UFFDIO_POISON	3
#define MMLAB_UFFDIO_CONTINUE	4
#define MMLAB_UFFDIO_MODE_DONTWAKE	(1U << 0)
#define MMLAB_UFFDIO_MODE_WP		(1U << 1)
int mmlab_uffd_fill(struct mmlab_proc *p, int op, uint64_t dst, uint64_t src,
		    uint64_t len, unsigned int mode, int64_t *filled);
/* UFFDIO_MOVE (userfaultfd_move.c): move the anonymous pages of [src,
 * src+len) to the registered [dst, dst+len); @mode of DONTWAKE and
 * ALLOW_SRC_HOLES.  Returns as mmlab_uffd_fill, *moved the bytes moved. */
#define MMLAB_UFFDIO_MOVE_ALLOW_SRC_HOLES	(1U << 1)
int mmlab_uffd_move(struct mmlab_proc *p, uint64_t dst, uint64_t src, uint64_t len,
		    unsigned int mode, int64_t *moved);
/* UFFDIO_UNREGISTER: -EINVAL for a bad range or one with no mapping. */
int mmlab_uffd_unregister(struct mmlab_proc *p, uint64_t addr, uint64_t len);

/*
 * Page-table reclaim (the June 2024 RFC): the per-process switch the RFC proposes as a
 * prctl (Lua p:prctl("pt_reclaim", on)).  The scanner itself is set with
 * the /sys/kernel/mm/mmlab/pt_reclaim/ knobs; madvise(MMLAB_MADV_PT_RECLAIM)
 * reclaims a range at once.
 */
int mmlab_prctl_pt_reclaim(struct mmlab_proc *p, bool on);

/*
 * A GUP-fast-style lockless walk of [addr, addr + npages pages) (RCU, no
 * page-table locks): the number of present pages, their pfns in @pfns when
 * non-NULL.  A walk that meets a freed (poisoned) table counts in vmstat
 * mmlab_walks_into_freed_tables.  -EINVAL for a bad range.
 */
long mmlab_gup_fast(struct mmlab_proc *p, uint64_t addr, uint64_t npages, uint64_t *pfns);

/* Run every deferred free now (RCU callbacks: page-table frames), drain
 * the per-CPU LRU batches and give the per-CPU free lists back to the
 * buddy allocator, so that counters such as nr_page_table_pages and
 * nr_free_pages can be read exactly. */
void mmlab_quiesce(void);
/* Wait until background reclaim is idle (no kswapd woken or running on any
 * node), then mmlab_quiesce().  -ETIMEDOUT after @timeout_ms (on the
 * machine's clock: the simulated one in deterministic mode). */
int mmlab_settle(unsigned int timeout_ms);

/* Simulated time: cycles charged to a CPU by the cost model. */
uint64_t mmlab_cpu_cycles(unsigned int cpu);
/* Host bytes of metadata per simulated 4 KiB frame (struct page and
 * allocator state). */
size_t mmlab_metadata_bytes_per_frame(void);

/*
 * Model-only debugging for benchmarks (mapcount, collapse).
 *
 * The shared-mapping predicates side by side: each large anonymous folio
 * evaluated with folio_mapped_shared_precise (exact per-mm mapping counts
 * the model keeps beside the mapcounts; the census also checks them
 * against an rmap walk: precise_mismatch), the older
 * folio_likely_mapped_shared and 6.18's folio_maybe_mapped_shared (mm-id
 * slots).  A false negative says "exclusive" of a folio precise finds
 * mapped by two mms; a false positive the reverse.  *_mappings weight the
 * folios by their mapcount (the PTEs/PMDs a scan would count).
 */
struct mmlab_shared_census {
	uint64_t folios, mappings, precise_shared;
	uint64_t likely_fn, likely_fp, maybe_fn, maybe_fp;
	uint64_t likely_fn_mappings, likely_fp_mappings;
	uint64_t maybe_fn_mappings, maybe_fp_mappings;
	uint64_t precise_mismatch;	/* census: bookkeeping != rmap walk */
};
/* Every large anonymous folio mapped anywhere now (quiescent machine). */
int mmlab_debug_shared_census(struct mmlab_shared_census *out);
/* While on, every shared_check decision the mm takes on a large folio
 * (khugepaged's PTE scans among them) is also counted as above; turning it
 * on clears the counts, *out (when non-NULL) gets them. */
void mmlab_debug_shared_audit(bool on, struct mmlab_shared_census *out);

/* Called after each collapse attempt that got as far as allocating its
 * folio (khugepaged and MADV_COLLAPSE): the order, whether it succeeded,
 * host nanoseconds and simulated cycles of the collapsing CPU (0 when the
 * caller is no simulated CPU) from the allocation to the end.  NULL (the
 * default) turns it off. */
typedef void (*mmlab_collapse_hook_fn)(unsigned int order, bool ok, uint64_t host_ns,
				       uint64_t sim_cycles);
void mmlab_debug_collapse_hook(mmlab_collapse_hook_fn fn);

#ifdef __cplusplus
}
#endif
#endif
