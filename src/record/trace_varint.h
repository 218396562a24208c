/*
 * trace_varint.h - LEB128 varints and zigzag signed values of the record
 * stream (trace_format.h).  Plain C with no includes, so that the valgrind
 * tool (no libc) encodes with the same code as mmlab.
 */
#ifndef MMLAB_RECORD_TRACE_VARINT_H
#define MMLAB_RECORD_TRACE_VARINT_H

/* A varint takes at most 10 bytes. */
#define MMT_VARINT_MAX	10

/* Store v at p; returns the byte after it. */
static inline unsigned char *mmt_put_u(unsigned char *p, unsigned long long v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static inline unsigned long long mmt_zigzag(long long v)
{
	return ((unsigned long long)v << 1) ^ (unsigned long long)(v >> 63);
}

static inline long long mmt_unzigzag(unsigned long long v)
{
	return (long long)(v >> 1) ^ -(long long)(v & 1);
}

static inline unsigned char *mmt_put_s(unsigned char *p, long long v)
{
	return mmt_put_u(p, mmt_zigzag(v));
}

#endif
