/*
 * mmap.c - creating and removing mappings: do_mmap with the kernel's
 * argument checks, the top-down unmapped-area search, munmap (split, zap,
 * free page tables), populate, and exit_mmap.
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
	if (v->vm_start < start && split_vma(v, start, 0))
		return -ENOMEM;
	w = find_vma(mm, end - 1);
	if (w && w->vm_start < end && w->vm_end > end && split_vma(w, end, 1))
		return -ENOMEM;
	first = find_vma(mm, start);
	prev = vma_prev(mm, first);
	floor = prev ? prev->vm_end : 0;

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
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
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
		a = mm_get_unmapped_area(mm, addr, len, !file && type == MAP_PRIVATE);
		if (!a)
			return -ENOMEM;
	}
	vm_flags = calc_vm_flags(prot, flags, file);
	/* overcommit heuristic (vm.overcommit_memory=0, as this host): one
	 * accounted mapping may not exceed RAM plus swap */
	if (((vm_flags & VM_ACCOUNT) || (!file && (vm_flags & VM_SHARED) &&
					 !(vm_flags & VM_NORESERVE))) &&
	    !vm_enough_memory(len >> PAGE_SHIFT))
		return -ENOMEM;
	if (READ_ONCE(knobs.soft_dirty))
		vm_flags |= VM_SOFTDIRTY;	/* a new VMA is all soft-dirty */
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
	if (file && vma_flags_shared_maywrite(vm_flags))
		mapping_unmap_writable(file->mapping);	/* the VMA counts now */
	/* __mmap_new_vma, or vma_merge_new_range for the VMA it grew */
	v = vma_merge_new_range(v);
	khugepaged_enter_vma(v, v->vm_flags);
	*out = a;
	return 0;
}

/* Fault in [start, start+len) as MAP_POPULATE / MADV_POPULATE do. */
/*
 * Fault in [addr, end) of @v as GUP's populate does: a page already mapped
 * as needed (a PTE, or a THP's PMD) costs nothing, the rest one fault
 * each.  mmap_lock held for reading.  0 or -ENOMEM / -EFAULT.
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
	}
	return 0;
}

int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end = start + len, addr = start;
	int ret = 0;

	down_read(&mm->mmap_lock);
	while (addr < end && !ret) {
		struct vm_area_struct *v = find_vma(mm, addr);
		unsigned int flags;

		if (!v || v->vm_start >= end)
			break;
		if (addr < v->vm_start)
			addr = v->vm_start;
		if (!(v->vm_flags & VM_ACCESS_FLAGS)) {
			addr = v->vm_end;
			continue;
		}
		flags = FAULT_FLAG_USER;
		if ((v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			flags |= FAULT_FLAG_WRITE;
		ret = populate_vma_range(v, addr, min(end, v->vm_end), flags);
		addr = v->vm_end;
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
