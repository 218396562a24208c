/*
 * script.h - internals of the Lua scenario runner (src/script).
 *
 * A scenario (a Lua script in scenarios/, contract in docs/scenarios.md)
 * talks to a backend through struct sc_backend: "model" drives mmlab's own memory
 * manager through the public C API, "linux" drives helper processes
 * (puppets, puppet.c) that make the real system calls.  The Lua side
 * (lua_mm.c, lua_proc.c, lua_parallel.c) knows nothing of either; runner.c
 * owns the lua_State, the timeout and the exit status.
 *
 * Conventions: backend calls return 0 or -errno; access calls may also
 * return SC_SIGSEGV / SC_SIGBUS (positive) with the faulting address.
 * -ENOSYS means "this backend cannot do that" and ends the run (exit 2).
 */
#ifndef MMLAB_SCRIPT_H
#define MMLAB_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lua.h>

/* A backend call failed in a way already reported on stderr (a helper
 * process died, ...): the run ends with exit status 2. */
#define SC_EBACKEND	(-4096)

#define SC_SIGBUS	7
#define SC_SIGSEGV	11

#define SC_PAGE_SIZE	4096ULL
#define SC_PMD_SIZE	(2ULL << 20)

/* mremap flags: the Linux values */
#define SC_MREMAP_MAYMOVE	1
#define SC_MREMAP_FIXED		2
#define SC_MREMAP_DONTUNMAP	4

/* mlock2 and mlockall flags, setrlimit and capability numbers: the Linux
 * values */
#define SC_MLOCK_ONFAULT	1
#define SC_MCL_CURRENT		1
#define SC_MCL_FUTURE		2
#define SC_MCL_ONFAULT		4
#define SC_RLIMIT_MEMLOCK	8
#define SC_CAP_IPC_LOCK		14

/* mmap's MAP_DROPPABLE type (6.11+) */
#define SC_MAP_DROPPABLE	0x08

/* Model-only advice, as in include/mmlab/mmlab.h */
#define SC_MADV_PT_RECLAIM	1000

struct sc_proc;		/* backend-private */
struct sc_iovec {		/* a range of process_madvise */
	uint64_t base, len;
};
struct sc_task;

/* Operations that can run on a task, alone or inside mm.parallel. */
enum sc_op {
	SC_OP_TOUCH,
	SC_OP_FILL,
	SC_OP_VERIFY,
	SC_OP_READ,
	SC_OP_WRITE,
	SC_OP_MADVISE,
	SC_OP_MUNMAP,
	SC_OP_MPROTECT,
	SC_NR_OPS
};

extern const char *const sc_op_names[SC_NR_OPS];

/* One operation: a plain method call, or one mm.parallel element. */
struct sc_item {
	struct sc_task *task;
	enum sc_op op;
	uint64_t addr, len;
	uint64_t arg;		/* touch: 1 write; fill/verify: seed;
				 * madvise: advice; mprotect: prot */
	const void *in;		/* write: len bytes */
	void *out;		/* read: len bytes */
	unsigned int rep;	/* times to run (>= 1) */
	/* results */
	int ret;		/* 0, -errno, SC_SIGSEGV, SC_SIGBUS */
	uint64_t fault_addr;
	uint64_t mismatch;	/* verify: first differing address or
				 * UINT64_MAX */
	int group;		/* lua_parallel.c: index of its task group */
};

struct sc_status {		/* kB, as /proc/PID/status */
	uint64_t VmSize, VmRSS, RssAnon, RssFile, RssShmem, VmPTE, VmSwap;
	uint64_t VmPeak, VmLck, VmHWM;
};

#define SC_SMAPS_MAX_FIELDS 48
struct sc_smaps {
	uint64_t start, end;	/* bytes */
	int nr;
	struct {
		char key[32];
		uint64_t val;	/* kB */
	} f[SC_SMAPS_MAX_FIELDS];
	char flags[160];	/* VmFlags */
};

enum { SC_UFFD_MISSING = 1, SC_UFFD_WP = 2, SC_UFFD_FORK = 3,
       SC_UFFD_REMAP = 4, SC_UFFD_REMOVE = 5, SC_UFFD_MINOR = 6 };
#define SC_UFFD_MINOR_MODE	4	/* a registration mode, not an event */

struct sc_uffd_event {
	uint64_t addr;
	int kind;		/* SC_UFFD_MISSING, _WP, _FORK, _REMAP, _REMOVE */
	uint64_t to, len;	/* REMAP: the new address and the length;
				 * REMOVE: the length */
};

