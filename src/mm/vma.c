/*
 * vma.c - virtual memory areas: lookup in the mm's VMA tree, split and merge
 * as the kernel does them, protection bits, and anon_vma lifetime.
 *
 * Everything here runs with mmap_lock held: for writing when the tree or a
 * VMA changes, for reading for lookups.
 *
 * Merge rule (is_mergeable_vma + is_mergeable_anon_vma): same flags (the
 * sticky ones, VM_SOFTDIRTY and VM_MAYBE_GUARD, aside: the merged VMA has
 * those of both), same file with contiguous pgoff, equal memory policies
 * (mpol_equal: mbind's VMA policy), and anon_vmas that are
 * equal, or where one side has none yet and the side that has one is not a
 * fork child (a VMA whose anon_vma chain also links an ancestor's anon_vma:
 * the kernel keeps such VMAs from growing, so that fewer pages share the
 * ancestor's root lock).  Which side counts depends on the operation: when
 * an existing VMA changes (mprotect, madvise) it is the VMA itself or the
 * neighbour; for a new range (mmap, the range mremap moves or grows) only
 * the neighbour, since a moved range's anon_vma chains leave its source.
 */
#include <stdlib.h>
#include "swap.h"

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	return node_vma(range_tree_find(&mm->mm_mt, addr));
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v = find_vma(mm, addr);

	return v && v->vm_start <= addr ? v : NULL;
}

struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *v)
{
	return node_vma(range_tree_next(&mm->mm_mt, &v->node));
}

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *v)
{
	return node_vma(range_tree_prev(&mm->mm_mt, &v->node));
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *v = calloc(1, sizeof(*v));

	if (v) {
		v->vm_mm = mm;
		INIT_LIST_HEAD(&v->anon_vma_chain);
		init_rwsem(&v->vm_lock);
	}
	return v;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *v)
{
	struct vm_area_struct *n = malloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *v;
	memset(&n->node, 0, sizeof(n->node));
	n->vm_start = v->vm_start;
	n->vm_end = v->vm_end;
	if (n->vm_file)
		get_file(n->vm_file);
	/* the anon_vma chains are the caller's: anon_vma_clone or _fork once
	 * the new VMA's range is final, so rmap never sees a wrong one */
	INIT_LIST_HEAD(&n->anon_vma_chain);
	init_rwsem(&n->vm_lock);
	return n;
}

void vm_area_free(struct vm_area_struct *v)
{
	unlink_anon_vmas(v);
	if (v->vm_file)
		fput(v->vm_file);
	free(v);
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *v)
{
	range_tree_insert(&mm->mm_mt, &v->node);
	atomic_add(&mm->total_vm, vma_pages(v));	/* read without the lock (status) */
	if (v->vm_file) {
		struct address_space *as = v->vm_file->mapping;

		/* __vma_link_file: a shared writable mapping counts against
		 * F_SEAL_WRITE (mapping_allow_writable) */
		if (vma_is_shared_maywrite(v))
			atomic_inc(&as->i_mmap_writable);
		down_write(&as->i_mmap_rwsem);
		list_add_tail(&v->shared, &as->i_mmap);
		up_write(&as->i_mmap_rwsem);
	}
}

static void vma_unlink_file(struct vm_area_struct *v)
{
	if (v->vm_file) {
		struct address_space *as = v->vm_file->mapping;

		down_write(&as->i_mmap_rwsem);
		list_del(&v->shared);
		up_write(&as->i_mmap_rwsem);
		if (vma_is_shared_maywrite(v))
			mapping_unmap_writable(as);
	}
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *v)
{
	range_tree_erase(&mm->mm_mt, &v->node);
	atomic_sub(&mm->total_vm, vma_pages(v));
	vma_unlink_file(v);
}

/* Change @v's range in place (tree position and, for a file VMA, under the
 * i_mmap lock so that rmap walkers see a consistent range). */
static void vma_set_range(struct mm_struct *mm, struct vm_area_struct *v,
			  unsigned long start, unsigned long end,
			  unsigned long pgoff)
{
	struct address_space *as = v->vm_file ? v->vm_file->mapping : NULL;
	struct anon_vma *av = v->anon_vma;

	range_tree_erase(&mm->mm_mt, &v->node);
	atomic_sub(&mm->total_vm, vma_pages(v));
	/* vma_prepare: rmap walkers read the range under these locks */
	if (as)
		down_write(&as->i_mmap_rwsem);
	if (av)
		down_write(&av->root->rwsem);
	v->vm_start = start;
	v->vm_end = end;
	v->vm_pgoff = pgoff;
	if (av)
		up_write(&av->root->rwsem);
	if (as)
		up_write(&as->i_mmap_rwsem);
	range_tree_insert(&mm->mm_mt, &v->node);
	atomic_add(&mm->total_vm, vma_pages(v));	/* read without the lock (status) */
}

