/*
 * bug.h - invariant assertions in the kernel's style.  VM_BUG_ON stops the
 * program with where and why; VM_WARN_ON_ONCE reports once and goes on.
 * Both are always on: they are the cheapest race detector the model has.
 */
#ifndef MMLAB_LIB_BUG_H
#define MMLAB_LIB_BUG_H

#include <stdio.h>
#include <stdlib.h>
#include "compiler.h"

void mmlab_bug(const char *file, int line, const char *cond) __attribute__((noreturn));
void mmlab_warn(const char *file, int line, const char *cond);

#define BUG()		mmlab_bug(__FILE__, __LINE__, "BUG")
#define BUG_ON(c)	do { if (unlikely(c)) mmlab_bug(__FILE__, __LINE__, #c); } while (0)
#define VM_BUG_ON(c)	BUG_ON(c)
#define WARN_ON(c)	({ bool __w = !!(c); if (unlikely(__w)) mmlab_warn(__FILE__, __LINE__, #c); __w; })
#define VM_WARN_ON_ONCE(c) ({						\
	static bool __warned;						\
	bool __w = !!(c);						\
	if (unlikely(__w) && !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED)) \
		mmlab_warn(__FILE__, __LINE__, #c);			\
	__w; })

/* Number of warnings printed so far (tests check it is zero). */
extern unsigned long mmlab_nr_warnings;

#endif
