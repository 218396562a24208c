/*
 * api.c - the public C API (include/mmlab/mmlab.h): building the machine,
 * the system-call entry points, and user-space accesses.
 *
 * A system call made by a task runs on the task's CPU with its mm loaded
 * (task_enter), takes the locks the kernel's implementation takes, and
 * returns a negative errno.  An access walks the task's virtual range page by
 * page through the CPU (hw_translate): TLB, page walk, page fault.  Data is
 * moved with relaxed atomics, so that two simulated CPUs touching the same
 * bytes are not a host data race.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "swap.h"

static bool machine_up;

void mmlab_config_default(struct mmlab_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = 4;
	cfg->nr_nodes = 1;
	cfg->node_bytes[0] = 4ULL << 30;
	for (int i = 0; i < MMLAB_MAX_NODES; i++)
		cfg->node_latency_ns[i] = 80;
	cfg->stale_check = -1;
	cfg->pcid = 1;
	cfg->l1_4k = (struct mmlab_tlb_geometry){ 64, 4 };
	cfg->l1_2m = (struct mmlab_tlb_geometry){ 32, 4 };
	cfg->l2 = (struct mmlab_tlb_geometry){ 1536, 12 };
}

int mmlab_knob_default(const char *path, char *buf, size_t len)
{
	if (machine_up)
		return -EBUSY;
	knobs_init();	/* the defaults, and the table to read them from */
	if (knob_is_read_only(path))
		return -EACCES;
	return mmlab_knob_get(path, buf, len);
}

static struct mmlab_sched_stats last_sched;
static bool last_sched_valid;

/* MMLAB_SCHED="seed[,random|pct[,depth]]": deterministic mode for a
 * machine whose config leaves it off (tests, scripts). */
static int sched_config_env(struct mmlab_config *cfg)
{
	const char *env = getenv("MMLAB_SCHED");
	char strategy[16] = "random";
	unsigned long long seed;
	unsigned int depth = 3;
	int n;

	if (cfg->deterministic || !env || !*env)
		return 0;
	n = sscanf(env, "%llu,%15[a-z],%u", &seed, strategy, &depth);
	if (n < 1 || (strcmp(strategy, "random") && strcmp(strategy, "pct"))) {
		fprintf(stderr, "MMLAB_SCHED='%s': expected seed[,random|pct[,depth]]\n", env);
		return -EINVAL;
	}
	cfg->deterministic = 1;
	cfg->sched_seed = seed;
	cfg->sched_strategy = strcmp(strategy, "pct") ? MMLAB_SCHED_RANDOM : MMLAB_SCHED_PCT;
	cfg->sched_depth = depth;
	return 0;
}

static int sched_start(const struct mmlab_config *cfg)
{
	struct dsched_config dc = {
		.seed = cfg->sched_seed,
		.strategy = cfg->sched_strategy == MMLAB_SCHED_PCT ? DSCHED_PCT : DSCHED_RANDOM,
		.depth = cfg->sched_depth ? cfg->sched_depth : 3,
		.pct_steps = cfg->sched_pct_steps,
		.max_steps = cfg->sched_max_steps,
	};

	if (!cfg->deterministic)
		return 0;
	last_sched_valid = false;
	return dsched_start(&dc);
}

static void sched_stop(void)
{
	struct dsched_stats st;

	if (!dsched_on())
		return;
	dsched_stop(&st);
	last_sched = (struct mmlab_sched_stats){ .steps = st.steps,
		.switches = st.switches, .hash = st.hash, .clock_ns = st.clock_ns };
	last_sched_valid = true;
}

int mmlab_sched_stats(struct mmlab_sched_stats *out)
{
	struct dsched_stats st;

	if (dsched_on()) {
		dsched_get_stats(&st);
		*out = (struct mmlab_sched_stats){ .steps = st.steps,
			.switches = st.switches, .hash = st.hash, .clock_ns = st.clock_ns };
		return 0;
	}
	if (!last_sched_valid)
		return -ENOENT;
	*out = last_sched;
	return 0;
}

