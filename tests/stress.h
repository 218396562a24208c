/*
 * stress.h - what the randomised stress tests share (header only): each
 * worker's random stream and the record of its failures.
 *
 * A worker draws from its own stream (splitmix64 over a 64-bit state, so
 * that a seed replays the same operations) and keeps its first failure's
 * message, counting the rest: the test goes on to its report, which
 * prints each worker's first failure.
 */
#ifndef MMLAB_TESTS_STRESS_H
#define MMLAB_TESTS_STRESS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include "mmlab/mmlab.h"

/* The next number of the stream whose state is *state. */
static inline uint64_t stress_rnd(uint64_t *state)
{
	*state = mmlab_splitmix64(*state);
	return *state;
}

/* A worker's failures: how many, and the first one's message. */
struct stress_failures {
	unsigned long n;
	char first[320];
};

static inline void stress_vfail(struct stress_failures *f, const char *fmt, va_list ap)
{
	if (!f->n++)
		vsnprintf(f->first, sizeof(f->first), fmt, ap);
}

static inline void stress_fail(struct stress_failures *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void stress_fail(struct stress_failures *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vfail(f, fmt, ap);
	va_end(ap);
}

#endif
