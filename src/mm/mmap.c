/*
 * mmap.c - creating and removing mappings: do_mmap with the kernel's
 * argument checks, the top-down unmapped-area search, munmap (split, zap,
 * free page tables), brk, populate, and exit_mmap.
 *
 * The heap: a new process's break starts at BRK_START (fork.c), where a
 * small PIE binary loaded at ELF_ET_DYN_BASE without
 * randomization would end; brk grows it with do_brk_flags (merging with
 * the heap VMA below) and shrinks it with munmap.
 *
 * All of it runs with mmap_lock held for writing (populate: for reading).
 */
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
			 MAP_DENYWRITE | MAP_EXECUTABLE | 0x4000000 /* UNINITIALIZED */ | \
			 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
			 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)
#include "swap.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif

#define VM_GROWSDOWN	0x00000100UL

/* mmap_min_addr: max(vm.mmap_min_addr, CONFIG_LSM_MMAP_MIN_ADDR), what a
 * hint is raised to; cap_mmap_addr refuses only addresses below
 * vm.mmap_min_addr (dac_mmap_min_addr, 4096 on this host) */
#define MMAP_MIN_ADDR		65536UL
#define DAC_MMAP_MIN_ADDR	4096UL

/* __vm_enough_memory, heuristic mode: RAM plus swap bounds one request. */
bool vm_enough_memory(unsigned long pages)
{
	return pages <= phys.nr_frames + (unsigned long)total_swap_pages();
}

/* vm_unmapped_area, top-down below mmap_base, then bottom-up above it. */
static unsigned long get_unmapped_area(struct mm_struct *mm, unsigned long hint,
				       unsigned long len)
{
	struct vm_area_struct *v;
	unsigned long high = mm->mmap_base, low = MMAP_MIN_ADDR;

	if (len > TASK_SIZE - low)
		return 0;
	if (hint) {
		hint = ALIGN_DOWN(hint, PAGE_SIZE);
		if (hint < low)
			hint = low;
		v = find_vma(mm, hint);
		if (hint + len <= TASK_SIZE && hint + len > hint &&
		    (!v || v->vm_start >= hint + len))
			return hint;
	}
	/* top-down: the highest gap below mmap_base that fits */
	{
		struct range_node *last = list_empty(&mm->mm_mt.list) ? NULL :
			list_entry(mm->mm_mt.list.prev, struct range_node, list);
		unsigned long gap_end = high;

		v = node_vma(last);
		while (v && v->vm_start >= gap_end)
			v = vma_prev(mm, v);
		for (;;) {
			unsigned long gap_start;

			if (v && v->vm_end > gap_end) {
				gap_end = v->vm_start;
				v = vma_prev(mm, v);
				continue;
			}
			gap_start = v ? max(v->vm_end, low) : low;
			if (gap_end > gap_start && gap_end - gap_start >= len)
				return gap_end - len;
			if (!v)
				break;
			gap_end = v->vm_start;
			v = vma_prev(mm, v);
		}
	}
	/* bottom-up above mmap_base */
	{
		unsigned long start = high;

		for (v = find_vma(mm, start); v; v = vma_next(mm, v)) {
			if (v->vm_start >= start + len)
				break;
			start = max(start, v->vm_end);
		}
		if (start + len <= TASK_SIZE && start + len > start)
			return start;
	}
	return 0;
}

/*
 * __get_unmapped_area: where a new range of @len goes, near @hint when that
 * is free; a private anonymous range of whole PMDs with no hint is
 * PMD-aligned (thp_get_unmapped_area, 6.7+).  0 when nothing fits.
 */