bool mmlab_deterministic(void)
{
	return dsched_on();
}

uint64_t mmlab_now_ns(void)
{
	return lib_now_ns();
}

void mmlab_yield(void)
{
	if (dsched_on())
		dsched_yield();
	else
		sched_yield();
}

int mmlab_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	return lib_thread_create(t, "task", fn, arg);
}

void mmlab_thread_join(pthread_t t)
{
	lib_thread_join(t);
}

int mmlab_machine_create(const struct mmlab_config *cfg_in)
{
	struct mmlab_config cfg;
	struct cpu_config cc;
	const char *env;
	int ret;

	if (machine_up)
		return -EBUSY;
	if (cfg_in)
		cfg = *cfg_in;
	else
		mmlab_config_default(&cfg);
	if (sched_config_env(&cfg))
		return -EINVAL;
	if (cfg.deterministic && (cfg.sched_strategy < 0 || cfg.sched_strategy > 1 ||
				  cfg.sched_depth > 16))
		return -EINVAL;
	if (!cfg.nr_cpus || cfg.nr_cpus > MMLAB_MAX_CPUS || !cfg.nr_nodes ||
	    cfg.nr_nodes > MMLAB_MAX_NODES)
		return -EINVAL;
	for (unsigned int n = 0; n < cfg.nr_nodes; n++)
		if (cfg.node_bytes[n] < MMLAB_MIN_NODE_BYTES ||
		    cfg.node_bytes[n] > MMLAB_MAX_NODE_BYTES)
			return -EINVAL;
	memset(vm_stat, 0, sizeof(vm_stat));
	ret = phys_init(cfg.nr_nodes, cfg.node_bytes, cfg.node_latency_ns,
			cfg.node_slow, cfg.no_data);
	if (ret)
		return ret;
	cc = (struct cpu_config){
		.nr_cpus = cfg.nr_cpus, .pcid = cfg.pcid != 0,
		.l1_4k = cfg.l1_4k.entries, .l1_4k_ways = cfg.l1_4k.ways,
		.l1_2m = cfg.l1_2m.entries, .l1_2m_ways = cfg.l1_2m.ways,
		.l2 = cfg.l2.entries, .l2_ways = cfg.l2.ways,
	};
	ret = cpus_init(&cc);
	if (ret)
		goto fail_phys;
	knobs_init();
	env = getenv("MMLAB_STALE_CHECK");
	knobs.stale_check = cfg.stale_check >= 0 ? cfg.stale_check :
			    (env && atoi(env) > 0);
	hw_stale_check = knobs.stale_check;
	ret = page_alloc_init();
	if (ret)
		goto fail_cpus;
	lru_init();
	setup_per_zone_wmarks();
	memory_tiering_init();
	ret = luf_init();
	if (ret)
		goto fail_alloc;
	ret = memory_init();
	if (ret)
		goto fail_alloc;
	tlbflush_init();
	ret = sched_start(&cfg);
	if (ret)
		goto fail_alloc;
	ret = lib_rcu_start() ? -ENOMEM : 0;
	if (ret)
		goto fail_sched;
	ret = kswapd_start();
	if (ret)
		goto fail_rcu;
	ret = khugepaged_start();
	if (ret) {
		kswapd_stop_all();
		goto fail_rcu;
	}
	machine_up = true;
	ret = knobs_apply_env();
	if (ret) {
		mmlab_machine_destroy();
		return ret;
	}
	return 0;
fail_rcu:
	lib_rcu_stop();
fail_sched:
	sched_stop();
fail_alloc:
	page_alloc_exit();
fail_cpus:
	cpus_exit();
fail_phys:
	phys_exit();
	return ret;
}

void mmlab_machine_destroy(void)
{
	if (!machine_up)
		return;
	khugepaged_stop();
	kswapd_stop_all();
	exit_all_procs();
	lru_add_drain_all_quiet();
	rcu_barrier();
	lib_rcu_stop();
	swapoff_all();
	luf_exit();
	page_alloc_exit();
	folio_exit();
	cpus_exit();
	phys_exit();
	hw_page_fault = NULL;
	hw_stale_hook = NULL;
	sched_stop();
	machine_up = false;
}

