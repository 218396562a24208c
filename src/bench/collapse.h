/*
 * collapse.h - what the parts of `mmlab bench collapse` share: collapse.c
 * (coverage, MADV_COLLAPSE latency, the host's knobs) and
 * collapse_faults.c (fault latency while another thread collapses).
 */
#ifndef MMLAB_BENCH_COLLAPSE_H
#define MMLAB_BENCH_COLLAPSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmlab/mmlab.h>

#include "bench.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define PG		4096UL
#define PMD		(2UL << 20)
#define NPTE		512
#define RANGES		16
#define SEED		0xc011a5eULL
#define THP		"/sys/kernel/mm/transparent_hugepage/"
#define KHP		THP "khugepaged/"
#define MAX_LAT		(1 << 16)

uint64_t now_ns(void);
double quantile(double *v, size_t n, double q);
int machine(unsigned int ncpu, uint64_t bytes, struct mmlab_proc **p);
void *host_region(size_t len, char **mapping, size_t *maplen);
int collapse_faults(struct bench_ctx *ctx, bool model, bool host);

#endif