unsigned long mm_get_unmapped_area(struct mm_struct *mm, unsigned long hint,
				   unsigned long len, bool anon_private)
{
	unsigned long a = 0;

	if (anon_private && !hint && IS_ALIGNED(len, PMD_SIZE)) {
		unsigned long r = get_unmapped_area(mm, 0, len + PMD_SIZE);

		if (r) {
			unsigned long off_sub = (0 - r) & (PMD_SIZE - 1);

			/* top-down and already aligned: take the top part */
			a = off_sub ? r + off_sub : r + PMD_SIZE;
		}
	}
	return a ? a : get_unmapped_area(mm, hint, len);
}

/*
 * thp_get_unmapped_area for a disk file (ext4's get_unmapped_area): when
 * [@pgoff, @pgoff + @len) holds a whole PMD-aligned stretch of the file,
 * the range goes where file offset and address agree modulo PMD_SIZE (so
 * that large folios could be PMD-mapped), unless @hint itself is free.
 * 0: no such stretch, or nothing fits; the caller places it plainly.
 */
static unsigned long file_thp_unmapped_area(struct mm_struct *mm, unsigned long hint,
					    unsigned long len, unsigned long pgoff)
{
	uint64_t off = (uint64_t)pgoff << PAGE_SHIFT, off_end = off + len;
	uint64_t off_align = ALIGN_UP(off, PMD_SIZE);
	unsigned long r, off_sub;

	if (off_end <= off_align || off_end - off_align < PMD_SIZE)
		return 0;
	if (hint && get_unmapped_area(mm, hint, len) == hint)
		return hint;
	r = get_unmapped_area(mm, 0, len + PMD_SIZE);
	if (!r)
		return 0;
	off_sub = (unsigned long)(off - r) & (PMD_SIZE - 1);
	/* top-down and already aligned: take the top part */
	return off_sub ? r + off_sub : r + PMD_SIZE;
}

static unsigned long calc_vm_flags(unsigned long prot, unsigned long flags,
				   struct file *file)
{
	unsigned long vm = 0;