/*
 * x86 protection bits for VM_READ/WRITE/EXEC/SHARED.  Private writable
 * mappings start read-only in the PTE: the first write is a write fault
 * (copy-on-write or making an exclusive anon page writable).
 */
pteval_t vm_get_page_prot(unsigned long vm_flags)
{
	pteval_t p;

	if (!(vm_flags & VM_ACCESS_FLAGS))
		return _PAGE_PROTNONE | _PAGE_ACCESSED | _PAGE_NX;
	p = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
	if ((vm_flags & VM_WRITE) && (vm_flags & VM_SHARED))
		p |= _PAGE_RW;
	if (!(vm_flags & VM_EXEC))
		p |= _PAGE_NX;
	return p;
}

/*
 * vma_set_page_prot(): vm_page_prot from the flags, write-protected where
 * writes must be noticed (vma_wants_writenotify): a shared writable VMA
 * whose soft-dirty state was cleared (no VM_SOFTDIRTY while the mechanism
 * is on) starts its PTEs read-only so that a write faults and sets the bit.
 */
void vma_set_page_prot(struct vm_area_struct *v)
{
	pteval_t prot = vm_get_page_prot(v->vm_flags);

	if ((v->vm_flags & VM_SHARED) && vma_soft_dirty_enabled(v))
		prot &= ~_PAGE_RW;
	v->vm_page_prot = prot;
}

/* Split @v at @addr; the new VMA is the lower part when @new_below. */
int split_vma(struct vm_area_struct *v, unsigned long addr, int new_below)
{
	struct mm_struct *mm = v->vm_mm;
	struct vm_area_struct *n;

	VM_BUG_ON(addr <= v->vm_start || addr >= v->vm_end);
	/* vma_adjust_trans_huge: no PMD mapping may straddle two VMAs */
	if (addr & ~PMD_MASK)
		split_huge_pmd_address(v, addr);
	n = vm_area_dup(v);
	if (!n)
		return -ENOMEM;
	if (new_below) {
		n->vm_end = addr;
	} else {
		n->vm_start = addr;
		n->vm_pgoff += (addr - v->vm_start) >> PAGE_SHIFT;
	}
	if (anon_vma_clone(n, v)) {
		vm_area_free(n);
		return -ENOMEM;
	}
	if (new_below)
		vma_set_range(mm, v, addr, v->vm_end,
			      v->vm_pgoff + ((addr - v->vm_start) >> PAGE_SHIFT));
	else
		vma_set_range(mm, v, v->vm_start, addr, v->vm_pgoff);
	vma_link(mm, n);
	return 0;
}

/* Split @v where needed so that [start, end), inside it, is a VMA of its
 * own; returns that VMA, or NULL (-ENOMEM). */
struct vm_area_struct *vma_split_range(struct vm_area_struct *v, unsigned long start,
				       unsigned long end)
{
	struct mm_struct *mm = v->vm_mm;

	if (start > v->vm_start) {
		if (split_vma(v, start, 0))
			return NULL;
		v = vma_lookup(mm, start);
	}
	if (end < v->vm_end) {
		if (split_vma(v, end, 1))
			return NULL;
		v = vma_lookup(mm, start);
	}
	return v;
}

/* Was this VMA forked from a parent and faulted since (or before)?  Its
 * chain links its own anon_vma and the ancestors'. */
static bool vma_is_fork_child(struct vm_area_struct *v)
{
	return v && v->anon_vma && !list_is_singular(&v->anon_vma_chain);
}

