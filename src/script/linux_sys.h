/*
 * linux_sys.h - what the linux backend reads and writes on the host:
 * tunables (with restore), swap files, /proc/vmstat, khugepaged's scan
 * counter, and a process's /proc/PID files.  See linux_sys.c.
 */
#ifndef MMLAB_LINUX_SYS_H
#define MMLAB_LINUX_SYS_H

#include <stdint.h>
#include <stddef.h>
#include "script.h"

int lx_knob_set(const char *path, const char *value);
/* debugfs split_huge_pages (debugfs mounted for the write if it is not,
 * and unmounted after); /proc/kpageflags: 0 or -errno */
int lx_split_huge_pages(const char *input);
int lx_kpageflags(uint64_t pfn, uint64_t n, uint64_t *out);
int lx_knob_get(const char *path, char *buf, size_t len);
int lx_swapon(uint64_t bytes);
int lx_vmstat(sc_vmstat_cb cb, void *ctx);
int lx_khugepaged_scan(unsigned int n);
/* Undo every tunable and swap file (async-signal-safe). */
void lx_restore_all(void);
void lx_swapoff_all(void);

int lx_status(int pid, struct sc_status *st);
int lx_smaps(int pid, uint64_t addr, struct sc_smaps *sm);
int lx_pagemap(int pid, uint64_t addr, uint64_t n, uint64_t *out);
int lx_clear_refs(int pid, int v);
/* The PAGEMAP_SCAN ioctl on /proc/PID/pagemap: regions or -errno */
long lx_pagemap_scan(int pid, struct sc_pm_scan_arg *arg);

struct lx_vma {
	uint64_t lo, hi;
	bool anon_private;	/* private, no file behind it */
};
/* The VMAs of pid that intersect [lo, hi), ascending; *n on return.
 * Returns a malloc'ed array (NULL and *n = 0 on failure). */
struct lx_vma *lx_vmas(int pid, uint64_t lo, uint64_t hi, int *n);

#endif