unsigned int mmlab_nr_cpus(void) { return nr_cpu_ids; }

void mmlab_quiesce(void)
{
	rcu_barrier();
	/* folios parked in the per-CPU LRU batches hold a reference; frames on
	 * the per-CPU free lists are not in nr_free_pages */
	lru_add_drain_all();
	rcu_barrier();
	drain_all_pages();
}

int mmlab_settle(unsigned int timeout_ms)
{
	uint64_t end = mmlab_now_ns() + (uint64_t)timeout_ms * 1000000;

	/* a scheduling point per turn: under the deterministic scheduler
	 * kswapd runs meanwhile, and the clock is the simulated one */
	while (!kswapd_idle()) {
		if (mmlab_now_ns() > end)
			return -ETIMEDOUT;
		mmlab_yield();
	}
	mmlab_quiesce();
	return 0;
}

uint64_t mmlab_cpu_cycles(unsigned int cpu)
{
	return cpu < nr_cpu_ids ? READ_ONCE(cpus[cpu].cycles) : 0;
}

size_t mmlab_metadata_bytes_per_frame(void)
{
	return sizeof(struct page);
}

int mmlab_swapon(uint64_t bytes)
{
	return swapon_file(bytes);
}

/* Walk to the PTE mapping @addr and take a reference on its page. */
static struct page *follow_page(struct mm_struct *mm, unsigned long addr)
{
	pteval_t *pgd = pgd_offset(mm, addr), *pud, *pmd, *pte, v;
	struct page *p = NULL;
	spinlock_t *ptl;

	if (addr >= TASK_SIZE || pte_none(pte_read(pgd)) ||
	    pte_none(pte_read(pud = pud_offset(pgd, addr))) ||
	    pte_none(pte_read(pmd = pmd_offset(pud, addr))))
		return NULL;
	if (pmd_leaf(pte_read(pmd))) {
		spinlock_t *pml = pmd_lockptr(pmd);

		spin_lock(pml);
		v = pte_read(pmd);
		if (pmd_leaf(v) && pte_hw_present(v) && !is_huge_zero_pmd(v)) {
			p = pfn_to_page(pte_pfn(v) + pte_index(addr));
			get_page(p);
		}
		spin_unlock(pml);
		if (p || pmd_leaf(v))
			return p;
	}
	if (!(pte = pte_offset_map_lock(mm, pmd, addr, &ptl)))
		return NULL;
	v = pte_read(pte);
	if (pte_present(v) && !pte_special(v)) {
		p = pfn_to_page(pte_pfn(v));
		get_page(p);
	}
	pte_unmap_unlock(pte, ptl);
	return p;
}

/* The page at @addr, ready to move to @node: small (a large folio is split
 * first, as the model migrates small folios), not on @node already, and
 * isolated from the LRU (the isolation reference alone held).  NULL: no
 * page there, nothing to move, or it is busy. */
static struct page *isolate_for_move(struct mm_struct *mm, unsigned long addr, int node)
{
	struct page *pg = follow_page(mm, addr);

	if (!pg)
		return NULL;
	if (page_to_nid(pg) != node && folio_test_large(compound_head(pg))) {
		struct page *f = compound_head(pg);
		bool split = false;

		if (folio_trylock(f)) {
			split = !split_folio(f);
			folio_unlock(f);
		}
		/* the lookup reference was taken on the head, and split leaves
		 * it there: drop it from the head, and look the page up again
		 * (it may have been zapped meanwhile) */
		put_page(f);
		if (!split || !(pg = follow_page(mm, addr)))
			return NULL;
	}
	if (page_to_nid(pg) != node && !folio_test_large(compound_head(pg)) &&
	    folio_isolate_lru(pg)) {
		put_page(pg);	/* only the isolation reference remains */
		return pg;
	}
	put_page(pg);
	return NULL;
}

