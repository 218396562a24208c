/*
 * userfaultfd.c - a process's userfaultfd: UFFDIO_API (the features a
 * program negotiates: EVENT_FORK, EVENT_REMAP, EVENT_REMOVE, SIGBUS,
 * WP_UNPOPULATED, WP_ASYNC, and the ones that change nothing here; none
 * when it registers without asking, as a plain program opens it),
 * UFFDIO_REGISTER of ranges for missing, write-protect and (shmem) minor
 * faults (VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR on the VMAs) and the
 * ioctls it reports, UFFDIO_UNREGISTER, UFFDIO_WRITEPROTECT, fault
 * delivery, the non-cooperative events (fork, remap, remove), and the
 * context a child gets at fork with EVENT_FORK (dup_userfaultfd).  The
 * filling ioctls are userfaultfd_mfill.c, UFFDIO_MOVE userfaultfd_move.c.
 *
 * The model has no handler thread: a fault that must go to userspace is
 * recorded as an event, the mmap_lock is dropped (as handle_userfault
 * does), and the default handler answers at once - a wp fault by
 * un-protecting that page, a missing fault with UFFDIO_ZEROPAGE (the zero
 * page for private memory, a zeroed page cache page for shared shmem), a
 * minor fault with UFFDIO_CONTINUE - then the access retries.
 *
 * With SIGBUS no fault reaches the handler either: handle_userfault
 * answers VM_FAULT_SIGBUS, and the program fills the page with the
 * resolving ioctls (userfaultfd_mfill.c) after the signal.
 *
 * With WP_ASYNC no wp fault reaches the handler: the fault clears the
 * PTE's uffd-wp bit itself and goes on (the page then reads as written to
 * PAGEMAP_SCAN).
 *
 * Write-protect bits live in the PTEs (_PAGE_UFFD_WP), in swap PTEs
 * (_PAGE_SWP_UFFD_WP), and for file memory (and anonymous memory with
 * WP_UNPOPULATED) in PTE markers on holes (PTE_MARKER_UFFD_WP), so that
 * shmem protection survives zap, pageout and hole punching.
 *
 * The model keeps one context per mm (mm->uffd), set once: its features
 * are fixed when it is created (by UFFDIO_API, or with none by the first
 * registration).  Locks: ctx->lock guards the event queue; registration
 * takes mmap_lock for writing, UFFDIO_WRITEPROTECT for reading; fork's copy
 * runs under the parent's mmap_lock held for writing.
 */
#include <stdlib.h>
#include "swap.h"

#define UFFD_FEATURES_MODEL	(MMLAB_UFFD_FEATURE_EVENT_FORK | \
				 MMLAB_UFFD_FEATURE_WP_UNPOPULATED | \
				 MMLAB_UFFD_FEATURE_WP_ASYNC | \
				 MMLAB_UFFD_FEATURE_SIGBUS | \
				 MMLAB_UFFD_FEATURE_EVENT_REMAP | \
				 MMLAB_UFFD_FEATURE_EVENT_REMOVE | \
				 MMLAB_UFFD_FEATURES_ACCEPTED)

struct userfaultfd_ctx {
	spinlock_t lock;
	uint64_t features;	/* set before the context is published */
	unsigned int nr, cap;
	struct mmlab_uffd_event *ev;
};