/* The filling ioctls: UFFDIO_COPY, _ZEROPAGE, _POISON, _CONTINUE; modes */
enum { SC_UFFDIO_COPY = 1, SC_UFFDIO_ZEROPAGE, SC_UFFDIO_POISON, SC_UFFDIO_CONTINUE,
       SC_UFFDIO_MOVE };
#define SC_UFFDIO_MOVE_ALLOW_SRC_HOLES	(1U << 1)	/* MOVE's mode bit */
#define SC_UFFDIO_MODE_DONTWAKE	(1U << 0)
#define SC_UFFDIO_MODE_WP	(1U << 1)

/* UFFDIO_API features: the kernel's bits */
#define SC_UFFD_FEATURE_EVENT_FORK	(1ULL << 1)
#define SC_UFFD_FEATURE_WP_UNPOPULATED	(1ULL << 13)
#define SC_UFFD_FEATURE_WP_ASYNC	(1ULL << 15)
#define SC_UFFD_FEATURE_PAGEFAULT_FLAG_WP	(1ULL << 0)
#define SC_UFFD_FEATURE_EVENT_REMAP	(1ULL << 2)
#define SC_UFFD_FEATURE_EVENT_REMOVE	(1ULL << 3)
#define SC_UFFD_FEATURE_MISSING_HUGETLBFS	(1ULL << 4)
#define SC_UFFD_FEATURE_MISSING_SHMEM	(1ULL << 5)
#define SC_UFFD_FEATURE_SIGBUS		(1ULL << 7)
#define SC_UFFD_FEATURE_MINOR_HUGETLBFS	(1ULL << 9)
#define SC_UFFD_FEATURE_MINOR_SHMEM	(1ULL << 10)
#define SC_UFFD_FEATURE_WP_HUGETLBFS_SHMEM	(1ULL << 12)
#define SC_UFFD_FEATURE_POISON		(1ULL << 14)
#define SC_UFFD_FEATURE_MOVE		(1ULL << 16)

/* PAGEMAP_SCAN: the kernel's struct pm_scan_arg and struct page_region
 * (vec points to vec_len of them); categories and flags the kernel's */
struct sc_pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct sc_page_region {
	uint64_t start, end, categories;
};

struct sc_options {
	const char *backend;	/* "model" or "linux" */
	unsigned int cpus;	/* 0: default */
	unsigned int nodes;	/* the model's NUMA nodes, 0: default (1) */
	/* --nodes SIZE[:slow[=NS]],...: each node's memory (0: --mem split
	 * evenly), slower tier and access latency (0: the default) */
	uint64_t node_bytes[8];
	bool node_slow[8];
	unsigned int node_latency_ns[8];
	const char *nodes_spec;	/* --nodes as given, for a child run */
	uint64_t mem;		/* 0: default */
	uint64_t seed;
	const char **sets;	/* "path=value" from --set */
	int nr_sets;
	unsigned int timeout;	/* seconds, 0: none */
	const char *script;
	int argc;		/* script arguments */
	char **argv;
	const char *obs_path;	/* diff: where observations go */
	bool deterministic;	/* --deterministic: the seeded scheduler */
	int strategy;		/* 0 random, 1 pct */
	unsigned int depth;	/* pct depth */
	uint64_t max_steps;	/* step budget, 0 none */
	const char *self_exe;	/* this executable (puppets exec it) */
	bool unsafe_lua;	/* --unsafe-lua: the whole Lua library */
	bool check;		/* --check: the model's stale-TLB detector on */
	const char *results_path; /* --results: run_stats.c's file */
};

typedef void (*sc_vmstat_cb)(void *ctx, const char *name, uint64_t val);

struct sc_node {		/* a memory node: bytes */
	int id;
	uint64_t total, free;
};

struct sc_backend {
	const char *name;
	/* Bring up / tear down.  start() prints its own error on failure. */
	int (*start)(const struct sc_options *o);
	void (*finish)(void);
	/* Async-signal-safe: undo what must not outlive us (settings,
	 * swap files, puppets). */
	void (*emergency)(void);
	/* Apply one "path=value" from MMLAB_SET (linux only; the model's
	 * machine_create applies the environment itself). */
	int (*knob_set)(const char *path, const char *value);
	int (*knob_get)(const char *path, char *buf, size_t len);
	int (*swapon)(uint64_t bytes);
	int (*vmstat)(sc_vmstat_cb cb, void *ctx);
	int (*khugepaged_scan)(unsigned int n);
	unsigned int (*nr_cpus)(void);

