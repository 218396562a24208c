/*
 * fork.c - processes and their address spaces: spawn (an exec'd process with
 * a stack), fork (dup_mmap + copy_page_range), exit (exit_mmap), and the
 * tasks that run them on simulated CPUs.
 *
 * dup_mmap holds the parent's mmap_lock for writing while it copies, and
 * flushes the parent's TLBs at the end (its PTEs were write-protected).  The
 * process list is guarded by proc_lock.
 */
#include <stdlib.h>
#include "swap.h"

#define STACK_TOP	0x7ffffffff000UL
#define STACK_SIZE	(132UL << 10)
/* The heap of a new process starts where a small PIE binary loaded at
 * ELF_ET_DYN_BASE (0x555555554000) ends when brk is not randomized. */
#define BRK_START	0x555555559000UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_WIPEONFORK	0x02000000UL

static spinlock_t proc_lock;
static struct list_head all_procs = LIST_HEAD_INIT(all_procs);
static int next_pid = 1000;


__thread struct mmlab_task *current_task;

void task_enter(struct mmlab_task *t)
{
	cpu_enter(t->cpu);
	switch_mm(this_cpu(), t->proc->mm);
	current_task = t;
}

/* Back to user space: pending task work runs first (the NUMA scan). */
void task_leave(struct mmlab_task *t)
{
	task_numa_return_to_user(t->proc->mm);
	pt_reclaim_return_to_user(t->proc->mm);
	current_task = NULL;
	cpu_exit();
}

static struct mmlab_task *task_new(struct mmlab_proc *p, unsigned int cpu)
{
	struct mmlab_task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->proc = p;
	t->cpu = cpu;
	spin_lock(&p->lock);
	if (p->main)	/* a new thread inherits its creator's policy */
		t->mempolicy = p->main->mempolicy;
	list_add_tail(&t->node, &p->tasks);
	spin_unlock(&p->lock);
	return t;
}

static struct mmlab_proc *proc_new(struct mm_struct *mm)
{
	struct mmlab_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->mm = mm;
	INIT_LIST_HEAD(&p->tasks);
	spin_lock_init(&p->lock);
	p->main = task_new(p, 0);
	if (!p->main) {
		free(p);
		return NULL;
	}
	spin_lock(&proc_lock);
	p->pid = next_pid++;
	list_add_tail(&p->node_all, &all_procs);
	spin_unlock(&proc_lock);
	return p;
}

static void proc_free(struct mmlab_proc *p)
{
	struct mmlab_task *t, *n;

	spin_lock(&proc_lock);
	list_del(&p->node_all);
	spin_unlock(&proc_lock);
	list_for_each_entry_safe(t, n, &p->tasks, node)
		free(t);
	free(p);
}

/* exec: a fresh mm with the stack VMA and its top page touched, as a new
 * process has when it starts running. */
int mmlab_spawn(struct mmlab_proc **out)
{
	struct mm_struct *mm = mm_alloc();
	struct mmlab_proc *p;
	unsigned long addr;
	int ret;

	if (!out) {
		if (mm)
			mmdrop(mm);
		return -EINVAL;
	}
	if (!mm)
		return -ENOMEM;
	mm->mmap_base = STACK_TOP - (128UL << 20);
	mm->start_brk = mm->brk = BRK_START;
	mm->rlim_memlock = mm->rlim_memlock_max = MLOCK_LIMIT;
	p = proc_new(mm);
	if (!p) {
		mmdrop(mm);
		return -ENOMEM;
	}
	mmap_write_lock(mm);
	ret = do_mmap(mm, STACK_TOP - STACK_SIZE, STACK_SIZE, 3 /* rw */,
		      0x02 | 0x20 | 0x10 /* private anonymous fixed */, NULL, 0, &addr);
	if (!ret)
		find_vma(mm, addr)->vm_flags |= VM_GROWSDOWN;
	mmap_write_unlock(mm);
	if (!ret) {
		uint8_t b = 1;

		ret = mmlab_write(p->main, STACK_TOP - 8, &b, 1, NULL);
	}
	if (ret) {
		mmlab_exit(p);
		return ret > 0 ? -EFAULT : ret;
	}
	*out = p;
	return 0;
}

