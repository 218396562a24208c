/*
 * range_tree.c - treap keyed by start; see range_tree.h.  Ranges do not
 * overlap, so ordering by start also orders by end, which lets
 * range_tree_find() search on end.
 */
#include "range_tree.h"

void range_tree_init(struct range_tree *t)
{
	t->root = NULL;
	INIT_LIST_HEAD(&t->list);
	t->count = 0;
	t->seed = 0x9e3779b9u;
}

static uint32_t next_prio(struct range_tree *t)
{
	uint32_t x = t->seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	t->seed = x;
	return x;
}

/* Split @n into ranges with start < key (*l) and start >= key (*r). */
static void split(struct range_node *n, uint64_t key, struct range_node **l,
		  struct range_node **r)
{
	if (!n) {
		*l = *r = NULL;
	} else if (n->start < key) {
		split(n->right, key, &n->right, r);
		*l = n;
	} else {
		split(n->left, key, l, &n->left);
		*r = n;
	}
}

static struct range_node *merge(struct range_node *l, struct range_node *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->prio > r->prio) {
		l->right = merge(l->right, r);
		return l;
	}
	r->left = merge(l, r->left);
	return r;
}

void range_tree_insert(struct range_tree *t, struct range_node *n)
{
	struct range_node *l, *r, *prev;

	n->left = n->right = NULL;
	n->prio = next_prio(t);
	split(t->root, n->start, &l, &r);
	t->root = merge(merge(l, n), r);
	t->count++;

	/* list position: after the predecessor by start */
	prev = NULL;
	for (struct range_node *c = t->root; c;) {
		if (c->start < n->start) {
			prev = c;
			c = c->right;
		} else {
			c = c->left;
		}
	}
	if (prev)
		list_add(&n->list, &prev->list);
	else
		list_add(&n->list, &t->list);
}

static struct range_node **find_link(struct range_tree *t, struct range_node *n)
{
	struct range_node **link = &t->root;

	while (*link && *link != n)
		link = n->start < (*link)->start ? &(*link)->left : &(*link)->right;
	return link;
}

void range_tree_erase(struct range_tree *t, struct range_node *n)
{
	struct range_node **link = find_link(t, n);

	if (*link != n)
		return;
	*link = merge(n->left, n->right);
	list_del(&n->list);
	t->count--;
	n->left = n->right = NULL;
}

struct range_node *range_tree_find(struct range_tree *t, uint64_t addr)
{
	struct range_node *c = t->root, *best = NULL;

	while (c) {
		if (c->end > addr) {
			best = c;
			c = c->left;
		} else {
			c = c->right;
		}
	}
	return best;
}

struct range_node *range_tree_next(struct range_tree *t, struct range_node *n)
{
	return n->list.next == &t->list ? NULL :
		list_entry(n->list.next, struct range_node, list);
}

struct range_node *range_tree_prev(struct range_tree *t, struct range_node *n)
{
	return n->list.prev == &t->list ? NULL :
		list_entry(n->list.prev, struct range_node, list);
}

struct range_node *range_tree_first(struct range_tree *t)
{
	return list_empty(&t->list) ? NULL :
		list_entry(t->list.next, struct range_node, list);
}