	int (*spawn)(struct sc_proc **out);
	int (*fork)(struct sc_proc *p, struct sc_proc **child);
	int (*exit)(struct sc_proc *p);
	int (*pid)(struct sc_proc *p);
	int (*thread)(struct sc_proc *p, unsigned int cpu, struct sc_task **out);
	struct sc_task *(*main_task)(struct sc_proc *p);
	unsigned int (*task_cpu)(struct sc_task *t);

	int (*mmap)(struct sc_task *t, uint64_t addr, uint64_t len, int prot,
		    int flags, int fd, uint64_t off, uint64_t *out);
	/* mremap(2) by task t: flags are SC_MREMAP_*; the new address in *out */
	int (*mremap)(struct sc_task *t, uint64_t addr, uint64_t old_len,
		      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out);
	/* mlock2 (flags SC_MLOCK_*), munlock, mlockall (SC_MCL_*),
	 * munlockall by task t: 0 or -errno */
	int (*mlock)(struct sc_task *t, uint64_t addr, uint64_t len, int flags);
	int (*munlock)(struct sc_task *t, uint64_t addr, uint64_t len);
	int (*mlockall)(struct sc_task *t, int flags);
	int (*munlockall)(struct sc_task *t);
	/* the raw brk(2): *out is the new (or, refused, the old) break */
	int (*brk)(struct sc_task *t, uint64_t addr, uint64_t *out);
	/* the soft limit of a resource (SC_RLIMIT_MEMLOCK), a capability
	 * (SC_CAP_IPC_LOCK) on or off in the effective set */
	int (*setrlimit)(struct sc_proc *p, int resource, uint64_t soft);
	int (*setcap)(struct sc_proc *p, int cap, bool on);
	/* memfd_create(name, flags: the kernel's MFD_*) + ftruncate(size) */
	int (*memfd)(struct sc_proc *p, const char *name, uint64_t size,
		     unsigned int flags);
	int (*close)(struct sc_proc *p, int fd);
	/* a new regular file on a disk filesystem (unlinked), of size bytes */
	int (*regfile)(struct sc_proc *p, uint64_t size);
	/* pread / pwrite: the bytes done or -errno */
	long (*pread)(struct sc_proc *p, int fd, void *buf, size_t len, int64_t off);
	long (*pwrite)(struct sc_proc *p, int fd, const void *buf, size_t len, int64_t off);
	/* open("/proc/self/fd/FD", flags: O_RDONLY, O_WRONLY or O_RDWR):
	 * the new fd or -errno */
	int (*reopen)(struct sc_proc *p, int fd, int flags);
	int (*ftruncate)(struct sc_proc *p, int fd, int64_t len);
	/* fallocate: mode is the kernel's FALLOC_FL_* bits */
	int (*fallocate)(struct sc_proc *p, int fd, int mode, int64_t off,
			 int64_t len);
	/* fcntl F_ADD_SEALS (0 or -errno) / F_GET_SEALS (seals or -errno) */
	int (*add_seals)(struct sc_proc *p, int fd, unsigned int seals);
	int (*get_seals)(struct sc_proc *p, int fd);
	/* msync by task t: flags the kernel's MS_* */
	int (*msync)(struct sc_task *t, uint64_t addr, uint64_t len, int flags);
	/* process_madvise by task t about target's memory: the bytes
	 * advised, or -errno */
	long (*process_madvise)(struct sc_task *t, struct sc_proc *target,
				const struct sc_iovec *iov, int n, int advice,
				unsigned int flags);
	/* Run one item (it->rep times) on it->task. */
	int (*run)(struct sc_item *it);
	/* Run items concurrently: items of one task in order, tasks at
	 * once.  Results land in each item. */
	int (*parallel)(struct sc_item *items, int n);