/* Install a new context with @features; -EEXIST when @mm has one. */
static int uffd_ctx_create(struct mm_struct *mm, uint64_t features)
{
	struct userfaultfd_ctx *n = calloc(1, sizeof(*n)), *old = NULL;

	if (!n)
		return -ENOMEM;
	spin_lock_init(&n->lock);
	n->features = features;
	if (!__atomic_compare_exchange_n(&mm->uffd, &old, n, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(n);
		return -EEXIST;
	}
	return 0;
}

/* The context of @mm, opened without features when there is none yet. */
static struct userfaultfd_ctx *uffd_ctx_get(struct mm_struct *mm)
{
	struct userfaultfd_ctx *ctx = smp_load_acquire(&mm->uffd);

	if (ctx)
		return ctx;
	if (uffd_ctx_create(mm, 0) == -ENOMEM)
		return NULL;
	return smp_load_acquire(&mm->uffd);
}

static uint64_t vma_uffd_features(struct vm_area_struct *v)
{
	struct userfaultfd_ctx *ctx = smp_load_acquire(&v->vm_mm->uffd);

	if (!ctx || !(v->vm_flags & (VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)))
		return 0;
	return ctx->features;
}

bool userfaultfd_wp_unpopulated(struct vm_area_struct *v)
{
	return (v->vm_flags & VM_UFFD_WP) &&
	       (vma_uffd_features(v) & MMLAB_UFFD_FEATURE_WP_UNPOPULATED);
}

bool userfaultfd_wp_async(struct vm_area_struct *v)
{
	return vma_uffd_features(v) & MMLAB_UFFD_FEATURE_WP_ASYNC;
}

/* Holes of this VMA keep wp as PTE markers: file memory always, anonymous
 * memory with WP_UNPOPULATED. */
bool userfaultfd_wp_use_markers(struct vm_area_struct *v)
{
	if (!(v->vm_flags & VM_UFFD_WP))
		return false;
	return v->vm_file || userfaultfd_wp_unpopulated(v);
}

/*
 * UFFDIO_API: the features the program asks for.  WP_ASYNC brings
 * WP_UNPOPULATED with it, as the kernel's.  -EINVAL for features the model
 * lacks, or when the process's userfaultfd is set up already (a second
 * UFFDIO_API, or one after the first registration).  EVENT_FORK needs
 * CAP_SYS_PTRACE on the kernel: the model's process has it, as a puppet
 * of a root runner does.
 */
int mmlab_uffd_api(struct mmlab_proc *p, uint64_t features)
{
	int ret;

	if (!p || (features & ~UFFD_FEATURES_MODEL))
		return -EINVAL;
	if (features & MMLAB_UFFD_FEATURE_WP_ASYNC)
		features |= MMLAB_UFFD_FEATURE_WP_UNPOPULATED;
	ret = uffd_ctx_create(p->mm, features);
	return ret == -EEXIST ? -EINVAL : ret;
}

void userfaultfd_exit(struct mm_struct *mm)
{
	if (mm->uffd) {
		free(mm->uffd->ev);
		free(mm->uffd);
		mm->uffd = NULL;
	}
}

/* Queue an event; false when there is no memory for it. */
static bool uffd_queue_event(struct userfaultfd_ctx *ctx, unsigned long addr, int kind)
{
	spin_lock(&ctx->lock);
	if (ctx->nr == ctx->cap) {
		unsigned int cap = ctx->cap ? ctx->cap * 2 : 64;
		struct mmlab_uffd_event *n = realloc(ctx->ev, cap * sizeof(*n));

		if (!n) {
			spin_unlock(&ctx->lock);
			return false;
		}
		ctx->ev = n;
		ctx->cap = cap;
	}
	ctx->ev[ctx->nr++] = (struct mmlab_uffd_event){
		.addr = kind == MMLAB_UFFD_REMAP || kind == MMLAB_UFFD_REMOVE ? addr : addr & PAGE_MASK,
		.kind = kind };
	spin_unlock(&ctx->lock);
	return true;
}

/* Record a fault for userspace; the caller returns VM_FAULT_USERFAULT. */
int handle_userfault(struct mm_struct *mm, unsigned long addr, int kind)
{
	struct userfaultfd_ctx *ctx = uffd_ctx_get(mm);

	/* UFFD_FEATURE_SIGBUS: the fault is never delivered */
	if (!ctx || (ctx->features & MMLAB_UFFD_FEATURE_SIGBUS) ||
	    !uffd_queue_event(ctx, addr, kind))
		return VM_FAULT_SIGBUS;
	return VM_FAULT_USERFAULT | (kind << 8);
}

/*
 * Fork, under the parent's mmap_lock (write), before the VMAs are copied:
 * with EVENT_FORK the child gets a context of its own with the parent's
 * features, its VMAs stay registered (and its PTEs keep their wp bits), and
 * the parent's reader sees a fork event; without it dup_mmap drops the
 * registrations.  Returns whether the child keeps them, or -ENOMEM.
 */
int dup_userfaultfd(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct userfaultfd_ctx *octx = smp_load_acquire(&oldmm->uffd);
	int ret;

	if (!octx || !(octx->features & MMLAB_UFFD_FEATURE_EVENT_FORK))
		return 0;
	ret = uffd_ctx_create(mm, octx->features);
	if (ret)
		return ret == -EEXIST ? 1 : ret;
	/* userfaultfd_event_wait_completion: the reader takes it at once */
	uffd_queue_event(octx, 0, MMLAB_UFFD_FORK);
	return 1;
}

/* A registered VMA whose userfaultfd reads EVENT_REMAP: mremap keeps its
 * registration (and wp bits) and reports the move. */
bool userfaultfd_event_remap(struct vm_area_struct *v)
{
	return vma_uffd_features(v) & MMLAB_UFFD_FEATURE_EVENT_REMAP;
}

/* mremap_userfaultfd_complete: the move of [from, from+len) to @to is an
 * event (the reader takes it at once: nothing waits). */
void userfaultfd_remap_complete(struct mm_struct *mm, unsigned long from,
				unsigned long to, unsigned long len)
{
	struct userfaultfd_ctx *ctx = smp_load_acquire(&mm->uffd);

	if (ctx && uffd_queue_event(ctx, from, MMLAB_UFFD_REMAP)) {
		spin_lock(&ctx->lock);
		ctx->ev[ctx->nr - 1].to = to;
		ctx->ev[ctx->nr - 1].len = len;
		spin_unlock(&ctx->lock);
	}
}

/*
 * userfaultfd_remove: MADV_DONTNEED, MADV_FREE or MADV_REMOVE is about to
 * drop [start, end) of @v; with EVENT_REMOVE the reader hears of it first.
 * The kernel drops mmap_lock to wait for the reader; the model's reads the
 * event at once, so the lock stays and the VMA with it.
 */
void userfaultfd_remove(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	struct userfaultfd_ctx *ctx;

	if (!(vma_uffd_features(v) & MMLAB_UFFD_FEATURE_EVENT_REMOVE))
		return;
	ctx = smp_load_acquire(&v->vm_mm->uffd);
	if (uffd_queue_event(ctx, start, MMLAB_UFFD_REMOVE)) {
		spin_lock(&ctx->lock);
		ctx->ev[ctx->nr - 1].len = end - start;
		spin_unlock(&ctx->lock);
	}
}

/* Protect or unprotect [start, end) of the wp-registered VMAs in it
 * (check: all of them must be); mmap_lock held. */
int uffd_wp_range(struct mm_struct *mm, unsigned long start,
		  unsigned long end, bool on, bool check)
{
	struct vm_area_struct *v;
	struct mmu_gather tlb;
	int ret = 0;

	if (check) {
		/* every VMA in the range registered for wp (holes are skipped,
		 * as mwriteprotect_range does); none at all: -ENOENT */
		v = find_vma(mm, start);
		if (!v || v->vm_start >= end)
			return -ENOENT;
		for (; v && v->vm_start < end; v = vma_next(mm, v))
			if (!(v->vm_flags & VM_UFFD_WP))
				return -ENOENT;
	}
	tlb_gather_mmu(&tlb, mm, false);
	for (v = find_vma(mm, start); v && v->vm_start < end && !ret; v = vma_next(mm, v))
		ret = change_protection(&tlb, v, max(start, v->vm_start), min(end, v->vm_end),
					on ? MM_CP_UFFD_WP : MM_CP_UFFD_WP_RESOLVE);
	tlb_finish_mmu(&tlb);
	return ret;
}

/* The default handler: answer the fault so that the access completes. */
int uffd_resolve(struct mm_struct *mm, unsigned long addr, int kind)
{
	struct vm_area_struct *v;
	int ret = 0;

	addr &= PAGE_MASK;
	down_read(&mm->mmap_lock);
	v = vma_lookup(mm, addr);
	if (v && kind == MMLAB_UFFD_WP)
		ret = uffd_wp_range(mm, addr, addr + PAGE_SIZE, false, false);
	up_read(&mm->mmap_lock);
	/* UFFDIO_ZEROPAGE: the zero page, or a zeroed shmem page; a minor
	 * fault UFFDIO_CONTINUE */
	if (v && kind != MMLAB_UFFD_WP)
		ret = uffd_fill_resolve(mm, addr, kind == MMLAB_UFFD_MINOR ?
					MMLAB_UFFDIO_CONTINUE : MMLAB_UFFDIO_ZEROPAGE);
	return ret;
}

/* The ioctls UFFDIO_REGISTER reports for a range registered with @modes
 * (the kernel's UFFD_API_RANGE_IOCTLS: CONTINUE only with minor mode,
 * WRITEPROTECT only with wp mode). */
static uint64_t uffd_range_ioctls(int modes)
{
	uint64_t m = MMLAB_UFFDIO_RANGE_IOCTLS;

	if (!(modes & MMLAB_UFFD_MINOR_MODE))
		m &= ~(1ULL << MMLAB_UFFDIO_CONTINUE_NR);
	if (!(modes & MMLAB_UFFD_WP))
		m &= ~(1ULL << MMLAB_UFFDIO_WRITEPROTECT_NR);
	return m;
}

#define VM_UFFD_ALL	(VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)

/*
 * Register the VMAs of [start, end) with the flags @set (splitting them at
 * the ends; a VMA registered with all of them already is left as it is,
 * another has its modes replaced), or with @set 0 unregister them: a wp-registered range is
 * un-protected first (userfaultfd_clear_vma).  Holes are skipped.
 * mmap_lock held for writing.
 */
static int uffd_modify_vmas(struct mm_struct *mm, unsigned long start,
			    unsigned long end, unsigned long set)
{
	unsigned long a, s, stop;
	struct vm_area_struct *v;
	int ret = 0;

	for (a = start; a < end && !ret; a = stop) {
		v = find_vma(mm, a);
		if (!v || v->vm_start >= end)
			break;
		s = max(a, v->vm_start);
		stop = min(end, v->vm_end);
		if (set) {
			/* a VMA that has all the modes asked for keeps its
			 * own; else the modes asked for replace its modes */
			if ((v->vm_flags & set) != set)
				ret = vma_modify_flags(v, s, stop,
						       (v->vm_flags & ~VM_UFFD_ALL) | set);
			continue;
		}
		if (v->vm_flags & VM_UFFD_WP)
			ret = uffd_wp_range(mm, s, stop, false, false);
		if (!ret && (v->vm_flags & VM_UFFD_ALL))
			ret = vma_modify_flags(v, s, stop, v->vm_flags & ~VM_UFFD_ALL);
	}
	return ret;
}

int mmlab_uffd_register(struct mmlab_proc *p, uint64_t addr, uint64_t len, int modes)
{
	return mmlab_uffd_register_ioctls(p, addr, len, modes, NULL);
}

int mmlab_uffd_register_ioctls(struct mmlab_proc *p, uint64_t addr, uint64_t len,
			       int modes, uint64_t *ioctls)
{
	unsigned long start = addr, end = addr + len, flags = 0;
	struct mm_struct *mm;
	struct vm_area_struct *v;
	int ret = 0;

	if (!p || !modes ||
	    (modes & ~(MMLAB_UFFD_MISSING | MMLAB_UFFD_WP | MMLAB_UFFD_MINOR_MODE)))
		return -EINVAL;
	if ((start | len) & ~PAGE_MASK || !len || end > TASK_SIZE || end < start)
		return -EINVAL;
	if (modes & MMLAB_UFFD_MISSING)
		flags |= VM_UFFD_MISSING;
	if (modes & MMLAB_UFFD_WP)
		flags |= VM_UFFD_WP;
	if (modes & MMLAB_UFFD_MINOR_MODE)
		flags |= VM_UFFD_MINOR;
	mm = p->mm;
	if (!uffd_ctx_get(mm))
		return -ENOMEM;
	mmap_write_lock(mm);
	/* at least one VMA in the range; holes are allowed, as the kernel */
	v = find_vma(mm, start);
	if (!v || v->vm_start >= end) {
		ret = -EINVAL;
		goto out;
	}
	/* vma_can_userfault: a droppable VMA never can (nothing is refused
	 * half-way: every VMA is checked first) */
	for (v = find_vma(mm, start); v && v->vm_start < end; v = vma_next(mm, v))
		if ((v->vm_flags & VM_DROPPABLE) ||
		    ((flags & VM_UFFD_MINOR) && !vma_is_shmem(v))) {
			/* and minor mode is for shmem (and hugetlbfs) only */
			ret = -EINVAL;
			goto out;
		}
	ret = uffd_modify_vmas(mm, start, end, flags);
out:
	mmap_write_unlock(mm);
	if (!ret && ioctls)
		*ioctls = uffd_range_ioctls(modes);
	return ret;
}

/*
 * UFFDIO_UNREGISTER: the VMAs of [addr, addr+len) are no longer registered;
 * wp-registered ones are un-protected first (userfaultfd_clear_vma).
 * -EINVAL for a bad range or one without a mapping.
 */
int mmlab_uffd_unregister(struct mmlab_proc *p, uint64_t addr, uint64_t len)
{
	unsigned long start = addr, end = addr + len;
	struct vm_area_struct *v;
	struct mm_struct *mm;
	int ret = 0;

	if (!p || (start | len) & ~PAGE_MASK || !len || end > TASK_SIZE || end < start)
		return -EINVAL;
	mm = p->mm;
	task_enter(p->main);
	mmap_write_lock(mm);
	v = find_vma(mm, start);
	if (!v || v->vm_start >= end) {
		ret = -EINVAL;
		goto out;
	}
	ret = uffd_modify_vmas(mm, start, end, 0);
out:
	mmap_write_unlock(mm);
	task_leave(p->main);
	return ret;
}

int mmlab_uffd_wp(struct mmlab_proc *p, uint64_t addr, uint64_t len, bool on)
{
	struct mm_struct *mm;
	int ret;

	if (!p || (addr | len) & ~PAGE_MASK || !len || addr + len > TASK_SIZE)
		return -EINVAL;
	mm = p->mm;
	task_enter(p->main);
	down_read(&mm->mmap_lock);
	ret = uffd_wp_range(mm, addr, addr + len, on, true);
	up_read(&mm->mmap_lock);
	task_leave(p->main);
	return ret;
}

int mmlab_uffd_events(struct mmlab_proc *p, struct mmlab_uffd_event *ev, int max)
{
	struct userfaultfd_ctx *ctx;
	int n;

	if (!p || max < 0 || (!ev && max))
		return -EINVAL;
	ctx = smp_load_acquire(&p->mm->uffd);
	if (!ctx)
		return 0;
	spin_lock(&ctx->lock);
	n = min((int)ctx->nr, max);
	if (n > 0) {
		memcpy(ev, ctx->ev, n * sizeof(*ev));
		memmove(ctx->ev, ctx->ev + n, (ctx->nr - n) * sizeof(*ev));
		ctx->nr -= n;
	}
	spin_unlock(&ctx->lock);
	return n;
}
