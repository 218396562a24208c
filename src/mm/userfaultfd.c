/*
 * userfaultfd.c - a process's userfaultfd, as a plain program opens it (no
 * optional features): register ranges for missing and/or write-protect
 * faults (VM_UFFD_MISSING, VM_UFFD_WP on the VMAs), UFFDIO_WRITEPROTECT,
 * and fault delivery.
 *
 * The model has no handler thread: a fault that must go to userspace is
 * recorded as an event, the mmap_lock is dropped (as handle_userfault
 * does), and the default handler answers at once - a wp fault by
 * un-protecting that page, a missing fault by zero-filling it (the zero
 * page for anonymous memory, a zeroed page cache page for shmem) - then the
 * access retries.
 *
 * Write-protect bits live in the PTEs (_PAGE_UFFD_WP), in swap PTEs
 * (_PAGE_SWP_UFFD_WP), and for file memory in PTE markers on holes
 * (PTE_MARKER_UFFD_WP), so that shmem protection survives zap, pageout and
 * hole punching.
 *
 * Locks: ctx->lock guards the event queue; registration takes mmap_lock for
 * writing, UFFDIO_WRITEPROTECT for reading.
 */
#include <stdlib.h>
#include "swap.h"

struct userfaultfd_ctx {
	spinlock_t lock;
	unsigned int nr, cap;
	struct mmlab_uffd_event *ev;
};

static struct userfaultfd_ctx *uffd_ctx_get(struct mm_struct *mm)
{
	struct userfaultfd_ctx *ctx = smp_load_acquire(&mm->uffd), *n;

	if (ctx)
		return ctx;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	spin_lock_init(&n->lock);
	ctx = NULL;
	if (!__atomic_compare_exchange_n(&mm->uffd, &ctx, n, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		free(n);
		return ctx;
	}
	return n;
}

void userfaultfd_exit(struct mm_struct *mm)
{
	if (mm->uffd) {
		free(mm->uffd->ev);
		free(mm->uffd);
		mm->uffd = NULL;
	}
}

/* Record a fault for userspace; the caller returns VM_FAULT_USERFAULT. */
int handle_userfault(struct mm_struct *mm, unsigned long addr, int kind)
{
	struct userfaultfd_ctx *ctx = uffd_ctx_get(mm);

	if (!ctx)
		return VM_FAULT_SIGBUS;
	spin_lock(&ctx->lock);
	if (ctx->nr == ctx->cap) {
		unsigned int cap = ctx->cap ? ctx->cap * 2 : 64;
		struct mmlab_uffd_event *n = realloc(ctx->ev, cap * sizeof(*n));

		if (!n) {
			spin_unlock(&ctx->lock);
			return VM_FAULT_SIGBUS;
		}
		ctx->ev = n;
		ctx->cap = cap;
	}
	ctx->ev[ctx->nr++] = (struct mmlab_uffd_event){ .addr = addr & PAGE_MASK, .kind = kind };
	spin_unlock(&ctx->lock);
	return VM_FAULT_USERFAULT | (kind << 8);
}

static int uffd_wp_range(struct mm_struct *mm, unsigned long start,
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
	if (v) {
		if (kind == MMLAB_UFFD_WP)
			ret = uffd_wp_range(mm, addr, addr + PAGE_SIZE, false, false);
		else	/* UFFDIO_ZEROPAGE, or a zeroed shmem page */
			ret = handle_mm_fault(v, addr, FAULT_FLAG_NO_UFFD) ? -EFAULT : 0;
	}
	up_read(&mm->mmap_lock);
	return ret;
}

int mmlab_uffd_register(struct mmlab_proc *p, uint64_t addr, uint64_t len, int modes)
{
	unsigned long start = addr, end = addr + len, flags = 0, a;
	struct mm_struct *mm;
	struct vm_area_struct *v;
	int ret = 0;

	if (!p || !modes || (modes & ~(MMLAB_UFFD_MISSING | MMLAB_UFFD_WP)))
		return -EINVAL;
	if ((start | len) & ~PAGE_MASK || !len || end > TASK_SIZE || end < start)
		return -EINVAL;
	if (modes & MMLAB_UFFD_MISSING)
		flags |= VM_UFFD_MISSING;
	if (modes & MMLAB_UFFD_WP)
		flags |= VM_UFFD_WP;
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
	for (a = start; a < end && !ret;) {
		unsigned long s, stop;

		v = find_vma(mm, a);
		if (!v || v->vm_start >= end)
			break;
		s = max(a, v->vm_start);
		stop = min(end, v->vm_end);
		ret = vma_modify_flags(v, s, stop, v->vm_flags | flags);
		a = stop;
	}
out:
	mmap_write_unlock(mm);
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
