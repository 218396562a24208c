/*
 * backend_model.c - the "model" backend: scenario calls go to mmlab's own
 * memory manager through the public C API (include/mmlab/mmlab.h).
 *
 * struct sc_proc and struct sc_task are the API's mmlab_proc and
 * mmlab_task, cast.  mm.parallel starts one host thread per task; each
 * calls the API as that task, so the model sees real concurrency.
 *
 * API calls are plain calls, so that they pull their object out of
 * libmmlab.a.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmlab/mmlab.h>
#include "script.h"

#define P(p)	((struct mmlab_proc *)(p))
#define T(t)	((struct mmlab_task *)(t))

static bool machine_up;

static int model_start(const struct sc_options *o)
{
	struct mmlab_config cfg;
	int ret;

	mmlab_config_default(&cfg);
	if (o->cpus)
		cfg.nr_cpus = o->cpus;
	if (o->mem)
		cfg.node_bytes[0] = o->mem;
	if (o->node_bytes[0]) {	/* --nodes SIZE[:slow],... */
		cfg.nr_nodes = o->nodes;
		for (unsigned int i = 0; i < o->nodes; i++) {
			cfg.node_bytes[i] = o->node_bytes[i];
			cfg.node_slow[i] = o->node_slow[i];
			if (o->node_latency_ns[i])
				cfg.node_latency_ns[i] = o->node_latency_ns[i];
		}
	} else if (o->nodes > 1) {	/* --nodes N: --mem split evenly, in 4 MiB blocks */
		uint64_t each = cfg.node_bytes[0] / o->nodes & ~(MMLAB_MIN_NODE_BYTES - 1);

		if (each < MMLAB_MIN_NODE_BYTES) {
			fprintf(stderr, "mmlab run: --nodes %u: %llu bytes of --mem "
				"give each node less than 4 MiB\n", o->nodes,
				(unsigned long long)cfg.node_bytes[0]);
			return -EINVAL;
		}
		cfg.nr_nodes = o->nodes;
		for (unsigned int i = 0; i < o->nodes; i++)
			cfg.node_bytes[i] = each;
	}
	cfg.seed = o->seed;	/* --seed: the model's randomised choices too */
	if (o->check)
		cfg.stale_check = 1;	/* --check */
	if (o->deterministic) {
		cfg.deterministic = 1;
		cfg.sched_seed = o->seed;
		cfg.sched_strategy = o->strategy;
		cfg.sched_depth = o->depth;
		cfg.sched_max_steps = o->max_steps;
	}
	ret = mmlab_machine_create(&cfg);
	if (ret) {
		fprintf(stderr, "mmlab run: cannot create the model machine "
			"(%u cpus, %llu bytes): %s\n", cfg.nr_cpus,
			(unsigned long long)cfg.node_bytes[0],
			sc_errno_name(-ret));
		return ret;
	}
	machine_up = true;
	return 0;
}

static void model_finish(void)
{
	struct mmlab_sched_stats st;

	if (machine_up) {
		uint64_t stale = 0;

		/* an access through a stale TLB entry is a failure of the run */
		if (!mmlab_vmstat_get("stale_tlb_reports", &stale) && stale) {
			printf("stale-TLB detector: %llu access%s through a stale TLB "
			       "entry\n", (unsigned long long)stale, stale == 1 ? "" : "es");
			sc_expect_failed();
		}
		mmlab_machine_destroy();
		/* a deterministic run names its schedule: the same seed gives
		 * the same line */
		if (!mmlab_sched_stats(&st))
			printf("schedule: %llu steps, %llu switches, hash %016llx, "
			       "simulated %.6f s\n", (unsigned long long)st.steps,
			       (unsigned long long)st.switches,
			       (unsigned long long)st.hash, st.clock_ns / 1e9);
	}
	machine_up = false;
}

static void model_emergency(void)
{
	/* Nothing of the host's to restore. */
}

static int model_split_huge_pages(const char *input)
{
	return mmlab_knob_set("/sys/kernel/debug/split_huge_pages", input);
}