/* prev and next, when a range joins both, must agree with each other too */
static bool anon_vma_compatible(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/*
 * May the range of @v join its neighbour @tgt, as far as anon_vmas go?
 * @existing: @v is an existing VMA whose range or flags changed, so a fork
 * child @v may not hand its chains to an unfaulted @tgt; a new range
 * (@existing false) brings its anon_vma from elsewhere and only a fork
 * child @tgt refuses it.
 */
static bool is_mergeable_anon_vma(struct vm_area_struct *tgt, struct vm_area_struct *v,
				  bool existing)
{
	struct anon_vma *src_anon = v->anon_vma;

	if (!tgt->anon_vma && src_anon)		/* tgt will take v's chains */
		return !(existing && vma_is_fork_child(v));
	if (tgt->anon_vma && !src_anon)		/* v's range takes tgt's */
		return !vma_is_fork_child(tgt);
	return tgt->anon_vma == src_anon;
}

/* Can @a (below) and @b (above, adjacent) become one VMA?  @v is the one of
 * them whose range is being merged (see is_mergeable_anon_vma). */
static bool can_merge(struct vm_area_struct *a, struct vm_area_struct *b,
		      struct vm_area_struct *v, bool existing)
{
	if (!a || !b || a->vm_end != b->vm_start)
		return false;
	if (((a->vm_flags ^ b->vm_flags) & ~VM_IGNORE_MERGE) || a->vm_file != b->vm_file)
		return false;
	if (!mpol_equal(&a->vm_policy, &b->vm_policy))
		return false;
	if (a->vm_pgoff + vma_pages(a) != b->vm_pgoff)
		return false;
	return is_mergeable_anon_vma(v == a ? b : a, v, existing);
}

/* Merge @b into @a (a below b); frees b. */
static void merge_into(struct mm_struct *mm, struct vm_area_struct *a,
		       struct vm_area_struct *b)
{
	unsigned long end = b->vm_end;

	/* vma_merge: the sticky flags of either part stay set */
	a->vm_flags |= b->vm_flags & VM_STICKY;
	luf_vma_merge(a, b);
	if (!a->anon_vma && b->anon_vma) {
		/* dup_anon_vma: a takes over b's pages, so b's chains */
		unlink_anon_vmas(a);
		if (!anon_vma_clone(a, b))
			a->anon_vma = b->anon_vma;
	}
	/* a covers b's range before b leaves the rmap: a walker (migration
	 * putting its entries back) never finds neither */
	range_tree_erase(&mm->mm_mt, &b->node);
	atomic_sub(&mm->total_vm, vma_pages(b));
	vma_set_range(mm, a, a->vm_start, end, a->vm_pgoff);
	vma_unlink_file(b);
	vm_area_free(b);
}

static struct vm_area_struct *merge_neighbours(struct vm_area_struct *v, bool existing)
{
	struct mm_struct *mm = v->vm_mm;
	struct vm_area_struct *prev = vma_prev(mm, v), *next = vma_next(mm, v);
	bool merged = false;

	if (can_merge(v, next, v, existing) && (!can_merge(prev, v, v, existing) ||
	    anon_vma_compatible(prev, next))) {
		merge_into(mm, v, next);
		merged = true;
	}
	if (can_merge(prev, v, v, existing)) {
		merge_into(mm, prev, v);
		v = prev;
		merged = true;
	}
	/* vma_merge_existing_range / vma_merge_new_range: the grown VMA may
	 * now hold a PMD for khugepaged */
	if (merged)
		khugepaged_enter_vma(v, v->vm_flags);
	return v;
}

/*
 * After the flags of the existing VMA @v changed (mprotect, madvise), merge
 * it with its neighbours where the kernel would (vma_merge_existing_range).
 * Returns the VMA now covering v's range.
 */
struct vm_area_struct *vma_merge_neighbours(struct vm_area_struct *v)
{
	return merge_neighbours(v, true);
}

/*
 * @v was just linked for a new range (mmap; mremap's copy_vma, whose copy
 * carries the source's anon_vma chains): merge it where the kernel's
 * vma_merge_new_range would have placed the range in a neighbour instead.
 */
struct vm_area_struct *vma_merge_new_range(struct vm_area_struct *v)
{
	return merge_neighbours(v, false);
}

/*
 * Grow @v by @delta bytes at its end and merge the grown VMA with the next
 * one where they now touch (vma_merge_extend: a new range whose anon_vma is
 * @v's).  The caller checked that nothing is mapped there.
 */
struct vm_area_struct *vma_merge_extend(struct vm_area_struct *v, unsigned long delta)
{
	struct mm_struct *mm = v->vm_mm;
	struct vm_area_struct *next;

	vma_set_range(mm, v, v->vm_start, v->vm_end + delta, v->vm_pgoff);
	next = vma_next(mm, v);
	if (can_merge(v, next, v, false))
		merge_into(mm, v, next);
	khugepaged_enter_vma(v, v->vm_flags);
	return v;
}