static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *v;
	unsigned long drop = VM_LOCKED_MASK;
	int ret = 0, keep_uffd;

	mmap_write_lock(oldmm);
	inc_tlb_flush_pending(oldmm);	/* write-protected PTEs until the flush */
	keep_uffd = dup_userfaultfd(mm, oldmm);
	if (keep_uffd < 0)
		ret = keep_uffd;
	else if (!keep_uffd)
		drop |= VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR;
	for (v = node_vma(range_tree_first(&oldmm->mm_mt)); v && !ret; v = vma_next(oldmm, v)) {
		struct vm_area_struct *n;

		if (v->vm_flags & VM_DONTCOPY)
			continue;
		n = vm_area_dup(v);
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		n->vm_mm = mm;
		/* without UFFD_FEATURE_EVENT_FORK the child is not registered
		 * (copy_page_range then drops the wp bits); memory locks are
		 * not inherited */
		n->vm_flags &= ~drop;
		/* anon_vma_fork: the child shares the parent's anon_vmas and
		 * gets its own */
		n->anon_vma = NULL;
		if (!(v->vm_flags & VM_WIPEONFORK) && anon_vma_fork(n, v)) {
			unlink_anon_vmas(n);
			vm_area_free(n);
			ret = -ENOMEM;
			break;
		}
		vma_link(mm, n);
		if (!(v->vm_flags & VM_WIPEONFORK)) {
			ret = copy_page_range(n, v);
			if (ret)
				break;
		}
	}
	mm->mmap_base = oldmm->mmap_base;
	/* the heap and the limits are the process's; MCL_FUTURE is not
	 * inherited (nor is locked_vm: no VMA of the child is locked) */
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->rlim_memlock = oldmm->rlim_memlock;
	mm->rlim_memlock_max = oldmm->rlim_memlock_max;
	mm->cap_ipc_lock = oldmm->cap_ipc_lock;
	mm->def_flags = oldmm->def_flags & ~VM_LOCKED_MASK;
	mm->thp_disable = oldmm->thp_disable;	/* MMF_INIT_MASK */
	mm->merge_any = oldmm->merge_any;
	mm->hiwater_vm = READ_ONCE(mm->total_vm);
	/* khugepaged_fork: the child is scanned if the parent was, whatever
	 * its VMAs and the THP modes are now */
	if (READ_ONCE(oldmm->khugepaged_registered))
		__khugepaged_enter(mm);
	flush_tlb_mm(oldmm);
	dec_tlb_flush_pending(oldmm);
	mmap_write_unlock(oldmm);
	return ret;
}

int mmlab_fork(struct mmlab_proc *p, struct mmlab_proc **child)
{
	struct mm_struct *mm;
	struct mmlab_proc *c;
	int ret;

	if (!p || !child)
		return -EINVAL;
	mm = mm_alloc();
	if (!mm)
		return -ENOMEM;
	c = proc_new(mm);
	if (!c) {
		mmdrop(mm);
		return -ENOMEM;
	}
	task_enter(p->main);
	ret = dup_mmap(mm, p->mm);
	task_leave(p->main);
	if (ret) {
		mmlab_exit(c);
		return ret;
	}
	spin_lock(&p->lock);
	c->main->mempolicy = p->main->mempolicy;	/* copy_process: mpol_dup */
	for (int i = 0; i < (int)ARRAY_SIZE(p->fds); i++) {
		c->fds[i] = p->fds[i];
		if (c->fds[i])
			get_file(c->fds[i]);
	}
	spin_unlock(&p->lock);
	*child = c;
	return 0;
}

int mmlab_exit(struct mmlab_proc *p)
{
	struct mm_struct *mm;

	if (!p)
		return -EINVAL;
	mm = p->mm;
	cpu_enter(p->main->cpu);
	/* every thread is gone: no CPU keeps the mm loaded */
	leave_mm_everywhere(mm);
	__atomic_store_n(&mm->cpumask, 0, __ATOMIC_SEQ_CST);
	exit_mmap(mm);
	cpu_exit();
	for (int i = 0; i < (int)ARRAY_SIZE(p->fds); i++)
		if (p->fds[i])
			fput(p->fds[i]);
	mmdrop(mm);
	proc_free(p);
	return 0;
}

/* Machine teardown: end every process still alive. */
void exit_all_procs(void)
{
	for (;;) {
		struct mmlab_proc *p = NULL;

		spin_lock(&proc_lock);
		if (!list_empty(&all_procs))
			p = list_first_entry(&all_procs, struct mmlab_proc, node_all);
		spin_unlock(&proc_lock);
		if (!p)
			break;
		mmlab_exit(p);
	}
}

struct mmlab_task *mmlab_main_task(struct mmlab_proc *p) { return p ? p->main : NULL; }
unsigned int mmlab_task_cpu(const struct mmlab_task *t) { return t->cpu; }
struct mmlab_proc *mmlab_task_proc(struct mmlab_task *t) { return t->proc; }
int mmlab_pid(const struct mmlab_proc *p) { return p->pid; }

int mmlab_thread(struct mmlab_proc *p, unsigned int cpu, struct mmlab_task **out)
{
	struct mmlab_task *t;

	if (!p || !out || cpu >= nr_cpu_ids)
		return -EINVAL;
	t = task_new(p, cpu);
	if (!t)
		return -ENOMEM;
	*out = t;
	return 0;
}

/* The mm of process @pid, or NULL (find_get_task_by_vpid + get_task_mm;
 * the model's processes end only when their script says so, so the
 * caller, the script's thread, holds no reference). */
struct mm_struct *mm_of_pid(int pid)
{
	struct mmlab_proc *p;
	struct mm_struct *mm = NULL;

	spin_lock(&proc_lock);
	list_for_each_entry(p, &all_procs, node_all)
		if (p->pid == pid)
			mm = p->mm;
	spin_unlock(&proc_lock);
	return mm;
}
