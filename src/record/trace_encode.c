/*
 * trace_encode.c - building a record stream (trace_format.h) in memory:
 * synthetic traces for tests and for `mmlab bench replay`.  The recorder's
 * valgrind tool encodes the same records with the same varints
 * (trace_varint.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/bug.h"
#include "record/trace.h"
#include "record/trace_varint.h"

static unsigned char *reserve(struct mmt_enc *e, size_t n)
{
	if (e->len + n > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4096;

		while (cap < e->len + n)
			cap *= 2;
		e->buf = realloc(e->buf, cap);
		BUG_ON(!e->buf);
		e->cap = cap;
	}
	return e->buf + e->len;
}

static void commit(struct mmt_enc *e, unsigned char *end)
{
	e->len = (size_t)(end - e->buf);
}

void mmt_enc_access(struct mmt_enc *e, uint64_t addr, uint32_t size, bool write)
{
	unsigned char *p = reserve(e, 1 + 2 * MMT_VARINT_MAX);
	unsigned int code = MMT_SIZE_EXPLICIT;

	for (unsigned int c = 0; c < MMT_SIZE_EXPLICIT; c++)
		if (size == 1u << c)
			code = c;
	*p++ = (unsigned char)((code << MMT_SIZE_SHIFT) | (write ? MMT_ACCESS_WRITE : 0));
	if (code == MMT_SIZE_EXPLICIT)
		p = mmt_put_u(p, size);
	p = mmt_put_s(p, (long long)(addr - e->last_addr));
	e->last_addr = addr;
	e->accesses++;
	commit(e, p);
}

static void enc_tag_u(struct mmt_enc *e, int tag, unsigned int n, const uint64_t *v)
{
	unsigned char *p = reserve(e, 1 + n * MMT_VARINT_MAX);

	*p++ = (unsigned char)tag;
	for (unsigned int i = 0; i < n; i++)
		p = mmt_put_u(p, v[i]);
	e->events++;
	commit(e, p);
}

void mmt_enc_thread(struct mmt_enc *e, uint64_t tid)
{
	enc_tag_u(e, MMT_THREAD, 1, &tid);
	e->events--;	/* a switch is no event */
}

void mmt_enc_thread_new(struct mmt_enc *e, uint64_t parent, uint64_t child)
{
	uint64_t v[2] = { parent, child };

	enc_tag_u(e, MMT_THREAD_NEW, 2, v);
}

void mmt_enc_thread_exit(struct mmt_enc *e, uint64_t tid)
{
	enc_tag_u(e, MMT_THREAD_EXIT, 1, &tid);
}

void mmt_enc_syscall(struct mmt_enc *e, uint64_t nr, unsigned int nargs,
		     const uint64_t *args, int64_t result)
{
	unsigned char *p = reserve(e, 3 + 8 * MMT_VARINT_MAX);

	BUG_ON(nargs > 6);
	*p++ = MMT_SYSCALL;
	p = mmt_put_u(p, nr);
	p = mmt_put_u(p, nargs);
	for (unsigned int i = 0; i < nargs; i++)
		p = mmt_put_u(p, args[i]);
	p = mmt_put_s(p, result);
	e->events++;
	commit(e, p);
}

void mmt_enc_brk_start(struct mmt_enc *e, uint64_t addr)
{
	enc_tag_u(e, MMT_BRK_START, 1, &addr);
}

void mmt_enc_end(struct mmt_enc *e)
{
	uint64_t v[2] = { e->accesses, e->events };

	enc_tag_u(e, MMT_END, 2, v);
	e->events--;	/* END counts the events before it */
}

void mmt_enc_free(struct mmt_enc *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}