	if (prot & PROT_READ)
		vm |= VM_READ;
	if (prot & PROT_WRITE)
		vm |= VM_WRITE;
	if (prot & PROT_EXEC)
		vm |= VM_EXEC;
	vm |= VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if ((flags & MAP_TYPE) == MAP_SHARED || (flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
		vm |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_NORESERVE)
		vm |= VM_NORESERVE;
	/* accountable_mapping(): private writable, unless noreserve */
	if ((vm & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE)
		vm |= VM_ACCOUNT;
	(void)file;
	return vm;
}

/*
 * do_mmap's checks of a file mapping, after the address is chosen: a
 * MAP_SHARED_VALIDATE flag shmem does not support (-EOPNOTSUPP, and
 * MAP_FIXED_NOREPLACE is one), a shared writable mapping of a file not
 * opened for writing or any mapping of one not opened for reading
 * (-EACCES).  A shared mapping of a read-only file is private in all but
 * name (VM_MAYSHARE, neither VM_SHARED nor VM_MAYWRITE).  Then the seals
 * (memfd_check_seals_mmap), and a shared writable mapping is counted in
 * i_mmap_writable (-EPERM once F_SEAL_WRITE denied them): the caller drops
 * that count with mapping_unmap_writable once the VMA is linked, or on
 * failure.
 */
static int mmap_file_checks(struct file *file, unsigned long flags, unsigned long prot,
			    unsigned long *vm_flags)
{
	unsigned long type = flags & MAP_TYPE;
	int ret;

	if (type == MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK))
		return -EOPNOTSUPP;
	if (type != MAP_PRIVATE) {
		if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return -EACCES;
		if (!(file->f_mode & FMODE_WRITE))
			*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
	}
	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	ret = memfd_check_seals_mmap(file, vm_flags);
	if (ret)
		return ret;
	if ((*vm_flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE))
		return mapping_map_writable(file->mapping);
	return 0;
}

/* Unmap [start, end): the caller holds mmap_lock for writing. */
static int do_vmi_munmap(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *v = find_vma(mm, start), *first, *prev, *next, *w;
	struct mmu_gather tlb;
	unsigned long floor, ceiling, first_start;

	if (!v || v->vm_start >= end)
		return 0;
	/* a sealed VMA is neither split nor unmapped (vms_gather_munmap_vmas:
	 * the first one before its split, the others before anything goes) */
	if (v->vm_start < start && vma_is_sealed(v))
		return -EPERM;
	if (v->vm_start < start && split_vma(v, start, 0))
		return -ENOMEM;
	for (w = find_vma(mm, start); w && w->vm_start < end; w = vma_next(mm, w))
		if (vma_is_sealed(w))
			return -EPERM;
	w = find_vma(mm, end - 1);
	if (w && w->vm_start < end && w->vm_end > end && split_vma(w, end, 1))
		return -ENOMEM;
	first = find_vma(mm, start);
	prev = vma_prev(mm, first);
	floor = prev ? prev->vm_end : 0;
	/* the peaks before RSS and the address space go down; locked pages
	 * leave VmLck */
	update_hiwater_rss(mm);
	update_hiwater_vm(mm);
	for (w = first; w && w->vm_start < end; w = vma_next(mm, w))
		if (w->vm_flags & VM_LOCKED)
			WRITE_ONCE(mm->locked_vm, mm->locked_vm - vma_pages(w));

	tlb_gather_mmu(&tlb, mm, false);
	tlb.luf_skip = true;
	for (w = first; w && w->vm_start < end; w = vma_next(mm, w))
		unmap_page_range(&tlb, w, w->vm_start, w->vm_end,
				 &(struct zap_details){ .drop_markers = true });
	/* the last VMA we remove, and the one after it bounds the tables */
	next = first;
	while (next && next->vm_start < end)
		next = vma_next(mm, next);
	ceiling = next ? next->vm_start : 0;
	first_start = first->vm_start;
	/* out of the rmap before the tables go (free_pgtables order) */
	while ((w = find_vma(mm, start)) && w->vm_start < end) {
		vma_unlink(mm, w);
		vm_area_free(w);
	}
	free_pgtables(&tlb, mm, first_start, min(end, TASK_SIZE + PAGE_SIZE),
		      floor, ceiling);
	tlb_finish_mmu(&tlb);
	return 0;
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end;

	if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -EINVAL;
	end = start + len;
	return do_vmi_munmap(mm, start, end);
}

int do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	    unsigned long prot, unsigned long flags, struct file *file,
	    unsigned long pgoff, unsigned long *out)
{
	unsigned long type = flags & MAP_TYPE, vm_flags, a;
	struct vm_area_struct *v;
	int ret = 0;

	if (!len)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE &&
	    type != MAP_DROPPABLE)
		return -EINVAL;
	/* MAP_DROPPABLE: anonymous only, never locked or a stack */
	if (type == MAP_DROPPABLE && (file || (flags & (MAP_LOCKED | MAP_GROWSDOWN))))
		return -EINVAL;
	/* anonymous memory takes only the legacy types (a file's flags are
	 * checked by mmap_file_checks) */
	if (type == MAP_SHARED_VALIDATE && !file)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (flags & MAP_FIXED) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr < DAC_MMAP_MIN_ADDR)
			return -EPERM;
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		a = addr;
	} else {
		/* round_hint_to_min: a hint below one page is no hint */
		addr &= PAGE_MASK;
		if (addr && addr < MMAP_MIN_ADDR)
			addr = MMAP_MIN_ADDR;
		a = file && file->mapping->disk ? file_thp_unmapped_area(mm, addr, len, pgoff) : 0;
		if (!a)
			a = mm_get_unmapped_area(mm, addr, len, !file && (type == MAP_PRIVATE ||
								   type == MAP_DROPPABLE));
		if (!a)
			return -ENOMEM;
	}
	vm_flags = calc_vm_flags(prot, flags, file) | mm->def_flags;
	/* droppable pages are not reserved, and neither survive fork nor go
	 * into a core dump */
	if (type == MAP_DROPPABLE)
		vm_flags = (vm_flags & ~VM_ACCOUNT) |
			   VM_DROPPABLE | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
	if (vm_flags & VM_DROPPABLE)
		vm_flags &= ~VM_LOCKED_MASK;	/* mlockall's MCL_FUTURE: nothing to lock */
	if (flags & MAP_LOCKED) {
		vm_flags |= VM_LOCKED;
		if (!can_do_mlock(mm))
			return -EPERM;
	}
	if (!mlock_future_ok(mm, vm_flags, len))
		return -EAGAIN;
	/* overcommit heuristic (vm.overcommit_memory=0, as this host): one
	 * accounted mapping may not exceed RAM plus swap */
	if (((vm_flags & VM_ACCOUNT) || (!file && (vm_flags & VM_SHARED) &&
					 !(vm_flags & VM_NORESERVE))) &&
	    !vm_enough_memory(len >> PAGE_SHIFT))
		return -ENOMEM;
	if (READ_ONCE(knobs.soft_dirty))
		vm_flags |= VM_SOFTDIRTY;	/* a new VMA is all soft-dirty */
	vm_flags = ksm_vma_flags(mm, vm_flags);	/* before the merge is tried */
	if (file) {
		/* file_mmap_ok: the mapping must end below MAX_LFS_FILESIZE */
		const unsigned long maxsize = 0x7fffffffffffffffUL;

		if (len > maxsize || pgoff > (maxsize - len) >> PAGE_SHIFT)
			return -EOVERFLOW;
	}

	if (flags & MAP_FIXED_NOREPLACE) {
		struct vm_area_struct *o = find_vma(mm, a);

		if (o && o->vm_start < a + len)
			return -EEXIST;
	}
	if (file) {
		ret = mmap_file_checks(file, flags, prot, &vm_flags);
		if (ret)
			return ret;
	}
	if (!(flags & MAP_FIXED_NOREPLACE) && (flags & MAP_FIXED))
		ret = do_vmi_munmap(mm, a, a + len);
	v = ret ? NULL : vm_area_alloc(mm);
	if (!v) {
		if (file && vma_flags_shared_maywrite(vm_flags))
			mapping_unmap_writable(file->mapping);
		return ret ? ret : -ENOMEM;
	}
	v->vm_start = a;
	v->vm_end = a + len;
	v->vm_flags = vm_flags;
	v->vm_page_prot = vm_get_page_prot(vm_flags);
	if (file) {
		v->vm_file = file;
		get_file(file);
		v->vm_pgoff = pgoff;
	} else if (vm_flags & VM_SHARED) {
		/* shmem_zero_setup: shared anonymous memory is a shmem file */
		v->vm_file = shmem_file_setup("dev/zero", len, true);
		if (!v->vm_file) {
			vm_area_free(v);
			return -ENOMEM;
		}
		v->vm_pgoff = 0;
	} else {
		v->vm_pgoff = a >> PAGE_SHIFT;
	}
	vma_link(mm, v);
	if (vm_flags & VM_LOCKED)
		WRITE_ONCE(mm->locked_vm, mm->locked_vm + (len >> PAGE_SHIFT));
	if (file && vma_flags_shared_maywrite(vm_flags))
		mapping_unmap_writable(file->mapping);	/* the VMA counts now */
	/* __mmap_new_vma, or vma_merge_new_range for the VMA it grew */
	v = vma_merge_new_range(v);
	khugepaged_enter_vma(v, v->vm_flags);
	*out = a;
	return 0;
}

