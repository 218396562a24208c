/*
 * range_tree.h - an ordered set of non-overlapping [start, end) ranges with
 * O(log n) expected lookup, insert and erase (a treap), plus a sorted
 * doubly linked list for neighbour walks.  The model's VMA tree: the kernel
 * keeps VMAs in a maple tree; what matters here is the same interface
 * (find the first range ending above an address, step to neighbours).
 * Callers serialise writers and readers themselves (mmap_lock).
 */
#ifndef MMLAB_LIB_RANGE_TREE_H
#define MMLAB_LIB_RANGE_TREE_H

#include <stdint.h>
#include "list.h"

struct range_node {
	struct range_node *left, *right;
	uint32_t prio;
	uint64_t start, end;
	struct list_head list;	/* in address order */
};

struct range_tree {
	struct range_node *root;
	struct list_head list;
	unsigned long count;
	uint32_t seed;
};

void range_tree_init(struct range_tree *t);
/* @n->start/end set; must not overlap an existing range. */
void range_tree_insert(struct range_tree *t, struct range_node *n);
void range_tree_erase(struct range_tree *t, struct range_node *n);
/* The lowest range with end > addr, or NULL. */
struct range_node *range_tree_find(struct range_tree *t, uint64_t addr);
struct range_node *range_tree_next(struct range_tree *t, struct range_node *n);
struct range_node *range_tree_prev(struct range_tree *t, struct range_node *n);
struct range_node *range_tree_first(struct range_tree *t);
/* Change a node's start/end without reordering (the caller keeps order). */
static inline void range_node_set(struct range_node *n, uint64_t s, uint64_t e)
{
	n->start = s;
	n->end = e;
}

#endif
