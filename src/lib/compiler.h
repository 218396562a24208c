/*
 * compiler.h - the kernel's compiler helpers for the model: READ_ONCE,
 * WRITE_ONCE, likely, container_of, BUILD_BUG_ON, and relaxed/acquire
 * atomics on plain integer words.  Shared memory that other simulated CPUs
 * may read without a lock goes through these, so that ThreadSanitizer sees
 * every racy access as an atomic one.
 */
#ifndef MMLAB_LIB_COMPILER_H
#define MMLAB_LIB_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#define __maybe_unused	__attribute__((unused))

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define BUILD_BUG_ON(c)		_Static_assert(!(c), #c)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#define atomic_read(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define atomic_set(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define atomic_inc(p)		((void)__atomic_fetch_add((p), 1, __ATOMIC_RELAXED))
#define atomic_dec(p)		((void)__atomic_fetch_sub((p), 1, __ATOMIC_RELAXED))
#define atomic_add(p, v)	((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define atomic_sub(p, v)	((void)__atomic_fetch_sub((p), (v), __ATOMIC_RELAXED))
#define atomic_add_return(p, v)	(__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_sub_return(p, v)	(__atomic_sub_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_inc_return(p)	atomic_add_return((p), 1)
#define atomic_dec_return(p)	atomic_sub_return((p), 1)
#define atomic_xchg(p, v)	__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_fetch_or(p, v)	__atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define atomic_fetch_and(p, v)	__atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)
#define atomic_try_cmpxchg(p, oldp, new) \
	__atomic_compare_exchange_n((p), (oldp), (new), false, \
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)

#endif