	int (*pagemap)(struct sc_proc *p, uint64_t addr, uint64_t n,
		       uint64_t *out);
	int (*status)(struct sc_proc *p, struct sc_status *st);
	int (*smaps)(struct sc_proc *p, uint64_t addr, struct sc_smaps *out);
	int (*clear_refs)(struct sc_proc *p, int v);
	/* UFFDIO_REGISTER; *ioctls the ioctl bits it reports for the range */
	int (*uffd_register)(struct sc_proc *p, uint64_t addr, uint64_t len,
			     int modes, uint64_t *ioctls);
	int (*uffd_wp)(struct sc_proc *p, uint64_t addr, uint64_t len, bool on);
	/* Returns the number of events stored (at most max), or -errno. */
	int (*uffd_events)(struct sc_proc *p, struct sc_uffd_event *ev, int max);
	/* UFFDIO_API with SC_UFFD_FEATURE_* (before any registration) */
	int (*uffd_api)(struct sc_proc *p, uint64_t features);
	/* UFFDIO_COPY/_ZEROPAGE/_POISON/_CONTINUE/_MOVE (SC_UFFDIO_*): 0, -EAGAIN
	 * (part filled) or -errno; *filled the ioctl's result field */
	int (*uffd_fill)(struct sc_proc *p, int op, uint64_t dst, uint64_t src,
			 uint64_t len, unsigned int mode, int64_t *filled);
	/* UFFDIO_UNREGISTER */
	int (*uffd_unregister)(struct sc_proc *p, uint64_t addr, uint64_t len);
	/* The PAGEMAP_SCAN ioctl of p's /proc/PID/pagemap: the number of
	 * regions or -errno; arg->walk_end set */
	long (*pagemap_scan)(struct sc_proc *p, struct sc_pm_scan_arg *arg);
	/* The per-process page-table reclaim switch (the page-table reclaim RFC's prctl): 0 or
	 * -errno; the linux backend has no such prctl and returns -EINVAL. */
	int (*prctl_pt_reclaim)(struct sc_proc *p, bool on);
	/* mseal(2) by task t: 0 or -errno */
	int (*mseal)(struct sc_task *t, uint64_t addr, uint64_t len, uint64_t flags);
	/* prctl(2) of an mm option (SC_PR_*): the result or -errno */
	long (*prctl)(struct sc_proc *p, int option, const uint64_t args[4]);
	/* NUMA and time (backend_numa.c): the nodes (how many stored); the
	 * pages at addrs[] moved to @node (-1: not moved) and each page's
	 * status as move_pages(2) gives it (its node or -errno), 0 or
	 * -errno for the call; the clock in ns; a CPU's simulated cycles
	 * (-ENOSYS where there are none) */
	int (*nodes)(struct sc_node *out, int max);
	int (*move_pages)(struct sc_proc *p, const uint64_t *addrs, int n, int node,
			  int *status);
	uint64_t (*now_ns)(void);
	int (*cpu_cycles)(unsigned int cpu, uint64_t *out);
	/* wait until background reclaim is idle: 0 or -ETIMEDOUT */
	int (*settle)(unsigned int timeout_ms);
	/* pipe(2), both ends non-blocking: fds[0] reads, fds[1] writes;
	 * vmsplice(2) of user memory into the write end by task t (bytes
	 * moved or -errno); read(2) of up to len bytes of fd (bytes or
	 * -errno) */
	int (*pipe)(struct sc_proc *p, int fds[2]);
	long (*vmsplice)(struct sc_task *t, int fd, uint64_t addr, uint64_t len);
	long (*read_fd)(struct sc_proc *p, int fd, void *buf, uint64_t len);
	/* io_uring: a ring with one entry (its fd or -errno); register
	 * [addr, addr + len) as fixed buffer 0 (task t pins it); unregister
	 * the buffers; IORING_OP_WRITE_FIXED of [addr, addr + len) of the
	 * buffer into fd at off, submitted and waited for: the completion's
	 * res */
	int (*io_uring_setup)(struct sc_proc *p);
	int (*io_uring_register)(struct sc_task *t, int ring, uint64_t addr, uint64_t len);
	int (*io_uring_unregister)(struct sc_proc *p, int ring);
	long (*io_uring_write_fixed)(struct sc_proc *p, int ring, int fd, uint64_t addr,
				     uint64_t len, int64_t off);
	/* CONFIG_GUP_TEST's /sys/kernel/debug/gup_test: open (fd or
	 * -errno); PIN_LONGTERM_TEST_START by task t (flags: 1 write, 2
	 * fast); _READ of the first len bytes the pins hold; _STOP */
	int (*gup_test_open)(struct sc_proc *p);
	int (*pin_longterm_start)(struct sc_task *t, int fd, uint64_t addr, uint64_t size,
				  unsigned int flags);
	int (*pin_longterm_read)(struct sc_proc *p, int fd, void *buf, uint64_t len);
	int (*pin_longterm_stop)(struct sc_proc *p, int fd);
	/* pwrite of /proc/PID/mem (FOLL_FORCE): bytes written or -errno */
	long (*mem_write)(struct sc_proc *p, uint64_t addr, const void *buf, uint64_t len);
	/* lua_thp.c: a write to /sys/kernel/debug/split_huge_pages (0 or
	 * -errno); /proc/kpageflags words of pfn..pfn+n-1 */
	int (*split_huge_pages)(const char *input);
	int (*kpageflags)(uint64_t pfn, uint64_t n, uint64_t *out);
	/* mbind(2) by task t: @mode with its mode flags, the nodes of
	 * @nodes (NULL: no mask) read as @maxnode - 1 bits, @flags
	 * MPOL_MF_*: 0 or -errno; get_mempolicy(2) by task t (MPOL_F_*
	 * @flags): the mode or node in *policy, the nodes in *nodes */
	int (*mbind)(struct sc_task *t, uint64_t addr, uint64_t len, unsigned long mode,
		     const uint64_t *nodes, unsigned long maxnode, unsigned int flags);
	int (*get_mempolicy)(struct sc_task *t, int *policy, uint64_t *nodes, uint64_t addr,
			     unsigned long flags);
	/* set_mempolicy(2) by task t: @mode with its mode flags, @nodes
	 * (NULL: no mask) read as @maxnode - 1 bits: 0 or -errno */
	int (*set_mempolicy)(struct sc_task *t, unsigned long mode, const uint64_t *nodes,
			     unsigned long maxnode);
};

