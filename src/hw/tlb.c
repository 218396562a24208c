/*
 * tlb.c - set-associative TLBs with LRU replacement; see tlb.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tlb.h"

static int array_init(struct tlb_array *a, unsigned int entries, unsigned int ways)
{
	if (!entries || !ways || entries % ways)
		return -EINVAL;
	a->sets = entries / ways;
	a->ways = ways;
	a->set_mask = (a->sets & (a->sets - 1)) == 0 ? a->sets - 1 : 0;
	/* whole cache lines: another CPU's arrays never share one */
	a->e = aligned_alloc(64, ((size_t)entries * sizeof(*a->e) + 63) & ~(size_t)63);
	if (!a->e)
		return -ENOMEM;
	memset(a->e, 0, (size_t)entries * sizeof(*a->e));
	return 0;
}

static void fast_clear(struct tlb *t);

int tlb_init(struct tlb *t, unsigned int l1_4k, unsigned int l1_4k_ways,
	     unsigned int l1_2m, unsigned int l1_2m_ways, unsigned int l2,
	     unsigned int l2_ways)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = array_init(&t->l1_4k, l1_4k, l1_4k_ways);
	if (!ret)
		ret = array_init(&t->l1_2m, l1_2m, l1_2m_ways);
	if (!ret)
		ret = array_init(&t->l2, l2, l2_ways);
	if (ret)
		tlb_free(t);
	else
		fast_clear(t);
	return ret;
}

void tlb_free(struct tlb *t)
{
	free(t->l1_4k.e);
	free(t->l1_2m.e);
	free(t->l2.e);
	memset(t, 0, sizeof(*t));
}

static inline void fast_forget(struct tlb *t, uint64_t vpn)
{
	struct tlb_fast *f = &t->fast[vpn & (TLB_FAST_SIZE - 1)];

	f->tag[0] = f->tag[1] = TLB_FAST_NONE;
}

static void fast_clear(struct tlb *t)
{
	for (unsigned int i = 0; i < TLB_FAST_SIZE; i++)
		t->fast[i].tag[0] = t->fast[i].tag[1] = TLB_FAST_NONE;
}

/* An L1 4 KiB slot is about to change: its fast line goes. */
static inline void fast_slot(struct tlb *t, struct tlb_array *a, const struct tlb_entry *e)
{
	if (a == &t->l1_4k && (e->flags & TLB_VALID))
		fast_forget(t, e->vpn);
}

static inline struct tlb_entry *set_of(struct tlb_array *a, uint64_t tag)
{
	unsigned int set = a->set_mask ? (tag & a->set_mask) : (unsigned int)(tag % a->sets);

	return a->e + (size_t)set * a->ways;
}

static inline struct tlb_entry *array_find(struct tlb_array *a, uint64_t vpn,
					   uint16_t asid, uint8_t huge)
{
	struct tlb_entry *s = set_of(a, vpn);

	for (unsigned int w = 0; w < a->ways; w++) {
		struct tlb_entry *e = &s[w];

		if ((e->flags & (TLB_VALID | TLB_HUGE)) == (TLB_VALID | huge) &&
		    e->vpn == vpn && e->asid == asid)
			return e;
	}
	return NULL;
}

static struct tlb_entry *array_victim(struct tlb_array *a, uint64_t vpn)
{
	struct tlb_entry *s = set_of(a, vpn), *v = &s[0];

	for (unsigned int w = 0; w < a->ways; w++) {
		if (!(s[w].flags & TLB_VALID))
			return &s[w];
		if ((int32_t)(s[w].stamp - v->stamp) < 0)
			v = &s[w];
	}
	return v;
}

static void array_put(struct tlb *t, struct tlb_array *a, const struct tlb_entry *src)
{
	struct tlb_entry *v = array_find(a, src->vpn, src->asid, src->flags & TLB_HUGE);

	if (!v)
		v = array_victim(a, src->vpn);
	fast_slot(t, a, v);
	*v = *src;
	v->stamp = ++t->clock;
}

/* Like array_put, for an entry known to be absent (just missed). */
static void array_put_new(struct tlb *t, struct tlb_array *a, const struct tlb_entry *src)
{
	struct tlb_entry *v = array_victim(a, src->vpn);

	fast_slot(t, a, v);
	*v = *src;
	v->stamp = ++t->clock;
}

struct tlb_entry *tlb_lookup(struct tlb *t, uint64_t va, uint16_t asid, bool *l2_hit)
{
	uint64_t vpn = va >> 12, hvpn = va >> 21;
	struct tlb_entry *e;