/*
 * move_pages(2) to one node (do_pages_move): every page is isolated onto a
 * list under mmap_lock, then the list is migrated with mmap_lock dropped
 * (migrate_pages: batches under one TLB flush each).  Pages other processes
 * map too are moved as well (as with MPOL_MF_MOVE_ALL).
 */
long mmlab_move_pages(struct mmlab_proc *p, uint64_t addr, uint64_t npages, int node)
{
	LIST_HEAD_ON_STACK(pages);
	long moved;

	if (!p || node < 0 || node >= (int)phys.nr_nodes)
		return -EINVAL;
	addr &= PAGE_MASK;
	task_enter(p->main);
	lru_add_drain();
	down_read(&p->mm->mmap_lock);
	for (uint64_t i = 0; i < npages; i++) {
		struct page *pg = isolate_for_move(p->mm, addr + (i << PAGE_SHIFT), node);

		if (pg)
			list_add_tail(&pg->lru, &pages);
	}
	up_read(&p->mm->mmap_lock);
	moved = (long)migrate_pages(&pages, node);
	task_leave(p->main);
	return moved;
}

unsigned int mmlab_nr_nodes(void)
{
	return machine_up ? phys.nr_nodes : 0;
}

int mmlab_node_info(int nid, uint64_t *total, uint64_t *free)
{
	if (!machine_up || nid < 0 || nid >= (int)phys.nr_nodes)
		return -EINVAL;
	if (total)
		*total = (uint64_t)phys.node[nid].nr_frames << PAGE_SHIFT;
	if (free)
		*free = (uint64_t)node_free_pages_now(nid) << PAGE_SHIFT;
	return 0;
}

int mmlab_page_node(struct mmlab_proc *p, uint64_t addr)
{
	struct page *pg;
	int nid;

	if (!p)
		return -EINVAL;
	down_read(&p->mm->mmap_lock);
	pg = follow_page(p->mm, addr & PAGE_MASK);
	up_read(&p->mm->mmap_lock);
	if (!pg)
		return -ENOENT;
	nid = page_to_nid(pg);
	put_page(pg);
	return nid;
}

/* ---- system calls ---- */

int mmlab_mmap(struct mmlab_task *t, uint64_t addr, uint64_t len, int prot,
	       int flags, int fd, uint64_t offset, uint64_t *out_addr)
{
	struct mm_struct *mm;
	struct file *file = NULL;
	unsigned long a = 0;
	bool populate;
	int ret;

	if (!t || !out_addr)
		return -EINVAL;
	if (offset & ~PAGE_MASK)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		spin_lock(&t->proc->lock);
		if (fd >= 0 && fd < (int)ARRAY_SIZE(t->proc->fds))
			file = t->proc->fds[fd];
		if (file)
			get_file(file);
		spin_unlock(&t->proc->lock);
		if (!file)
			return -EBADF;
		if (file->release) {
			fput(file);
			return -ENODEV;	/* a pipe has no mmap */
		}
	}
	mm = t->proc->mm;
	task_enter(t);
	mmap_write_lock(mm);
	ret = do_mmap(mm, addr, len, (unsigned long)prot, (unsigned long)flags, file,
		      offset >> PAGE_SHIFT, &a);
	/* vm_mmap_pgoff populates a locked mapping too */
	populate = ((flags & MAP_LOCKED) || (mm->def_flags & VM_LOCKED)) ||
		   (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE;
	mmap_write_unlock(mm);
	khugepaged_run_kick();
	/* failures are ignored, as the kernel does (and VM_LOCKONFAULT
	 * VMAs are left alone) */
	if (!ret && populate)
		__mm_populate(mm, a, ALIGN_UP(len, PAGE_SIZE), true);
	task_leave(t);
	if (file)
		fput(file);
	if (!ret)
		*out_addr = a;
	return ret;
}