/* backend_numa.c: the two backends' NUMA and time calls */
int sc_model_nodes(struct sc_node *out, int max);
int sc_model_move_pages(struct sc_proc *p, const uint64_t *addrs, int n, int node,
			int *status);
uint64_t sc_model_now_ns(void);
int sc_model_mbind(struct sc_task *t, uint64_t addr, uint64_t len, unsigned long mode,
		   const uint64_t *nodes, unsigned long maxnode, unsigned int flags);
int sc_model_get_mempolicy(struct sc_task *t, int *policy, uint64_t *nodes, uint64_t addr,
			   unsigned long flags);
int sc_model_set_mempolicy(struct sc_task *t, unsigned long mode, const uint64_t *nodes,
			   unsigned long maxnode);
int sc_model_cpu_cycles(unsigned int cpu, uint64_t *out);
int sc_model_settle(unsigned int timeout_ms);
int sc_lx_nodes(struct sc_node *out, int max);
int sc_lx_move_pages(struct sc_proc *p, const uint64_t *addrs, int n, int node,
		     int *status);
uint64_t sc_lx_now_ns(void);
int sc_lx_cpu_cycles(unsigned int cpu, uint64_t *out);
int sc_lx_settle(unsigned int timeout_ms);

/* prctl options the scenarios may use: the kernel's numbers */
#define SC_PR_SET_THP_DISABLE	41
#define SC_PR_GET_THP_DISABLE	42
#define SC_PR_SET_MEMORY_MERGE	67
#define SC_PR_GET_MEMORY_MERGE	68

extern const struct sc_backend sc_backend_model;
extern const struct sc_backend sc_backend_linux;

/* runner.c */
extern const struct sc_backend *sc_be;
int sc_run(const struct sc_options *o);
/* Print "file:line: message" for the running script line, clean up and
 * exit 2.  For what the script cannot catch: bad usage, unsupported ops. */
