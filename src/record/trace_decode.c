/*
 * trace_decode.c - decoding one record of the record stream
 * (trace_format.h): the reader's (trace_reader.c) and the recorder's, which
 * checks and counts the stream as it arrives (src/cli/record.c).
 */
#include <string.h>

#include "record/trace.h"
#include "record/trace_varint.h"

struct cursor {
	const unsigned char *p, *end;
	bool short_read;
};

static uint64_t get_u(struct cursor *c)
{
	uint64_t v = 0;

	for (unsigned int shift = 0; shift < 70; shift += 7) {
		if (c->p >= c->end) {
			c->short_read = true;
			return 0;
		}
		v |= (uint64_t)(*c->p & 0x7f) << shift;
		if (!(*c->p++ & 0x80))
			return v;
	}
	c->short_read = true;
	return 0;
}

static void get_file(struct cursor *c, struct mmt_rec *rec)
{
	uint64_t n;

	rec->dev = get_u(c);
	rec->ino = get_u(c);
	rec->fsize = get_u(c);
	n = get_u(c);
	if (n > MMT_MAX_PATH || n > (uint64_t)(c->end - c->p)) {
		c->short_read = true;
		return;
	}
	memcpy(rec->path, c->p, n);
	rec->path[n] = 0;
	c->p += n;
}

static bool decode_event(struct cursor *c, int tag, struct mmt_rec *rec)
{
	switch (tag) {
	case MMT_THREAD:
	case MMT_THREAD_EXIT:
		rec->tid = get_u(c);
		break;
	case MMT_THREAD_NEW:
		rec->tid = get_u(c);
		rec->tid2 = get_u(c);
		break;
	case MMT_SYSCALL:
		rec->nr = get_u(c);
		rec->nargs = (unsigned int)get_u(c);
		if (rec->nargs > 6)
			return false;
		for (unsigned int i = 0; i < rec->nargs; i++)
			rec->args[i] = get_u(c);
		rec->result = mmt_unzigzag(get_u(c));
		break;
	case MMT_FILE:
		get_file(c, rec);
		break;
	case MMT_SEGMENT:
		rec->start = get_u(c);
		rec->len = get_u(c);
		rec->prot = get_u(c);
		rec->kind = get_u(c);
		rec->offset = get_u(c);
		if (rec->kind == MMT_SEG_FILE)
			get_file(c, rec);
		else if (rec->kind > MMT_SEG_STACK)
			return false;
		break;
	case MMT_BRK_START:
		rec->addr = get_u(c);
		break;
	case MMT_END:
		rec->accesses = get_u(c);
		rec->events = get_u(c);
		break;
	default:
		return false;
	}
	return true;
}

long mmt_decode(const unsigned char *buf, size_t avail, uint64_t *last_addr,
		struct mmt_rec *rec)
{
	struct cursor c = { buf, buf + avail, false };
	int tag;

	if (!avail)
		return 0;
	tag = *c.p++;
	if (tag <= MMT_ACCESS_MAX) {
		unsigned int code = (tag >> MMT_SIZE_SHIFT) & 7;

		rec->type = MMT_ACCESS_MAX;
		rec->write = tag & MMT_ACCESS_WRITE;
		rec->size = code == MMT_SIZE_EXPLICIT ? (uint32_t)get_u(&c) : 1u << code;
		rec->addr = *last_addr + (uint64_t)mmt_unzigzag(get_u(&c));
	} else {
		rec->type = tag;
		if (!decode_event(&c, tag, rec))
			return c.short_read ? 0 : -1;
	}
	if (c.short_read)
		return 0;
	if (rec->type == MMT_ACCESS_MAX)
		*last_addr = rec->addr;
	return (long)(c.p - buf);
}