int mmlab_mremap(struct mmlab_task *t, uint64_t old_addr, uint64_t old_len,
		 uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	unsigned long res = 0;
	int ret;

	if (!t || !out)
		return -EINVAL;
	task_enter(t);
	ret = do_mremap(t->proc->mm, old_addr, old_len, new_len, (unsigned int)flags,
			new_addr, &res);
	task_leave(t);
	if (!ret)
		*out = res;
	return ret;
}

int mmlab_mlock(struct mmlab_task *t, uint64_t addr, uint64_t len, int flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mlock(t->proc->mm, addr, len, (unsigned long)(unsigned int)flags);
	task_leave(t);
	return ret;
}

int mmlab_munlock(struct mmlab_task *t, uint64_t addr, uint64_t len)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_munlock(t->proc->mm, addr, len);
	task_leave(t);
	return ret;
}

int mmlab_mlockall(struct mmlab_task *t, int flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mlockall(t->proc->mm, flags);
	task_leave(t);
	return ret;
}

int mmlab_munlockall(struct mmlab_task *t)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_munlockall(t->proc->mm);
	task_leave(t);
	return ret;
}

int mmlab_brk(struct mmlab_task *t, uint64_t addr, uint64_t *out)
{
	if (!t || !out)
		return -EINVAL;
	task_enter(t);
	*out = do_brk(t->proc->mm, addr);
	task_leave(t);
	return 0;
}

int mmlab_setrlimit(struct mmlab_proc *p, int resource, uint64_t soft)
{
	struct mm_struct *mm;

	if (!p || resource != MMLAB_RLIMIT_MEMLOCK)
		return -EINVAL;
	mm = p->mm;
	/* a soft limit above the hard one is refused (raising the hard
	 * limit needs CAP_SYS_RESOURCE, which the model does not give) */
	if (soft > mm->rlim_memlock_max)
		return -EINVAL;
	WRITE_ONCE(mm->rlim_memlock, soft);
	return 0;
}

int mmlab_getrlimit(struct mmlab_proc *p, int resource, uint64_t *soft, uint64_t *hard)
{
	if (!p || resource != MMLAB_RLIMIT_MEMLOCK)
		return -EINVAL;
	if (soft)
		*soft = READ_ONCE(p->mm->rlim_memlock);
	if (hard)
		*hard = READ_ONCE(p->mm->rlim_memlock_max);
	return 0;
}

int mmlab_setcap(struct mmlab_proc *p, int cap, bool on)
{
	if (!p || cap != MMLAB_CAP_IPC_LOCK)
		return -EINVAL;
	WRITE_ONCE(p->mm->cap_ipc_lock, on);
	return 0;
}

int mmlab_munmap(struct mmlab_task *t, uint64_t addr, uint64_t len)
{
	struct mm_struct *mm;
	int ret;

	if (!t)
		return -EINVAL;
	mm = t->proc->mm;
	task_enter(t);
	mmap_write_lock(mm);
	ret = do_munmap(mm, addr, len);
	mmap_write_unlock(mm);
	task_leave(t);
	return ret;
}

int mmlab_mprotect(struct mmlab_task *t, uint64_t addr, uint64_t len, int prot)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mprotect(t->proc->mm, addr, len, (unsigned long)(unsigned int)prot);
	task_leave(t);
	return ret;
}

int mmlab_madvise(struct mmlab_task *t, uint64_t addr, uint64_t len, int advice)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_madvise(t->proc->mm, addr, len, advice);
	task_leave(t);
	return ret;
}

/* ---- files: the fd table (p->lock) ---- */

/* The lowest free fd >= 3 for @f (the caller's reference), or -EMFILE. */
int fd_install(struct mmlab_proc *p, struct file *f)
{
	int fd = -EMFILE;

	spin_lock(&p->lock);
	for (int i = 3; i < (int)ARRAY_SIZE(p->fds); i++) {
		if (!p->fds[i]) {
			p->fds[i] = f;
			fd = i;
			break;
		}
	}
	spin_unlock(&p->lock);
	return fd;
}

/* The file open at @fd, with a reference, or NULL. */
struct file *fdget_any(struct mmlab_proc *p, int fd)
{
	struct file *f = NULL;

