/*
 * xarray.c - the radix tree behind the page cache; see xarray.h.
 *
 * A node at shift s holds 64 slots, slot i covering the indexes whose bits
 * s..s+5 are i; at shift 0 the slots are the entries, above it child nodes.
 * The head's shift says how many index bits the tree covers (s + 6); an
 * index above that range is not stored.  Growing adds a new head whose slot
 * 0 is the old one.
 */
#include <errno.h>
#include <stdlib.h>
#include "compiler.h"
#include "xarray.h"

#define XA_CHUNK_SHIFT	6
#define XA_CHUNK_SIZE	(1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK	(XA_CHUNK_SIZE - 1)
#define XA_MAX_SHIFT	60	/* a head at 60 covers every index */

struct xa_node {
	unsigned int shift;
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
	struct xa_node *n = smp_load_acquire(&xa->head);

	if (!n || index > node_max(n->shift))
		return NULL;
	for (;;) {
		void *e = smp_load_acquire(&n->slots[slot_of(index, n->shift)]);

		if (!n->shift || !e)
			return e;
		n = e;
	}
}

static struct xa_node *node_alloc(unsigned int shift)
{
	struct xa_node *n = calloc(1, sizeof(*n));

	if (n)
		n->shift = shift;
	return n;
}

int xa_store(struct xarray *xa, unsigned long index, void *entry)
{
	struct xa_node *n = xa->head;

	if (!n) {
		if (!entry)
			return 0;
		if (!(n = node_alloc(0)))
			return -ENOMEM;
		smp_store_release(&xa->head, n);
	}
	/* grow: a taller head until @index is in range */
	while (index > node_max(n->shift)) {
		struct xa_node *top;

		if (!entry)
			return 0;
		if (!(top = node_alloc(n->shift + XA_CHUNK_SHIFT)))
			return -ENOMEM;
		top->slots[0] = n;
		smp_store_release(&xa->head, top);
		n = top;
	}
	while (n->shift) {
		void **slot = &n->slots[slot_of(index, n->shift)];
		struct xa_node *child = *slot;

		if (!child) {
			if (!entry)
				return 0;
			if (!(child = node_alloc(n->shift - XA_CHUNK_SHIFT)))
				return -ENOMEM;
			smp_store_release(slot, child);
		}
		n = child;
	}
	smp_store_release(&n->slots[slot_of(index, 0)], entry);
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
	struct xa_node *n = smp_load_acquire(&xa->head);

	if (!n || *index > max || *index > node_max(n->shift))
		return NULL;
	return node_find(n, index, max);
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