/* The end of the gap below @v that nothing may enter (vm_start_gap): a
 * stack keeps stack_guard_gap (256 pages) free below it. */
static unsigned long vm_start_gap(struct vm_area_struct *v)
{
	const unsigned long stack_guard_gap = 256UL << PAGE_SHIFT;

	if (!(v->vm_flags & VM_GROWSDOWN))
		return v->vm_start;
	return v->vm_start > stack_guard_gap ? v->vm_start - stack_guard_gap : 0;
}

/* do_brk_flags: the heap grows by [addr, addr + len): the heap VMA below
 * is extended where it can merge, else a new anonymous VMA is made. */
static int do_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len)
{
	unsigned long flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
			      VM_ACCOUNT | mm->def_flags;
	struct vm_area_struct *v;

	if (!vm_enough_memory(len >> PAGE_SHIFT))
		return -ENOMEM;
	if (READ_ONCE(knobs.soft_dirty))
		flags |= VM_SOFTDIRTY;
	flags = ksm_vma_flags(mm, flags);
	v = vm_area_alloc(mm);
	if (!v)
		return -ENOMEM;
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->vm_flags = flags;
	v->vm_page_prot = vm_get_page_prot(flags);
	v->vm_pgoff = addr >> PAGE_SHIFT;
	vma_link(mm, v);
	/* only the heap VMA below can touch it: above, brk keeps a gap */
	v = vma_merge_new_range(v);
	khugepaged_enter_vma(v, v->vm_flags);
	if (flags & VM_LOCKED)
		WRITE_ONCE(mm->locked_vm, mm->locked_vm + (len >> PAGE_SHIFT));
	return 0;
}