	spin_lock(&p->lock);
	if (fd >= 0 && fd < (int)ARRAY_SIZE(p->fds))
		f = p->fds[fd];
	if (f)
		get_file(f);
	spin_unlock(&p->lock);
	return f;
}

/* The memfd or regular file open at @fd, with a reference, or NULL (none,
 * or a pipe or an io_uring: the calls that take it are the page cache's). */
static struct file *fdget(struct mmlab_proc *p, int fd)
{
	struct file *f = fdget_any(p, fd);

	if (f && f->release) {
		fput(f);
		return NULL;
	}
	return f;
}

int mmlab_memfd_create(struct mmlab_proc *p, const char *name, unsigned int flags)
{
	struct file *f;
	int fd;

	if (!p || !name)
		return -EFAULT;
	fd = do_memfd_create(name, flags, &f);
	if (fd)
		return fd;
	fd = fd_install(p, f);
	if (fd < 0)
		fput(f);
	return fd;
}

/* A new fd @fd (or -errno) sized to @size bytes; closed again on failure. */
static int fd_sized(struct mmlab_proc *p, int fd, uint64_t size)
{
	int ret;

	if (fd < 0)
		return fd;
	ret = mmlab_ftruncate(p, fd, (int64_t)size);
	if (ret) {
		mmlab_close(p, fd);
		return ret;
	}
	return fd;
}

int mmlab_file_create(struct mmlab_proc *p, const char *name, uint64_t size)
{
	struct file *f;
	int fd;

	if (!p || !name)
		return -EFAULT;
	f = filemap_file_create(name);
	if (!f)
		return -ENOMEM;
	fd = fd_install(p, f);
	if (fd < 0)
		fput(f);
	return fd_sized(p, fd, size);
}

static long fd_rw(struct mmlab_proc *p, int fd, void *buf, size_t len, int64_t off,
		  bool write)
{
	struct file *f;
	long ret;

	if (!p || (!buf && len))
		return -EFAULT;
	f = fdget(p, fd);
	if (!f)
		return -EBADF;
	task_enter(p->main);
	ret = file_rw(f, off, buf, len, write);
	task_leave(p->main);
	fput(f);
	return ret;
}

long mmlab_pread(struct mmlab_proc *p, int fd, void *buf, size_t len, int64_t off)
{
	return fd_rw(p, fd, buf, len, off, false);
}

long mmlab_pwrite(struct mmlab_proc *p, int fd, const void *buf, size_t len, int64_t off)
{
	return fd_rw(p, fd, (void *)buf, len, off, true);
}

int mmlab_memfd(struct mmlab_proc *p, const char *name, uint64_t size)
{
	return fd_sized(p, mmlab_memfd_create(p, name, 0), size);
}

int mmlab_reopen(struct mmlab_proc *p, int fd, int flags)
{
	static const unsigned int modes[] = {
		[MMLAB_O_RDONLY] = FMODE_READ,
		[MMLAB_O_WRONLY] = FMODE_WRITE,
		[MMLAB_O_RDWR] = FMODE_READ | FMODE_WRITE,
	};
	struct file *f, *n;
	int nfd;

	if (!p || flags < 0 || flags > MMLAB_O_RDWR)
		return -EINVAL;
	f = fdget(p, fd);
	if (!f)
		return -ENOENT;	/* no /proc/self/fd entry */
	n = shmem_file_reopen(f, modes[flags]);
	fput(f);
	if (!n)
		return -ENOMEM;
	nfd = fd_install(p, n);
	if (nfd < 0)
		fput(n);
	return nfd;
}

