/*
 * xarray.c - the radix tree behind the page cache; see xarray.h.
 *
 * A node at shift s holds 64 slots, slot i covering the indexes whose bits
 * s..s+5 are i; at shift 0 the slots are the entries, above it child nodes.
 * The head's shift says how many index bits the tree covers (s + 6); an
 * index above that range is not stored.  Growing adds a new head whose slot
 * 0 is the old one.  Each node counts its non-empty slots; a node whose
 * last entry is erased leaves its parent (or the head) and is freed after
 * an RCU grace period, as the kernel's xas_delete_node, so that a lookup
 * that was reading it finishes first.
 */
#include <errno.h>
#include <stdlib.h>
#include "compiler.h"
#include "rcu.h"
#include "xarray.h"

#define XA_CHUNK_SHIFT	6
#define XA_CHUNK_SIZE	(1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK	(XA_CHUNK_SIZE - 1)
#define XA_MAX_SHIFT	60	/* a head at 60 covers every index */

struct xa_node {
	unsigned int shift;
	unsigned int count;		/* non-empty slots; under the caller's lock */
	struct xa_node *parent;		/* NULL for the head */
	unsigned int offset;		/* the slot of the parent this node is in */
	struct rcu_head rcu;
	void *slots[XA_CHUNK_SIZE];	/* atomic */
};

/* The highest index a tree whose head is at @shift can hold. */
static inline unsigned long node_max(unsigned int shift)
{
	return shift + XA_CHUNK_SHIFT >= 64 ? ~0UL : (1UL << (shift + XA_CHUNK_SHIFT)) - 1;
}

static inline unsigned int slot_of(unsigned long index, unsigned int shift)
{
	return (index >> shift) & XA_CHUNK_MASK;
}

void *xa_load(struct xarray *xa, unsigned long index)
{
	struct xa_node *n;
	void *e = NULL;

	rcu_read_lock();
	n = smp_load_acquire(&xa->head);
	if (n && index <= node_max(n->shift)) {
		for (;;) {
			e = smp_load_acquire(&n->slots[slot_of(index, n->shift)]);
			if (!n->shift || !e)
				break;
			n = e;
		}
	}
	rcu_read_unlock();
	return e;
}

static struct xa_node *node_alloc(unsigned int shift, struct xa_node *parent,
				  unsigned int offset)
{
	struct xa_node *n = calloc(1, sizeof(*n));

	if (n) {
		n->shift = shift;
		n->parent = parent;
		n->offset = offset;
	}
	return n;
}

static void node_rcu_free(struct rcu_head *h)
{
	free(container_of(h, struct xa_node, rcu));
}

/* @n lost its last entry: unlink it, and each ancestor it leaves empty;
 * lookups still inside them finish before they are freed. */
static void xa_delete_node(struct xarray *xa, struct xa_node *n)
{
	while (n && !n->count) {
		struct xa_node *parent = n->parent;

		if (parent) {
			smp_store_release(&parent->slots[n->offset], NULL);
			parent->count--;
		} else {
			smp_store_release(&xa->head, NULL);
		}
		call_rcu(&n->rcu, node_rcu_free);
		n = parent;
	}
}

/* A taller head until @index is in range. */
static struct xa_node *xa_grow(struct xarray *xa, struct xa_node *n, unsigned long index)
{
	while (index > node_max(n->shift)) {
		struct xa_node *top = node_alloc(n->shift + XA_CHUNK_SHIFT, NULL, 0);

		if (!top)
			return NULL;
		top->slots[0] = n;
		top->count = 1;
		n->parent = top;
		n->offset = 0;
		smp_store_release(&xa->head, top);
		n = top;
	}
	return n;
}

int xa_store(struct xarray *xa, unsigned long index, void *entry)
{
	struct xa_node *n = xa->head;
	void **slot;
	void *old;

	if (!n) {
		unsigned int shift = 0;

		if (!entry)
			return 0;
		while (index > node_max(shift))
			shift += XA_CHUNK_SHIFT;
		if (!(n = node_alloc(shift, NULL, 0)))
			return -ENOMEM;
		smp_store_release(&xa->head, n);
	}
	if (index > node_max(n->shift)) {
		if (!entry)
			return 0;
		if (!(n = xa_grow(xa, n, index)))
			return -ENOMEM;
	}
	while (n->shift) {
		unsigned int off = slot_of(index, n->shift);
		struct xa_node *child = n->slots[off];

		if (!child) {
			if (!entry)
				return 0;
			if (!(child = node_alloc(n->shift - XA_CHUNK_SHIFT, n, off)))
				return -ENOMEM;
			smp_store_release(&n->slots[off], child);
			n->count++;
		}
		n = child;
	}
	slot = &n->slots[slot_of(index, 0)];
	old = *slot;
	smp_store_release(slot, entry);
	if (!old && entry)
		n->count++;
	else if (old && !entry && !--n->count)
		xa_delete_node(xa, n);
	return 0;
}

/* The first entry in [*index, max] below @n; *index advances past holes. */
static void *node_find(struct xa_node *n, unsigned long *index, unsigned long max)
{
	for (unsigned int i = slot_of(*index, n->shift); i < XA_CHUNK_SIZE; i++) {
		unsigned long span = n->shift + XA_CHUNK_SHIFT >= 64 ? 0 :
				     ~((1UL << (n->shift + XA_CHUNK_SHIFT)) - 1);
		unsigned long first = (*index & span) | ((unsigned long)i << n->shift);
		void *e = smp_load_acquire(&n->slots[i]);

		if (first > max)
			return NULL;
		if (first > *index)
			*index = first;
		if (e && !n->shift)
			return e;
		if (e && (e = node_find(e, index, max)))
			return e;
		/* nothing below slot i: on to the start of slot i + 1 */
		if (first + (1UL << n->shift) < first)
			return NULL;	/* the last slot of the whole index space */
		*index = first + (1UL << n->shift);
	}
	return NULL;
}

void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max)
{
	struct xa_node *n;
	void *e = NULL;

	rcu_read_lock();
	n = smp_load_acquire(&xa->head);
	if (n && *index <= max && *index <= node_max(n->shift))
		e = node_find(n, index, max);
	rcu_read_unlock();
	return e;
}

static void node_free(struct xa_node *n)
{
	if (n->shift)
		for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++)
			if (n->slots[i])
				node_free(n->slots[i]);
	free(n);
}

void xa_destroy(struct xarray *xa)
{
	if (xa->head)
		node_free(xa->head);
	xa->head = NULL;
}