/*
 * brk(2): the new break, or the old one when the request is refused (the
 * raw system call never returns an errno).  Below start_brk: refused.
 * Within the same page: only the value changes.  Shrinking unmaps the
 * pages above the new break (refused when nothing is mapped there).
 * Growing needs the range below TASK_SIZE, mlock_future_ok under
 * MCL_FUTURE, and one free page (a stack's guard gap) up to the next VMA;
 * with MCL_FUTURE the new part is populated (not with MCL_ONFAULT).
 */
unsigned long do_brk(struct mm_struct *mm, unsigned long brk)
{
	unsigned long newbrk, oldbrk, origbrk;
	struct vm_area_struct *next;
	bool populate = false;

	mmap_write_lock(mm);
	origbrk = mm->brk;
	if (brk < mm->start_brk)
		goto out;
	newbrk = ALIGN_UP(brk, PAGE_SIZE);
	oldbrk = ALIGN_UP(mm->brk, PAGE_SIZE);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		goto success;
	}
	if (brk <= mm->brk) {
		next = find_vma(mm, newbrk);
		if (!next || next->vm_start >= oldbrk)
			goto out;
		mm->brk = brk;
		if (do_vmi_munmap(mm, newbrk, oldbrk))
			goto out;
		goto success;
	}
	/* check_brk_limits: below TASK_SIZE, and within RLIMIT_MEMLOCK */
	if (!newbrk || newbrk > TASK_SIZE ||
	    !mlock_future_ok(mm, mm->def_flags, newbrk - oldbrk))
		goto out;
	next = find_vma(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(next))
		goto out;
	if (do_brk_flags(mm, oldbrk, newbrk - oldbrk))
		goto out;
	mm->brk = brk;
	populate = mm->def_flags & VM_LOCKED;
success:
	mmap_write_unlock(mm);
	if (populate)
		__mm_populate(mm, oldbrk, newbrk - oldbrk, true);
	return brk;
out:
	mm->brk = origbrk;
	mmap_write_unlock(mm);
	return origbrk;
}

/*
 * Fault in [addr, end) of @v as GUP's populate does: a page already mapped
 * as needed (a PTE, or a THP's PMD) costs nothing, the rest a fault each,
 * repeated until the page is mapped as needed.  mmap_lock held for
 * reading.  0 or -ENOMEM / -EFAULT.
 */
