/*
 * mempolicy.c - NUMA memory policies of VMAs and tasks: mbind(2),
 * set_mempolicy(2), get_mempolicy(2), and the allocation of anonymous
 * folios by the policy of the VMA they are for or of the task that
 * faults (vma_alloc_folio).
 *
 * A VMA's policy is held by value in the VMA (vm_policy; MPOL_DEFAULT:
 * none), so splitting a VMA, mremap's copy and fork's copy carry it as the
 * kernel's mpol_dup does; VMAs merge only when their policies are equal
 * (mpol_equal, in vma.c's merge rule).  A task's own policy
 * (set_mempolicy, struct mmlab_task's mempolicy) places what a VMA
 * without one allocates (get_vma_policy: the VMA's, else the current
 * task's); fork copies it to the child, a new thread inherits its
 * creator's (the model creates threads from the main task: its policy).
 * MPOL_DEFAULT (no policy anywhere) allocates as MPOL_LOCAL does, on the
 * local node, which is node 0 for every CPU of the model.
 *
 * Placement: MPOL_BIND allocates only from its nodes (a nodemask for the
 * page allocator, from the local node onwards); MPOL_PREFERRED from its
 * node first, then any; MPOL_PREFERRED_MANY from its nodes without direct
 * reclaim, then any; MPOL_INTERLEAVE by the page's index in the mapping
 * (vm_pgoff plus its offset, in units of the folio) across its nodes;
 * MPOL_WEIGHTED_INTERLEAVE as MPOL_INTERLEAVE (every node weighs 1, the
 * kernel's default without bandwidth information).  The anonymous fault,
 * the CoW copy, the THP and mTHP faults and swap-in use it; shmem's placement
 * ignores it (the kernel keeps a shmem mapping's policy in the inode's
 * shared policy, which the model has not: mbind on a shmem VMA answers as
 * the kernel's does and sets the VMA's policy, but shmem pages go where
 * the default policy puts them), and so does khugepaged.
 * MPOL_F_NUMA_BALANCING is checked and kept (get_mempolicy reports it),
 * but the NUMA-hinting faults of numa_balancing.c do not read policies.
 *
 * mbind's MPOL_MF_MOVE migrates through migrate_pages (migrate.c), one
 * list per target node; a THP mapped by one PMD moves whole
 * (migrate_huge.c), any other large folio is split first, as move_pages
 * does.  The target of a folio is where
 * the new policy would allocate it (migration allocates on that node only).
 *
 * Locks: a task's policy is written by itself under its process's lock
 * (copies are taken under it); the task reads its own without it.
 * do_mbind holds mmap_write_lock while it checks the range, queues
 * the folios to move (each isolated from the LRU) and changes the VMAs;
 * the queued folios migrate after it is dropped, as the kernel's do.
 * do_get_mempolicy holds mmap_lock for reading.
 */
#include "swap.h"
#include "gup.h"

#define BITS_PER_LONG	64

/* ---- node masks: a bit per node of the machine ---- */

static unsigned long online_nodes(void)
{
	return phys.nr_nodes >= BITS_PER_LONG ? ~0UL : (1UL << phys.nr_nodes) - 1;
}

static int first_node(unsigned long mask)
{
	return mask ? __builtin_ctzl(mask) : -1;
}

static unsigned int nodes_weight(unsigned long mask)
{
	return (unsigned int)__builtin_popcountl(mask);
}

/* The @n-th (from 0) node set in @mask. */
static int nth_node(unsigned long mask, unsigned int n)
{
	while (n--)
		mask &= mask - 1;
	return first_node(mask);
}

/* The user's node mask: the kernel's MAX_NUMNODES bits. */
#define USER_WORDS	(MPOL_MAX_NUMNODES / BITS_PER_LONG)

static bool user_nodes_empty(const unsigned long *nodes)
{
	for (unsigned int w = 0; w < USER_WORDS; w++)
		if (nodes[w])
			return false;
	return true;
}

/* MPOL_F_RELATIVE_NODES: node i of the user's mask means the (i mod
 * weight)-th node of @rel (nodes_fold, then nodes_onto). */
