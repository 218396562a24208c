/*
 * xarray.h - a sparse array of pointers indexed by unsigned long (the
 * kernel's xarray, reduced to what the page cache needs): a radix tree of
 * 64-slot nodes that grows in height as larger indexes are stored.
 *
 * Concurrency: stores (xa_store, xa_destroy) are serialised by the caller's
 * lock; xa_load and xa_find may run without it, at any time, and take the
 * RCU read lock themselves (as the kernel's): a node is published with a
 * release store only once initialised, and a node emptied by a store is
 * unlinked and freed after a grace period (xa_destroy frees the rest, when
 * nobody can look any more).  Under the caller's lock xa_find returns the
 * first entry present; without it, an entry that was present at some
 * moment of its walk.  An entry a lockless lookup returns may be gone from
 * the tree by the time the caller looks at it (the kernel's callers take a
 * reference and look again; the model's frames outlive the lookup).
 *
 * Entries are opaque, NULL meaning "nothing"; the page cache stores folios
 * and odd "value" entries (swap entries) alike.
 */
#ifndef MMLAB_LIB_XARRAY_H
#define MMLAB_LIB_XARRAY_H

#include <stdbool.h>

struct xa_node;

struct xarray {
	struct xa_node *head;	/* atomic: NULL when nothing was ever stored */
};

static inline void xa_init(struct xarray *xa) { xa->head = NULL; }
/* The entry at @index, or NULL.  Lockless. */
void *xa_load(struct xarray *xa, unsigned long index);
/* Store @entry (NULL erases) at @index.  0, or -ENOMEM when a node could
 * not be allocated (only when @entry is not NULL). */
int xa_store(struct xarray *xa, unsigned long index, void *entry);
/* The first entry at an index in [*@index, @max], with *@index set to it;
 * NULL when there is none. */
void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max);
/* Free every node. */
void xa_destroy(struct xarray *xa);

#endif