	*l2_hit = false;
	e = array_find(&t->l1_4k, vpn, asid, 0);
	if (!e && t->nr_huge)
		e = array_find(&t->l1_2m, hvpn, asid, TLB_HUGE);
	if (e) {
		e->stamp = ++t->clock;
		return e;
	}
	e = array_find(&t->l2, vpn, asid, 0);
	if (!e && t->nr_huge)
		e = array_find(&t->l2, hvpn, asid, TLB_HUGE);
	if (!e)
		return NULL;
	e->stamp = ++t->clock;
	*l2_hit = true;
	{
		struct tlb_array *l1 = (e->flags & TLB_HUGE) ? &t->l1_2m : &t->l1_4k;
		struct tlb_entry copy = *e;

		array_put(t, l1, &copy);
		return array_find(l1, copy.vpn, asid, copy.flags & TLB_HUGE);
	}
}

struct tlb_entry *tlb_find_l1(struct tlb *t, uint64_t va, uint16_t asid)
{
	return array_find(&t->l1_4k, va >> 12, asid, 0);
}

void tlb_fast_note(struct tlb *t, uint64_t va, uint16_t asid, uint64_t cost)
{
	struct tlb_entry *e = array_find(&t->l1_4k, va >> 12, asid, 0);
	struct tlb_fast *f = &t->fast[(va >> 12) & (TLB_FAST_SIZE - 1)];

	if (asid != t->fast_asid) {
		fast_clear(t);
		t->fast_asid = asid;
	}
	if (!e)
		return;
	f->e = e;
	f->cost = cost;
	f->tag[0] = e->vpn;
	f->tag[1] = (e->flags & TLB_DIRTY) ? e->vpn : TLB_FAST_NONE;
}

void tlb_insert(struct tlb *t, uint64_t va, uint16_t asid, uint64_t pfn,
		uint32_t gen, uint8_t flags, uint8_t fill)
{
	struct tlb_entry e = {
		.vpn = (flags & TLB_HUGE) ? va >> 21 : va >> 12,
		.pfn = pfn, .gen = gen, .asid = asid,
		.flags = flags | TLB_VALID, .fill = fill,
		.fill_seq = ++t->fill_seq,
	};

	/* only called after a miss (or after dropping the entry): absent */
	array_put_new(t, (flags & TLB_HUGE) ? &t->l1_2m : &t->l1_4k, &e);
	array_put_new(t, &t->l2, &e);
	if (flags & TLB_HUGE)
		t->nr_huge++;	/* an upper bound: reset by full flushes */
}

static void array_drop(struct tlb *t, struct tlb_array *a, uint64_t vpn, uint16_t asid,
		       uint8_t huge)
{
	struct tlb_entry *e = array_find(a, vpn, asid, huge);

	if (e) {
		fast_slot(t, a, e);
		e->flags = 0;
	}
}

void tlb_invalidate_entry(struct tlb *t, struct tlb_entry *e)
{
	uint64_t vpn = e->vpn;
	uint16_t asid = e->asid;
	uint8_t huge = e->flags & TLB_HUGE;

	array_drop(t, huge ? &t->l1_2m : &t->l1_4k, vpn, asid, huge);
	array_drop(t, &t->l2, vpn, asid, huge);
}

void tlb_flush_one(struct tlb *t, uint16_t asid, uint64_t va)
{
	array_drop(t, &t->l1_4k, va >> 12, asid, 0);
	array_drop(t, &t->l2, va >> 12, asid, 0);
	array_drop(t, &t->l1_2m, va >> 21, asid, TLB_HUGE);
	array_drop(t, &t->l2, va >> 21, asid, TLB_HUGE);
}

static void array_flush(struct tlb_array *a, int asid)
{
	size_t n = (size_t)a->sets * a->ways;

	for (size_t i = 0; i < n; i++)
		if (asid < 0 || a->e[i].asid == asid)
			a->e[i].flags = 0;
}

void tlb_flush_asid(struct tlb *t, uint16_t asid)
{
	fast_clear(t);
	array_flush(&t->l1_4k, asid);
	array_flush(&t->l1_2m, asid);
	array_flush(&t->l2, asid);
}

void tlb_flush_all(struct tlb *t)
{
	t->nr_huge = 0;
	fast_clear(t);
	array_flush(&t->l1_4k, -1);
	array_flush(&t->l1_2m, -1);
	array_flush(&t->l2, -1);
}

unsigned int tlb_count(struct tlb *t)
{
	struct tlb_array *arr[] = { &t->l1_4k, &t->l1_2m, &t->l2 };
	unsigned int n = 0;

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < (size_t)arr[k]->sets * arr[k]->ways; i++)
			n += !!(arr[k]->e[i].flags & TLB_VALID);
	return n;
}