static unsigned long relative_nodemask(const unsigned long *orig, unsigned long rel)
{
	unsigned int w = nodes_weight(rel);
	unsigned long out = 0;

	if (!w)
		return 0;
	for (unsigned int i = 0; i < MPOL_MAX_NUMNODES; i++)
		if (orig[i / BITS_PER_LONG] >> (i % BITS_PER_LONG) & 1)
			out |= 1UL << nth_node(rel, i % w);
	return out;
}

/* ---- policies ---- */

bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b)
{
	if (a->mode != b->mode || a->flags != b->flags)
		return false;
	if ((a->flags & MPOL_MODE_FLAGS) && a->user_nodemask != b->user_nodemask)
		return false;
	return a->mode == MPOL_DEFAULT || a->mode == MPOL_LOCAL || a->nodes == b->nodes;
}

/*
 * mpol_new: the checks of the mode against the nodes given.  MPOL_DEFAULT
 * takes none; MPOL_PREFERRED without nodes is MPOL_LOCAL (not with
 * STATIC/RELATIVE_NODES); MPOL_LOCAL takes none; the others need some.
 */
static int mpol_new(struct mempolicy *pol, unsigned short mode, unsigned short flags,
		    const unsigned long *user_nodes)
{
	bool nodes = !user_nodes_empty(user_nodes);

	memset(pol, 0, sizeof(*pol));
	if (mode == MPOL_DEFAULT)
		return nodes ? -EINVAL : 0;
	if (mode == MPOL_PREFERRED) {
		if (!nodes) {
			if (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
				return -EINVAL;
			mode = MPOL_LOCAL;
		}
	} else if (mode == MPOL_LOCAL) {
		if (nodes || (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return -EINVAL;
	} else if (!nodes) {
		return -EINVAL;
	}
	pol->mode = mode;
	pol->flags = flags;
	return 0;
}

/* mpol_set_nodemask: the nodes given, cut to the machine's (or folded onto
 * them, MPOL_F_RELATIVE_NODES); none left is -EINVAL.  MPOL_PREFERRED
 * keeps the first.  With a mode flag the nodes as given are kept too
 * (their first 64: get_mempolicy returns those). */
static int mpol_set_nodemask(struct mempolicy *pol, const unsigned long *nodes)
{
	unsigned long online = online_nodes(), mask;

	if (pol->mode == MPOL_DEFAULT || pol->mode == MPOL_LOCAL)
		return 0;
	if (pol->flags & MPOL_F_RELATIVE_NODES)
		mask = relative_nodemask(nodes, online);
	else
		mask = nodes[0] & online;
	if (pol->flags & MPOL_MODE_FLAGS)	/* mpol_store_user_nodemask */
		pol->user_nodemask = nodes[0];
	if (!mask)
		return -EINVAL;
	pol->nodes = pol->mode == MPOL_PREFERRED ? 1UL << first_node(mask) : mask;
	return 0;
}

/* sanitize_mpol_flags: split the mode flags off @mode (an int, as the
 * kernel's: the upper half of mbind's mode argument is not read). */
static int sanitize_mpol_flags(int *mode, unsigned short *flags)
{
	*flags = (unsigned short)(*mode & MPOL_MODE_FLAGS);
	*mode &= ~MPOL_MODE_FLAGS;
	if ((unsigned int)*mode >= MPOL_MAX)
		return -EINVAL;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if (*flags & MPOL_F_NUMA_BALANCING) {
		if (*mode != MPOL_BIND && *mode != MPOL_PREFERRED_MANY)
			return -EINVAL;
		*flags |= MPOL_F_MOF | MPOL_F_MORON;
	}
	return 0;
}

/*
 * get_nodes: the user's mask of @maxnode - 1 bits into @nodes (USER_WORDS
 * words).  None (maxnode 0 or 1, or no mask) is the empty mask; more than
 * a page of bits is -EINVAL, and so is a bit set at or above the kernel's
 * MAX_NUMNODES.  Bits of nodes the machine has not are kept here
 * (mpol_set_nodemask drops them).
 */
static int get_nodes(unsigned long *nodes, const unsigned long *nmask, unsigned long maxnode)
{
	memset(nodes, 0, USER_WORDS * sizeof(*nodes));
	if (maxnode)
		maxnode--;
	if (!maxnode || !nmask)
		return 0;
	if (maxnode > PAGE_SIZE * 8)
		return -EINVAL;
	for (unsigned long bit = MPOL_MAX_NUMNODES; bit < maxnode; bit++)
		if (nmask[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG) & 1)
			return -EINVAL;
	for (unsigned long bit = 0; bit < maxnode && bit < MPOL_MAX_NUMNODES; bit++)
		if (nmask[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG) & 1)
			nodes[bit / BITS_PER_LONG] |= 1UL << (bit % BITS_PER_LONG);
	return 0;
}

/* The mode argument of mbind and set_mempolicy split into @lmode and its
 * mode flags, and the user's node mask read: sanitize_mpol_flags, then
 * get_nodes. */
static int user_mode_nodes(unsigned long mode, const unsigned long *nmask,
			   unsigned long maxnode, int *lmode, unsigned short *mode_flags,
			   unsigned long *nodes)
{
	int err;

	*lmode = (int)mode;
	err = sanitize_mpol_flags(lmode, mode_flags);
	return err ? err : get_nodes(nodes, nmask, maxnode);
}

/* ---- allocation by policy ---- */

static int interleave_nid(const struct mempolicy *pol, unsigned long ilx)
{
	return nth_node(pol->nodes, (unsigned int)(ilx % nodes_weight(pol->nodes)));
}

/* alloc_pages_mpol: where @pol puts a folio of @order with interleave
 * index @ilx, the local node being node 0. */
static struct page *alloc_pages_mpol(unsigned int gfp, unsigned int order,
				     const struct mempolicy *pol, unsigned long ilx)
{
	struct page *p;

	switch (pol->mode) {
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		return __alloc_pages(interleave_nid(pol, ilx), order, gfp, NULL);
	case MPOL_PREFERRED:
		return __alloc_pages(first_node(pol->nodes), order, gfp, NULL);
	case MPOL_BIND:
		return __alloc_pages(0, order, gfp, &pol->nodes);
	case MPOL_PREFERRED_MANY:
		p = __alloc_pages(0, order, gfp | GFP_NORECLAIM, &pol->nodes);
		return p ? p : __alloc_pages(0, order, gfp, NULL);
	default:
		return __alloc_pages(0, order, gfp, NULL);
	}
}

/* The node @pol would allocate a folio of interleave index @ilx on first. */
static int mpol_target_node(const struct mempolicy *pol, unsigned long ilx)
{
	switch (pol->mode) {
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		return interleave_nid(pol, ilx);
	case MPOL_PREFERRED:
		return first_node(pol->nodes);
	case MPOL_BIND:
	case MPOL_PREFERRED_MANY:
		return (pol->nodes & 1) ? 0 : first_node(pol->nodes);
	default:
		return 0;
	}
}

/* The interleave index of @addr in @v for a folio of @order. */
static unsigned long vma_ilx(const struct vm_area_struct *v, unsigned long addr,
			     unsigned int order)
{
	return (v->vm_pgoff >> order) + ((addr - v->vm_start) >> (PAGE_SHIFT + order));
}

/* get_vma_policy: the VMA's policy, else the current task's (none for a
 * kernel thread: MPOL_DEFAULT). */
static const struct mempolicy *get_vma_policy(const struct vm_area_struct *v)
{
	if (v && v->vm_policy.mode != MPOL_DEFAULT)
		return &v->vm_policy;
	if (current_task)
		return &current_task->mempolicy;
	return NULL;
}

/*
 * vma_alloc_folio: a folio of @order for @addr in @v, placed by the VMA's
 * policy or the task's (the local node for none); an interleave index
 * comes from @addr's place in @v either way.  Not made compound: the
 * caller does.
 */
struct page *vma_alloc_folio(struct vm_area_struct *v, unsigned long addr,
			     unsigned int order, unsigned int gfp)
{
	const struct mempolicy *pol = get_vma_policy(v);

	if (!v || !pol || pol->mode == MPOL_DEFAULT || pol->mode == MPOL_LOCAL)
		return alloc_pages_node(-1, order, gfp);
	return alloc_pages_mpol(gfp, order, pol, vma_ilx(v, addr, order));
}

/* ---- mbind ---- */

#define MPOL_MF_DISCONTIG_OK	(1U << 16)	/* internal: holes allowed */

/* strictly_unmovable: MPOL_MF_STRICT without a MOVE flag fails at the
 * first misplaced folio. */
static bool strictly_unmovable(unsigned int flags)
{
	return (flags & MPOL_MF_VALID) == MPOL_MF_STRICT;
}

/* check_range: every byte of [start, end) in a VMA, unless @flags allow
 * holes; a range without any VMA is -EFAULT either way. */
static int check_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		       unsigned int flags)
{
	struct vm_area_struct *v = find_vma(mm, start);

	if (!v || v->vm_start >= end)
		return -EFAULT;
	if (flags & MPOL_MF_DISCONTIG_OK)
		return 0;
	if (v->vm_start > start)
		return -EFAULT;
	for (; v && v->vm_end < end; v = vma_next(mm, v)) {
		struct vm_area_struct *next = vma_next(mm, v);

		if (!next || next->vm_start != v->vm_end)
			return -EFAULT;
	}
	return 0;
}

struct queue_pages {
	unsigned int flags;
	unsigned long nmask;		/* the user's nodes: misplaced outside */
	const struct mempolicy *pol;	/* the new one: where a folio goes */
	struct list_head lists[MAX_NUMNODES];	/* by target node */
	long nr_failed;
};

/*
 * queue_folio: the page at @addr of @v (a reference held on it).  Not on
 * a node of the user's mask (MPOL_MF_INVERT against it: with none, every
 * folio) it is misplaced: with a MOVE flag it is isolated onto its
 * target's list (a THP mapped by one PMD whole, another large folio split
 * first), unless other processes map it too
 * and MPOL_MF_MOVE_ALL is not given (not a failure); what cannot be
 * isolated, or is misplaced without a MOVE flag, counts as failed.
 * True when the whole THP at @addr's PMD was taken (or tried) at once.
 */
static bool queue_folio(struct queue_pages *qp, struct mm_struct *mm,
			struct vm_area_struct *v, unsigned long addr, struct page *pg)
{
	struct page *folio = compound_head(pg);
	bool whole = false;

	if (qp->nmask >> page_to_nid(folio) & 1)
		goto out;
	if (!(qp->flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))) {
		qp->nr_failed++;
		goto out;
	}
	if (!(qp->flags & MPOL_MF_MOVE_ALL) && folio_maybe_mapped_shared(folio))
		goto out;
	if (folio_test_large(folio)) {
		if (folio_migrate_whole(folio)) {
			pg = folio;	/* moved whole (migrate_huge.c) */
			addr &= PMD_MASK;
			whole = true;
		} else if (!(pg = split_for_move(mm, addr, pg))) {
			qp->nr_failed++;
			return false;
		}
	}
	if (!folio_isolate_lru(pg)) {
		qp->nr_failed++;
		goto out;
	}
	list_add_tail(&pg->lru, &qp->lists[mpol_target_node(qp->pol, vma_ilx(v, addr, 0))]);
out:
	put_page(pg);
	return whole;
}

/* queue_pages_range: the folios of [start, end) to move (or, strictly
 * unmovable, -EIO at the first misplaced one). */
static int queue_pages_range(struct queue_pages *qp, struct mm_struct *mm,
			     unsigned long start, unsigned long end)
{
	for (struct vm_area_struct *v = find_vma(mm, start); v && v->vm_start < end;
	     v = vma_next(mm, v)) {
		unsigned long addr = max(start, v->vm_start), stop = min(end, v->vm_end);

		while (addr < stop) {
			pteval_t *pmd = mm_find_pmd(mm, addr);
			struct page *pg;

			if (!pmd || pte_none(pte_read(pmd))) {
				addr = min(stop, (addr & PMD_MASK) + PMD_SIZE);
				continue;
			}
			pg = mm_follow_page(mm, addr);
			addr += PAGE_SIZE;
			if (!pg)
				continue;
			if (queue_folio(qp, mm, v, addr - PAGE_SIZE, pg))
				addr = min(stop, ((addr - PAGE_SIZE) & PMD_MASK) + PMD_SIZE);
			if (qp->nr_failed && strictly_unmovable(qp->flags))
				return -EIO;
		}
	}
	return 0;
}

/* mbind_range: @pol on [start, end), VMA by VMA: split at the ends, set,
 * merge with equal neighbours (vma_modify_policy). */
static int mbind_range(struct mm_struct *mm, unsigned long start, unsigned long end,
		       const struct mempolicy *pol)
{
	struct vm_area_struct *v = find_vma(mm, start);

	while (v && v->vm_start < end) {
		unsigned long next_start = v->vm_end;

		if (!mpol_equal(&v->vm_policy, pol)) {
			v = vma_split_range(v, max(start, v->vm_start), min(end, v->vm_end));
			if (!v)
				return -ENOMEM;
			next_start = v->vm_end;
			v->vm_policy = *pol;
			v = vma_merge_neighbours(v);
		}
		v = find_vma(mm, next_start);
	}
	return 0;
}

/* migrate the queued folios, each list to its node; returns the number
 * of pages that did not move */
static long migrate_queued(struct queue_pages *qp)
{
	long failed = 0;

	for (unsigned int n = 0; n < MAX_NUMNODES; n++) {
		long queued = 0;
		struct page *f;

		list_for_each_entry(f, &qp->lists[n], lru)
			queued += (long)folio_nr_pages(f);
		if (queued)
			failed += queued - (long)migrate_pages(&qp->lists[n], (int)n);
	}
	return failed;
}

/* put back what was queued (mbind failed before moving anything) */
static void putback_queued(struct queue_pages *qp)
{
	for (unsigned int n = 0; n < MAX_NUMNODES; n++)
		while (!list_empty(&qp->lists[n])) {
			struct page *f = list_first_entry(&qp->lists[n], struct page, lru);

			list_del(&f->lru);
			folio_putback_lru(f);
		}
}

/*
 * do_mbind: the checks in the kernel's order (flags, alignment, length,
 * mode against nodes, the machine's nodes, holes), the folios to move
 * queued, the policy set on the range's VMAs, then the move.  Misplaced
 * folios left behind with MPOL_MF_STRICT: -EIO.  MPOL_MF_MOVE_ALL needs
 * CAP_SYS_NICE, which the model's processes (root) have.
 */
static long do_mbind_checked(struct mm_struct *mm, unsigned long start, unsigned long len,
			     unsigned short mode, unsigned short mode_flags,
			     const unsigned long *nodes, unsigned int flags)
{
	struct queue_pages qp = { .nmask = nodes[0] };
	struct mempolicy new;
	unsigned long end;
	long err;

	if (flags & ~MPOL_MF_VALID)
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (mode == MPOL_DEFAULT)
		flags &= ~MPOL_MF_STRICT;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	err = mpol_new(&new, mode, mode_flags, nodes);
	if (err)
		return err;
	if (new.mode == MPOL_DEFAULT)
		flags |= MPOL_MF_DISCONTIG_OK;
	qp.flags = flags;
	qp.pol = &new;
	for (unsigned int n = 0; n < MAX_NUMNODES; n++)
		INIT_LIST_HEAD(&qp.lists[n]);
	if (flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		lru_add_drain_all();
	mmap_write_lock(mm);
	err = mpol_set_nodemask(&new, nodes);
	if (!err)
		err = check_range(mm, start, end, flags);
	if (!err && (flags & MPOL_MF_VALID))
		err = queue_pages_range(&qp, mm, start, end);
	if (!err)
		err = mbind_range(mm, start, end, &new);
	mmap_write_unlock(mm);
	if (err) {
		putback_queued(&qp);
		return err;
	}
	qp.nr_failed += migrate_queued(&qp);
	if (qp.nr_failed && (flags & MPOL_MF_STRICT))
		return -EIO;
	return 0;
}

/* mbind(2): @mode with its mode flags, the node mask of @maxnode bits. */
long do_mbind(struct mm_struct *mm, unsigned long start, unsigned long len,
	      unsigned long mode, const unsigned long *nmask, unsigned long maxnode,
	      unsigned int flags)
{
	unsigned short mode_flags;
	unsigned long nodes[USER_WORDS];
	int lmode;
	int err = user_mode_nodes(mode, nmask, maxnode, &lmode, &mode_flags, nodes);

	if (err)
		return err;
	return do_mbind_checked(mm, start, len, (unsigned short)lmode, mode_flags, nodes, flags);
}

/*
 * set_mempolicy(2): the calling task's policy, checked as mbind's (mode,
 * mode flags, nodes; MPOL_DEFAULT with nodes is -EINVAL) and cut to the
 * machine's nodes; MPOL_DEFAULT removes it.  An interleave policy starts
 * its round at its first node (il_prev).
 */
long do_set_mempolicy(struct mmlab_task *t, unsigned long mode, const unsigned long *nmask,
		      unsigned long maxnode)
{
	unsigned short mode_flags;
	unsigned long nodes[USER_WORDS];
	struct mempolicy new;
	int lmode;
	int err = user_mode_nodes(mode, nmask, maxnode, &lmode, &mode_flags, nodes);

	if (err)
		return err;
	err = mpol_new(&new, (unsigned short)lmode, mode_flags, nodes);
	if (!err)
		err = mpol_set_nodemask(&new, nodes);
	if (err)
		return err;
	spin_lock(&t->proc->lock);
	t->mempolicy = new;
	spin_unlock(&t->proc->lock);
	return 0;
}

/* The policy's nodes as get_mempolicy reports them: as given with a mode
 * flag, none for the local policy. */
static unsigned long reported_nodes(const struct mempolicy *pol)
{
	if (pol->flags & MPOL_MODE_FLAGS)
		return pol->user_nodemask;
	return pol->mode == MPOL_LOCAL ? 0 : pol->nodes;
}

/* get_mempolicy(MPOL_F_ADDR | MPOL_F_NODE): the node of the page at
 * @addr, faulted in for reading if absent, as the kernel's lookup does
 * through GUP. */
static long addr_node(struct mm_struct *mm, unsigned long addr, int *node)
{
	struct page *pg;
	long got = get_user_pages_fast_flags(mm, addr & PAGE_MASK, 1, FOLL_GET, &pg);

	if (got <= 0)
		return got < 0 ? got : -EFAULT;
	*node = page_to_nid(pg);
	put_page(pg);
	return 0;
}

/*
 * get_mempolicy(2): MPOL_F_ADDR gives the policy of the VMA at @addr
 * (MPOL_DEFAULT for none) and its nodes; MPOL_F_ADDR | MPOL_F_NODE the
 * node of the page there.  Without MPOL_F_ADDR (@addr must be 0) the
 * task @t's policy; MPOL_F_NODE then the node its interleave round takes
 * next, -EINVAL for a task policy that does not interleave.  The model's
 * allocations without a VMA (page cache, shmem) do not read the task
 * policy, so the round stays at its first node.  MPOL_F_MEMS_ALLOWED
 * (alone) gives the machine's nodes.  @nmask (one word, may be NULL) gets
 * the nodes.
 */
long do_get_mempolicy(struct mmlab_task *t, int *policy, unsigned long *nmask,
		      unsigned long addr, unsigned long flags)
{
	struct mm_struct *mm = t->proc->mm;
	struct mempolicy pol = t->mempolicy;
	struct vm_area_struct *v;

	if (flags & ~(unsigned long)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		*policy = 0;
		if (nmask)
			*nmask = online_nodes();
		return 0;
	}
	if (flags & MPOL_F_ADDR) {
		down_read(&mm->mmap_lock);
		v = vma_lookup(mm, addr);
		if (v)
			pol = v->vm_policy;
		up_read(&mm->mmap_lock);
		if (!v)
			return -EFAULT;
	} else if (addr) {
		return -EINVAL;
	}
	if ((flags & MPOL_F_NODE) && (flags & MPOL_F_ADDR)) {
		long err = addr_node(mm, addr, policy);

		if (err)
			return err;
	} else if (flags & MPOL_F_NODE) {
		if (pol.mode != MPOL_INTERLEAVE && pol.mode != MPOL_WEIGHTED_INTERLEAVE)
			return -EINVAL;
		*policy = first_node(pol.nodes);	/* next_node_in(il_prev) */
	} else {
		*policy = pol.mode | (pol.flags & MPOL_MODE_FLAGS);
	}
	if (nmask)
		*nmask = reported_nodes(&pol);
	return 0;
}