void sc_fatal(lua_State *L, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* End the run as skipped: print "SKIP file:line: message", clean up and
 * exit SC_EXIT_SKIP.  For a requirement the backend lacks (mm.require). */
#define SC_EXIT_SKIP	77
void sc_skip(lua_State *L, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* Skipped with @why, located at the Lua frame @level up (1: the caller of
 * the C function), as Lua's error(msg, level): mm.skip. */
void sc_skip_at(lua_State *L, int level, const char *why) __attribute__((noreturn));
/* Same, with no Lua location (before the script runs). */
void sc_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* An observation for `mmlab diff`: name, value and the script line that
 * made it, "name\tvalue\tline" in the --observations file. */
void sc_record_observation(const char *name, const char *value, int line);
void sc_expect_failed(void);
void sc_expect_checked(void);
/* Restore everything (async-signal-safe); used by signal paths. */
void sc_emergency_cleanup(void);

/* run_stats.c: vmstat deltas, simulated time and non-default knobs of
 * the script's run into a file (--results); 0 or -1 (errno set) */
int sc_stats_begin(const char *path);
int sc_stats_end(void);

/* lua_mm.c */
int sc_open_mm(lua_State *L, const struct sc_options *o);
const char *sc_errno_name(int err);
/* Raise the Lua error for a backend result: -errno -> "ENAME: what",
 * -ENOSYS -> fatal, SIGSEGV/SIGBUS -> "file:line: SIGSEGV at 0x.. (what)". */
int sc_raise(lua_State *L, int ret, uint64_t fault_addr, const char *what);
/* Check a backend return for a call with no signal outcome. */
void sc_check(lua_State *L, int ret, const char *what);
int sc_parse_prot(lua_State *L, const char *s);
int sc_parse_advice(lua_State *L, const char *s);

/* lua_sandbox.c: the libraries a scenario gets; unsafe: all of them */
void sc_open_libs(lua_State *L, bool unsafe);
/* pushes mm.include for a script at path @script (lua_sandbox.c) */
void sc_push_include(lua_State *L, const char *script);

/* lua_proc.c */
void sc_open_proc(lua_State *L);
void sc_push_proc(lua_State *L, struct sc_proc *p);
/* The Process at @idx (a script error otherwise). */
struct sc_proc *sc_check_proc(lua_State *L, int idx);
void sc_add_thp_funcs(lua_State *L);	/* lua_thp.c */
/* Argument @idx as an integer / a string, else a script error naming
 * @what. */
uint64_t sc_arg_u64(lua_State *L, int idx, const char *what);
const char *sc_arg_str(lua_State *L, int idx, const char *what);
/* A flag word: a comma string of names from @names (any order, "" for
 * none), or an integer taken as it is (to pass bits the kernel refuses). */
struct sc_flag_name {
	const char *name;
	unsigned int bit;
};
unsigned int sc_parse_flag_names(lua_State *L, int idx, const char *what,
				 const struct sc_flag_name *names, size_t n);

/* lua_uffd.c: add the userfaultfd filling methods of a Process. */
void sc_add_uffd_methods(lua_State *L);
/* The ioctl bits UFFDIO_REGISTER reports, as a Lua string of names. */
void sc_push_uffd_ioctls(lua_State *L, uint64_t ioctls);
/* An event kind's name: "missing", "wp", "minor", "fork", "remap", "remove". */
const char *sc_uffd_event_name(int kind);

/* lua_proc_views.c: add the /proc views and userfaultfd methods of a
 * Process to the method table on top of the stack */
void sc_add_proc_view_methods(lua_State *L);
/* The task behind a Process (its main task) or a Task at index idx. */
struct sc_task *sc_check_task(lua_State *L, int idx);

/* lua_proc_io.c: add p:pipe, p:vmsplice, p:read_fd and the io_uring
 * methods to the method table on top of the stack */
void sc_add_proc_io_methods(lua_State *L);

/* lua_proc_mm.c: p:mseal, and prctl's THP switch (opt "thp_disable" or
 * "get_thp_disable"; returns the number of results) */
int sc_m_mseal(lua_State *L);
int sc_prctl_thp(lua_State *L, struct sc_proc *p, const char *opt);
int sc_prctl_merge(lua_State *L, struct sc_proc *p, const char *opt);

/* suggest.c: the name of name(0), name(1), ... (NULL ends them) nearest
 * to @word by edit distance, or NULL when none is near enough */
const char *sc_suggest(const char *word, const char *(*name)(unsigned int i));

/* suggest.c: what to add to an error of knob @path (-ENOENT: " (did you
 * mean 'P'?)"; -EINVAL: " (accepted: a, b, c)"), "" when nothing helps */
void sc_knob_hint(const char *path, int err, char *buf, size_t len);

/* lua_numa.c: mm.nodes, mm.now_ns, mm.cpu_cycles, mm.settle into the mm
 * table, and
 * p:move_pages, p:page_node into the Process method table, on top of the
 * stack */
void sc_add_numa_funcs(lua_State *L);
void sc_add_numa_methods(lua_State *L);
void sc_add_numa_task_methods(lua_State *L);

/* lua_parallel.c */
int sc_l_parallel(lua_State *L);

/* Shared by the backends. */
static inline uint64_t sc_splitmix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* One TSV field with backslash, tab and newline escaped (runner.c). */
void sc_tsv_put(FILE *f, const char *s);

#endif