int populate_vma_range(struct vm_area_struct *v, unsigned long addr, unsigned long end,
		       unsigned int flags)
{
	struct mm_struct *mm = v->vm_mm;

	for (; addr < end; addr += PAGE_SIZE) {
		pteval_t *pgd = pgd_offset(mm, addr), *pud, *pmd, *pte, e = 0;
		int ret;

		/* follow_page: skip pages already mapped as needed */
		if (!pte_none(pte_read(pgd)) &&
		    !pte_none(pte_read(pud = pud_offset(pgd, addr))) &&
		    !pte_none(pte_read(pmd = pmd_offset(pud, addr)))) {
			e = pte_read(pmd);
			if (pmd_leaf(e) && pte_hw_present(e) &&
			    (!(flags & FAULT_FLAG_WRITE) || pte_write_bit(e))) {
				/* a THP maps the whole PMD as needed */
				addr = (addr & PMD_MASK) + PMD_SIZE - PAGE_SIZE;
				continue;
			}
			e = 0;
			if ((pte = pte_offset_map(pmd, addr, NULL))) {
				e = pte_read(pte);
				pte_unmap(pte);
			}
		}
		if (pte_present(e) && (!(flags & FAULT_FLAG_WRITE) || pte_write_bit(e)))
			continue;
		ret = handle_mm_fault(v, addr, flags);
		if (ret)
			return (ret & VM_FAULT_OOM) ? -ENOMEM : -EFAULT;
		cpu_poll();
		/* look again, as GUP does: a fault that lost a race (its PTE
		 * changed under it) returns 0 having mapped nothing */
		addr -= PAGE_SIZE;
	}
	return 0;
}

/*
 * populate_vma_page_range: fault in [start, end) of @v as mlock wants it:
 * writable private memory by write faults (breaking CoW), the rest by read
 * faults; nothing for VM_LOCKONFAULT.  GUP refuses a PROT_NONE VMA
 * (-EFAULT, no FOLL_FORCE for it).  mmap_lock held.
 */
int populate_vma_page_range(struct vm_area_struct *v, unsigned long start, unsigned long end)
{
	unsigned int flags = FAULT_FLAG_USER;

	if (v->vm_flags & VM_LOCKONFAULT)
		return 0;
	if (!(v->vm_flags & VM_ACCESS_FLAGS))
		return -EFAULT;
	if ((v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		flags |= FAULT_FLAG_WRITE;
	return populate_vma_range(v, start, end, flags);
}

int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len,
		  bool ignore_errors)
{
	unsigned long end = start + len, addr = start;
	int ret = 0;

	down_read(&mm->mmap_lock);
	while (addr < end) {
		struct vm_area_struct *v = find_vma(mm, addr);
		unsigned long vend;

		if (!v || v->vm_start >= end)
			break;
		addr = max(addr, v->vm_start);
		vend = min(end, v->vm_end);
		ret = populate_vma_page_range(v, addr, vend);
		if (ret) {
			if (!ignore_errors)
				break;
			ret = 0;
		}
		addr = vend;
	}
	up_read(&mm->mmap_lock);
	return ret;
}

/* Tear down every mapping and page table of a dying mm. */
void exit_mmap(struct mm_struct *mm)
{
	struct mmu_gather tlb;
	struct vm_area_struct *v;

	khugepaged_exit(mm);	/* before mmap_lock: a scan may hold it */
	mmap_write_lock(mm);
	tlb_gather_mmu(&tlb, mm, true);
	for (v = node_vma(range_tree_first(&mm->mm_mt)); v; v = vma_next(mm, v))
		unmap_page_range(&tlb, v, v->vm_start, v->vm_end,
				 &(struct zap_details){ .drop_markers = true });
	v = node_vma(range_tree_first(&mm->mm_mt));
	if (v) {
		unsigned long first = v->vm_start;

		while ((v = node_vma(range_tree_first(&mm->mm_mt)))) {
			vma_unlink(mm, v);
			vm_area_free(v);
		}
		free_pgtables(&tlb, mm, first, TASK_SIZE + PAGE_SIZE, 0, 0);
	}
	tlb_finish_mmu(&tlb);
	mmap_write_unlock(mm);
}