static int model_knob_set(const char *path, const char *value)
{
	return mmlab_knob_set(path, value);
}

static int model_knob_get(const char *path, char *buf, size_t len)
{
	int ret = mmlab_knob_get(path, buf, len);
	size_t n;

	if (ret < 0)
		return ret;
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

/* mmlab_swapon returns the new area's type (>= 0): the scenario wants 0. */
static int model_swapon(uint64_t bytes)
{
	int ret = mmlab_swapon(bytes);

	return ret < 0 ? ret : 0;
}

static int model_vmstat(sc_vmstat_cb cb, void *ctx)
{
	const char *name;

	for (unsigned int i = 0; (name = mmlab_vmstat_name(i)); i++) {
		uint64_t v;

		if (!mmlab_vmstat_get(name, &v))
			cb(ctx, name, v);
	}
	return 0;
}

static int model_khugepaged_scan(unsigned int n)
{
	int ret = mmlab_khugepaged_scan(n);

	return ret < 0 ? ret : (int)n;
}

static unsigned int model_nr_cpus(void)
{
	return mmlab_nr_cpus();
}

static int model_spawn(struct sc_proc **out)
{
	return mmlab_spawn((struct mmlab_proc **)out);
}

static int model_fork(struct sc_proc *p, struct sc_proc **child)
{
	return mmlab_fork(P(p), (struct mmlab_proc **)child);
}

static int model_exit(struct sc_proc *p)
{
	return mmlab_exit(P(p));
}

static int model_pid(struct sc_proc *p)
{
	return mmlab_pid(P(p));
}

static int model_thread(struct sc_proc *p, unsigned int cpu,
			struct sc_task **out)
{
	return mmlab_thread(P(p), cpu, (struct mmlab_task **)out);
}

static struct sc_task *model_main_task(struct sc_proc *p)
{
	return (struct sc_task *)mmlab_main_task(P(p));
}

static unsigned int model_task_cpu(struct sc_task *t)
{
	return mmlab_task_cpu(T(t));
}

static int model_mmap(struct sc_task *t, uint64_t addr, uint64_t len,
		      int prot, int flags, int fd, uint64_t off, uint64_t *out)
{
	return mmlab_mmap(T(t), addr, len, prot, flags, fd, off, out);
}

static int model_mremap(struct sc_task *t, uint64_t addr, uint64_t old_len,
			uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	return mmlab_mremap(T(t), addr, old_len, new_len, flags, new_addr, out);
}

static int model_mlock(struct sc_task *t, uint64_t addr, uint64_t len, int flags)
{
	return mmlab_mlock(T(t), addr, len, flags);
}

static int model_munlock(struct sc_task *t, uint64_t addr, uint64_t len)
{
	return mmlab_munlock(T(t), addr, len);
}

static int model_mlockall(struct sc_task *t, int flags)
{
	return mmlab_mlockall(T(t), flags);
}

static int model_munlockall(struct sc_task *t)
{
	return mmlab_munlockall(T(t));
}

static int model_brk(struct sc_task *t, uint64_t addr, uint64_t *out)
{
	return mmlab_brk(T(t), addr, out);
}

static int model_setrlimit(struct sc_proc *p, int resource, uint64_t soft)
{
	return mmlab_setrlimit(P(p), resource, soft);
}

static int model_setcap(struct sc_proc *p, int cap, bool on)
{
	return mmlab_setcap(P(p), cap, on);
}

static int model_memfd(struct sc_proc *p, const char *name, uint64_t size,
		       unsigned int flags)
{
	int fd = mmlab_memfd_create(P(p), name, flags), ret;

	if (fd < 0)
		return fd;
	ret = mmlab_ftruncate(P(p), fd, (int64_t)size);
	if (ret) {
		mmlab_close(P(p), fd);
		return ret;
	}
	return fd;
}

static int model_regfile(struct sc_proc *p, uint64_t size)
{
	return mmlab_file_create(P(p), "mmlab-file", size);
}

static long model_pread(struct sc_proc *p, int fd, void *buf, size_t len, int64_t off)
{
	return mmlab_pread(P(p), fd, buf, len, off);
}

static long model_pwrite(struct sc_proc *p, int fd, const void *buf, size_t len,
			 int64_t off)
{
	return mmlab_pwrite(P(p), fd, buf, len, off);
}

/* The flags are the kernel's (O_RDONLY 0, O_WRONLY 1, O_RDWR 2), as the
 * API's. */
static int model_reopen(struct sc_proc *p, int fd, int flags)
{
	return mmlab_reopen(P(p), fd, flags);
}

static int model_ftruncate(struct sc_proc *p, int fd, int64_t len)
{
	return mmlab_ftruncate(P(p), fd, len);
}

static int model_fallocate(struct sc_proc *p, int fd, int mode, int64_t off,
			   int64_t len)
{
	return mmlab_fallocate(P(p), fd, mode, off, len);
}

static int model_add_seals(struct sc_proc *p, int fd, unsigned int seals)
{
	return mmlab_add_seals(P(p), fd, seals);
}

static int model_get_seals(struct sc_proc *p, int fd)
{
	return mmlab_get_seals(P(p), fd);
}

static int model_msync(struct sc_task *t, uint64_t addr, uint64_t len, int flags)
{
	return mmlab_msync(T(t), addr, len, flags);
}

static long model_process_madvise(struct sc_task *t, struct sc_proc *target,
				  const struct sc_iovec *iov, int n, int advice,
				  unsigned int flags)
{
	_Static_assert(sizeof(struct sc_iovec) == sizeof(struct mmlab_iovec),
		       "the same layout");
	return mmlab_process_madvise(T(t), P(target), (const struct mmlab_iovec *)iov,
				     (size_t)n, advice, flags);
}

static int model_close(struct sc_proc *p, int fd)
{
	return mmlab_close(P(p), fd);
}

static int run_once(struct sc_item *it)
{
	struct mmlab_task *t = T(it->task);

	switch (it->op) {
	case SC_OP_TOUCH:
		return mmlab_touch(t, it->addr, it->len, it->arg,
				   &it->fault_addr);
	case SC_OP_FILL:
		return mmlab_fill(t, it->addr, it->len, it->arg,
				  &it->fault_addr);
	case SC_OP_VERIFY:
		return mmlab_verify(t, it->addr, it->len, it->arg,
				    &it->mismatch, &it->fault_addr);
	case SC_OP_READ:
		return mmlab_read(t, it->addr, it->out, it->len,
				  &it->fault_addr);
	case SC_OP_WRITE:
		return mmlab_write(t, it->addr, it->in, it->len,
				   &it->fault_addr);
	case SC_OP_MADVISE:
		return mmlab_madvise(t, it->addr, it->len, (int)it->arg);
	case SC_OP_MUNMAP:
		return mmlab_munmap(t, it->addr, it->len);
	case SC_OP_MPROTECT:
		return mmlab_mprotect(t, it->addr, it->len, (int)it->arg);
	default:
		return -EINVAL;
	}
}

static int model_run(struct sc_item *it)
{
	it->ret = 0;
	for (unsigned int r = 0; r < it->rep && !it->ret; r++) {
		it->ret = run_once(it);
		if (it->op == SC_OP_VERIFY && it->mismatch != UINT64_MAX)
			break;
	}
	return it->ret;
}

struct group {
	pthread_t thread;
	struct sc_item *items;
	int n, g;
};

/* One host thread per task: its elements in order, stop at the first
 * failure. */
static void *group_main(void *arg)
{
	struct group *gr = arg;

	for (int i = 0; i < gr->n; i++) {
		struct sc_item *it = &gr->items[i];

		if (it->group != gr->g)
			continue;
		if (model_run(it))
			break;
	}
	return NULL;
}

static int model_parallel(struct sc_item *items, int n)
{
	int ngroups = 0, ret = 0;
	struct group *groups;

	for (int i = 0; i < n; i++)
		if (items[i].group + 1 > ngroups)
			ngroups = items[i].group + 1;
	groups = calloc(ngroups, sizeof(*groups));
	if (!groups)
		return -ENOMEM;
	for (int g = 0; g < ngroups; g++) {
		groups[g] = (struct group){ .items = items, .n = n, .g = g };
		if (mmlab_thread_create(&groups[g].thread, group_main,
					&groups[g])) {
			ret = -EAGAIN;
			ngroups = g;
			break;
		}
	}
	for (int g = 0; g < ngroups; g++)
		mmlab_thread_join(groups[g].thread);
	free(groups);
	return ret;
}

static int model_pagemap(struct sc_proc *p, uint64_t addr, uint64_t n,
			 uint64_t *out)
{
	return mmlab_pagemap(P(p), addr, n, out);
}

static int model_status(struct sc_proc *p, struct sc_status *st)
{
	struct mmlab_status ms;
	int ret = mmlab_status(P(p), &ms);

	if (ret)
		return ret;
	*st = (struct sc_status){
		.VmSize = ms.VmSize, .VmRSS = ms.VmRSS, .RssAnon = ms.RssAnon,
		.RssFile = ms.RssFile, .RssShmem = ms.RssShmem,
		.VmPTE = ms.VmPTE, .VmSwap = ms.VmSwap,
		.VmPeak = ms.VmPeak, .VmLck = ms.VmLck, .VmHWM = ms.VmHWM,
	};
	return 0;
}

static void add_field(struct sc_smaps *sm, const char *key, uint64_t val)
{
	if (sm->nr >= SC_SMAPS_MAX_FIELDS)
		return;
	snprintf(sm->f[sm->nr].key, sizeof(sm->f[0].key), "%s", key);
	sm->f[sm->nr++].val = val;
}

static int model_smaps(struct sc_proc *p, uint64_t addr, struct sc_smaps *sm)
{
	struct mmlab_smaps ms;
	int ret = mmlab_smaps(P(p), addr, &ms);

	if (ret)
		return ret;
	sm->start = ms.start;
	sm->end = ms.end;
	sm->nr = 0;
#define F(x) add_field(sm, #x, ms.x)
	F(Size); F(KernelPageSize); F(MMUPageSize); F(Rss); F(Pss); F(Pss_Dirty);
	F(Shared_Clean); F(Shared_Dirty); F(Private_Clean); F(Private_Dirty);
	F(Referenced); F(Anonymous); F(LazyFree); F(AnonHugePages);
	F(ShmemPmdMapped); F(Swap); F(SwapPss); F(Locked); F(THPeligible);
#undef F
	/* what the model has no mechanism for: file THPs, KSM, hugetlb,
	 * protection keys */
	add_field(sm, "FilePmdMapped", 0);
	add_field(sm, "KSM", 0);
	add_field(sm, "Shared_Hugetlb", 0);
	add_field(sm, "Private_Hugetlb", 0);
	add_field(sm, "ProtectionKey", 0);
	snprintf(sm->flags, sizeof(sm->flags), "%s", ms.flags);
	return 0;
}

static int model_clear_refs(struct sc_proc *p, int v)
{
	return mmlab_clear_refs(P(p), v);
}

static int model_uffd_register(struct sc_proc *p, uint64_t addr,
			       uint64_t len, int modes, uint64_t *ioctls)
{
	int m = (modes & SC_UFFD_MISSING ? MMLAB_UFFD_MISSING : 0) |
		(modes & SC_UFFD_WP ? MMLAB_UFFD_WP : 0) |
		(modes & SC_UFFD_MINOR_MODE ? MMLAB_UFFD_MINOR_MODE : 0);

	return mmlab_uffd_register_ioctls(P(p), addr, len, m, ioctls);
}

static int model_uffd_wp(struct sc_proc *p, uint64_t addr, uint64_t len,
			 bool on)
{
	return mmlab_uffd_wp(P(p), addr, len, on);
}

static int model_uffd_events(struct sc_proc *p, struct sc_uffd_event *ev,
			     int max)
{
	struct mmlab_uffd_event *me;
	int n;

	me = calloc(max, sizeof(*me));
	if (!me)
		return -ENOMEM;
	n = mmlab_uffd_events(P(p), me, max);
	for (int i = 0; i < n; i++) {
		ev[i].addr = me[i].addr;
		ev[i].kind = me[i].kind;	/* the SC_ and MMLAB_ kinds are one */
		ev[i].to = me[i].to;
		ev[i].len = me[i].len;
	}
	free(me);
	return n;
}

/* The SC_ and MMLAB_ feature bits are both the kernel's. */
static int model_uffd_api(struct sc_proc *p, uint64_t features)
{
	return mmlab_uffd_api(P(p), features);
}

/* The SC_UFFDIO_ and MMLAB_UFFDIO_ ops and modes are one. */
static int model_uffd_fill(struct sc_proc *p, int op, uint64_t dst, uint64_t src,
			   uint64_t len, unsigned int mode, int64_t *filled)
{
	_Static_assert(SC_UFFDIO_CONTINUE == MMLAB_UFFDIO_CONTINUE &&
		       SC_UFFDIO_MODE_WP == MMLAB_UFFDIO_MODE_WP &&
		       SC_UFFD_REMOVE == MMLAB_UFFD_REMOVE &&
		       SC_UFFDIO_MOVE_ALLOW_SRC_HOLES == MMLAB_UFFDIO_MOVE_ALLOW_SRC_HOLES,
		       "uffd numbering");
	if (op == SC_UFFDIO_MOVE)
		return mmlab_uffd_move(P(p), dst, src, len, mode, filled);
	return mmlab_uffd_fill(P(p), op, dst, src, len, mode, filled);
}

static int model_uffd_unregister(struct sc_proc *p, uint64_t addr, uint64_t len)
{
	return mmlab_uffd_unregister(P(p), addr, len);
}

/* struct sc_pm_scan_arg and struct mmlab_pm_scan_arg are both the kernel's
 * struct pm_scan_arg. */
static long model_pagemap_scan(struct sc_proc *p, struct sc_pm_scan_arg *arg)
{
	struct mmlab_pm_scan_arg a;
	long n;

	_Static_assert(sizeof(*arg) == sizeof(a), "pm_scan_arg layouts");
	memcpy(&a, arg, sizeof(a));
	n = mmlab_pagemap_scan(P(p), &a);
	arg->walk_end = a.walk_end;
	return n;
}

static int model_prctl_pt_reclaim(struct sc_proc *p, bool on)
{
	return mmlab_prctl_pt_reclaim(P(p), on);
}

static int model_pipe(struct sc_proc *p, int fds[2])
{
	return mmlab_pipe(P(p), fds);
}

static long model_vmsplice(struct sc_task *t, int fd, uint64_t addr, uint64_t len)
{
	return mmlab_vmsplice(T(t), fd, addr, len);
}

static long model_read_fd(struct sc_proc *p, int fd, void *buf, uint64_t len)
{
	return mmlab_read_fd(P(p), fd, buf, len);
}

static int model_io_uring_setup(struct sc_proc *p)
{
	return mmlab_io_uring_setup(P(p));
}

static int model_io_uring_register(struct sc_task *t, int ring, uint64_t addr, uint64_t len)
{
	return mmlab_io_uring_register_buffer(T(t), ring, addr, len);
}

static int model_io_uring_unregister(struct sc_proc *p, int ring)
{
	return mmlab_io_uring_unregister_buffers(P(p), ring);
}

static long model_io_uring_write_fixed(struct sc_proc *p, int ring, int fd, uint64_t addr,
				       uint64_t len, int64_t off)
{
	return mmlab_io_uring_write_fixed(P(p), ring, fd, addr, len, off);
}

static int model_gup_test_open(struct sc_proc *p)
{
	return mmlab_gup_test_open(P(p));
}

static int model_pin_longterm_start(struct sc_task *t, int fd, uint64_t addr, uint64_t size,
				    unsigned int flags)
{
	return mmlab_pin_longterm_test_start(T(t), fd, addr, size, flags);
}

static int model_pin_longterm_read(struct sc_proc *p, int fd, void *buf, uint64_t len)
{
	return mmlab_pin_longterm_test_read(P(p), fd, buf, len);
}

static int model_pin_longterm_stop(struct sc_proc *p, int fd)
{
	return mmlab_pin_longterm_test_stop(P(p), fd);
}

static long model_mem_write(struct sc_proc *p, uint64_t addr, const void *buf, uint64_t len)
{
	return mmlab_proc_mem(P(p), addr, (void *)buf, len, true);
}

static int model_mseal(struct sc_task *t, uint64_t addr, uint64_t len, uint64_t flags)
{
	return mmlab_mseal(T(t), addr, len, flags);
}

static long model_prctl(struct sc_proc *p, int option, const uint64_t a[4])
{
	return mmlab_prctl(P(p), option, a[0], a[1], a[2], a[3]);
}

const struct sc_backend sc_backend_model = {
	.name = "model",
	.start = model_start,
	.finish = model_finish,
	.emergency = model_emergency,
	.knob_set = model_knob_set,
	.knob_get = model_knob_get,
	.swapon = model_swapon,
	.vmstat = model_vmstat,
	.khugepaged_scan = model_khugepaged_scan,
	.nr_cpus = model_nr_cpus,
	.spawn = model_spawn,
	.fork = model_fork,
	.exit = model_exit,
	.pid = model_pid,
	.thread = model_thread,
	.main_task = model_main_task,
	.task_cpu = model_task_cpu,
	.mmap = model_mmap,
	.mremap = model_mremap,
	.mlock = model_mlock,
	.munlock = model_munlock,
	.mlockall = model_mlockall,
	.munlockall = model_munlockall,
	.brk = model_brk,
	.setrlimit = model_setrlimit,
	.setcap = model_setcap,
	.memfd = model_memfd,
	.close = model_close,
	.reopen = model_reopen,
	.regfile = model_regfile,
	.pread = model_pread,
	.pwrite = model_pwrite,
	.ftruncate = model_ftruncate,
	.fallocate = model_fallocate,
	.add_seals = model_add_seals,
	.get_seals = model_get_seals,
	.msync = model_msync,
	.process_madvise = model_process_madvise,
	.run = model_run,
	.parallel = model_parallel,
	.pagemap = model_pagemap,
	.status = model_status,
	.smaps = model_smaps,
	.clear_refs = model_clear_refs,
	.uffd_register = model_uffd_register,
	.uffd_wp = model_uffd_wp,
	.uffd_events = model_uffd_events,
	.uffd_api = model_uffd_api,
	.uffd_fill = model_uffd_fill,
	.uffd_unregister = model_uffd_unregister,
	.pagemap_scan = model_pagemap_scan,
	.prctl_pt_reclaim = model_prctl_pt_reclaim,
	.mseal = model_mseal,
	.prctl = model_prctl,
	.nodes = sc_model_nodes,
	.move_pages = sc_model_move_pages,
	.mbind = sc_model_mbind,
	.get_mempolicy = sc_model_get_mempolicy,
	.set_mempolicy = sc_model_set_mempolicy,
	.now_ns = sc_model_now_ns,
	.cpu_cycles = sc_model_cpu_cycles,
	.settle = sc_model_settle,
	.pipe = model_pipe,
	.vmsplice = model_vmsplice,
	.read_fd = model_read_fd,
	.io_uring_setup = model_io_uring_setup,
	.io_uring_register = model_io_uring_register,
	.io_uring_unregister = model_io_uring_unregister,
	.io_uring_write_fixed = model_io_uring_write_fixed,
	.gup_test_open = model_gup_test_open,
	.pin_longterm_start = model_pin_longterm_start,
	.pin_longterm_read = model_pin_longterm_read,
	.pin_longterm_stop = model_pin_longterm_stop,
	.mem_write = model_mem_write,
	.split_huge_pages = model_split_huge_pages,
	.kpageflags = mmlab_kpageflags,
};