int mmlab_close(struct mmlab_proc *p, int fd)
{
	struct file *f = NULL;

	if (!p)
		return -EINVAL;
	spin_lock(&p->lock);
	if (fd >= 0 && fd < (int)ARRAY_SIZE(p->fds)) {
		f = p->fds[fd];
		p->fds[fd] = NULL;
	}
	spin_unlock(&p->lock);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

int mmlab_ftruncate(struct mmlab_proc *p, int fd, int64_t length)
{
	struct file *f;
	int ret;

	if (!p)
		return -EINVAL;
	if (length < 0)
		return -EINVAL;
	f = fdget(p, fd);
	if (!f)
		return -EBADF;
	if (!(f->f_mode & FMODE_WRITE)) {
		fput(f);
		return -EINVAL;
	}
	task_enter(p->main);
	ret = shmem_setattr(f, length);
	task_leave(p->main);
	fput(f);
	return ret;
}

int mmlab_fallocate(struct mmlab_proc *p, int fd, int mode, int64_t offset, int64_t len)
{
	struct file *f;
	int ret;

	if (!p)
		return -EINVAL;
	f = fdget(p, fd);
	if (!f)
		return -EBADF;
	task_enter(p->main);
	ret = vfs_fallocate(f, mode, offset, len);
	task_leave(p->main);
	fput(f);
	return ret;
}

int mmlab_add_seals(struct mmlab_proc *p, int fd, unsigned int seals)
{
	struct file *f = p ? fdget(p, fd) : NULL;
	int ret;

	if (!f)
		return -EBADF;
	ret = memfd_add_seals(f, seals);
	fput(f);
	return ret;
}

int mmlab_get_seals(struct mmlab_proc *p, int fd)
{
	struct file *f = p ? fdget(p, fd) : NULL;
	int ret;

	if (!f)
		return -EBADF;
	ret = memfd_get_seals(f);
	fput(f);
	return ret;
}

int mmlab_msync(struct mmlab_task *t, uint64_t addr, uint64_t len, int flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_msync(t->proc->mm, addr, len, flags);
	task_leave(t);
	return ret;
}

#define UIO_MAXIOV	1024

long mmlab_process_madvise(struct mmlab_task *t, struct mmlab_proc *target,
			   const struct mmlab_iovec *iov, size_t vlen, int advice,
			   unsigned int flags)
{
	long ret;

	if (!t || flags)
		return -EINVAL;
	/* import_iovec */
	if (vlen > UIO_MAXIOV)
		return -EINVAL;
	if (vlen && !iov)
		return -EFAULT;
	for (size_t i = 0; i < vlen; i++)
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
	if (!target)
		return -EBADF;	/* pidfd_get_task */
	if (target->mm != t->proc->mm && !process_madvise_remote_valid(advice))
		return -EINVAL;
	task_enter(t);
	ret = vector_madvise(target->mm, iov, vlen, advice);
	task_leave(t);
	return ret;
}

/* ---- accesses ---- */

uint64_t mmlab_splitmix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

enum access_op { OP_WRITE, OP_READ, OP_TOUCH_W, OP_TOUCH_R, OP_FILL, OP_VERIFY };

struct access {
	enum access_op op;
	uint8_t *buf;		/* write/read */
	uint64_t seed;
	uint64_t mismatch;
};

static void charge_mem(struct cpu *c, unsigned long pfn, uint64_t bytes)
{
	struct page *p = pfn_to_page(pfn);

	c->cycles += cost_mem_access(phys.node[page_to_nid(p)].latency_ns) +
		     bytes / 64;
}

/* Do @a on [addr, addr+len) one page piece at a time. */
static int access_range(struct mmlab_task *t, uint64_t addr, uint64_t len,
			struct access *a, uint64_t *fault_addr)
{
	bool write = a->op == OP_WRITE || a->op == OP_TOUCH_W || a->op == OP_FILL;
	bool data = !phys.no_data;
	uint64_t done = 0;
	struct cpu *c;
	int ret = 0;

	if (!t)
		return -EINVAL;
	if (!len)
		return 0;
	if (addr + len < addr) {
		if (fault_addr)
			*fault_addr = addr;
		return MMLAB_SIGSEGV;
	}
	task_enter(t);
	c = this_cpu();
	while (done < len) {
		uint64_t va = addr + done;
		uint64_t n = min(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		int sig = 0;
		uint8_t *p = va < TASK_SIZE ? hw_translate(c, va, write, &sig) : NULL;

		if (!p) {
			if (fault_addr)
				*fault_addr = va;
			ret = sig ? sig : MMLAB_SIGSEGV;
			break;
		}
		charge_mem(c, ((uintptr_t)p - (uintptr_t)phys.bytes) >> PAGE_SHIFT, n);
		switch (a->op) {
		case OP_WRITE:
			if (data)
				for (uint64_t i = 0; i < n; i++)
					__atomic_store_n(p + i, a->buf[done + i], __ATOMIC_RELAXED);
			break;
		case OP_READ:
			for (uint64_t i = 0; i < n; i++)
				a->buf[done + i] = data ? __atomic_load_n(p + i, __ATOMIC_RELAXED) : 0;
			break;
		case OP_TOUCH_W:
			if (data)
				__atomic_store_n(p, (uint8_t)(((va >> 12) & 0xff) | 1), __ATOMIC_RELAXED);
			break;
		case OP_TOUCH_R:
			if (data)
				(void)__atomic_load_n(p, __ATOMIC_RELAXED);
			break;
		case OP_FILL:
			if (data)
				for (uint64_t i = 0; i < n; i += 8)
					__atomic_store_n((uint64_t *)(p + i),
						mmlab_splitmix64(a->seed ^ ((va + i) >> 3)),
						__ATOMIC_RELAXED);
			break;
		case OP_VERIFY:
			if (!data)
				break;
			for (uint64_t i = 0; i < n; i += 8) {
				uint64_t w = __atomic_load_n((uint64_t *)(p + i), __ATOMIC_RELAXED);

				if (w != mmlab_splitmix64(a->seed ^ ((va + i) >> 3))) {
					a->mismatch = va + i;
					goto out;
				}
			}
			break;
		}
		done += n;
		/* touch: one access per page, from the first byte of each */
		if (a->op == OP_TOUCH_W || a->op == OP_TOUCH_R)
			done = ALIGN_UP(addr + done, PAGE_SIZE) - addr;
	}
out:
	task_leave(t);
	return ret;
}

int mmlab_write(struct mmlab_task *t, uint64_t addr, const void *buf, size_t len,
		uint64_t *fault_addr)
{
	struct access a = { .op = OP_WRITE, .buf = (uint8_t *)buf };

	if (!buf && len)
		return -EFAULT;
	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_read(struct mmlab_task *t, uint64_t addr, void *buf, size_t len,
	       uint64_t *fault_addr)
{
	struct access a = { .op = OP_READ, .buf = buf };

	if (!buf && len)
		return -EFAULT;
	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_touch(struct mmlab_task *t, uint64_t addr, uint64_t len, bool write,
		uint64_t *fault_addr)
{
	struct access a = { .op = write ? OP_TOUCH_W : OP_TOUCH_R };

	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_fill(struct mmlab_task *t, uint64_t addr, uint64_t len, uint64_t seed,
	       uint64_t *fault_addr)
{
	struct access a = { .op = OP_FILL, .seed = seed };

	if ((addr | len) & 7)
		return -EINVAL;
	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_verify(struct mmlab_task *t, uint64_t addr, uint64_t len, uint64_t seed,
		 uint64_t *mismatch, uint64_t *fault_addr)
{
	struct access a = { .op = OP_VERIFY, .seed = seed, .mismatch = UINT64_MAX };
	int ret;

	if ((addr | len) & 7)
		return -EINVAL;
	ret = access_range(t, addr, len, &a, fault_addr);
	if (mismatch)
		*mismatch = a.mismatch;
	return ret;
}

int mmlab_mseal(struct mmlab_task *t, uint64_t addr, uint64_t len, unsigned long flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mseal(t->proc->mm, addr, len, flags);
	task_leave(t);
	return ret;
}

long mmlab_prctl(struct mmlab_proc *p, int option, unsigned long a2, unsigned long a3,
		 unsigned long a4, unsigned long a5)
{
	if (!p)
		return -EINVAL;
	return mm_prctl(p->mm, option, a2, a3, a4, a5);
}
