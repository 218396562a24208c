/*
 * host_ipi.h - count the TLB shootdown IPIs the host kernel sends for one
 * memory operation, for comparison with the model's flush counters.
 *
 * A peer thread of this process spins in user space on a second CPU, so that
 * CPU has our mm loaded; the calling thread, pinned to the first CPU, does
 * the operation.  The count is the change in the "TLB:" line of
 * /proc/interrupts (summed over CPUs) across the operation: the most
 * frequent count over a number of trials, so that shootdowns of other
 * processes drop out; trials in which the peer was switched out of its CPU
 * (and so missed IPIs) are discarded and retried.
 *
 * Used by `mmlab bench tlb` and by tests (link src/bench/host_ipi.c, which
 * needs only libc and pthreads: meson variable bench_host_ipi_src).
 */
#ifndef MMLAB_BENCH_HOST_IPI_H
#define MMLAB_BENCH_HOST_IPI_H

enum host_ipi_case {
	HOST_IPI_MUNMAP_TOUCHED,	/* munmap of a written page: 1 */
	HOST_IPI_MPROTECT_RO_RW,	/* mprotect RO then RW of a written page: 2 */
	HOST_IPI_MUNMAP_UNTOUCHED,	/* munmap of a never-touched page: 0 */
	HOST_IPI_NR_CASES
};

/* "munmap_touched", ... (the `case` field of `mmlab bench tlb`). */
const char *host_ipi_case_name(enum host_ipi_case c);
/* What the host kernel (6.18, x86-64) sends: x86 flush_tlb_mm_range's IPIs. */
int host_ipi_expected(enum host_ipi_case c);

/*
 * The most frequent count, over @trials valid trials (20 when 0), of the
 * shootdown IPIs sent across case @c.  Returns the count >= 0, or -errno: -EINVAL (bad case),
 * -EOPNOTSUPP (fewer than two usable CPUs), -ENOENT (no TLB line in
 * /proc/interrupts, not x86), -EAGAIN (the peer never kept its CPU through
 * a trial, in 10 x @trials attempts), or the error of a failed system call.
 * Moves the calling thread to the first CPU it may use for the duration.
 */
int host_ipi_delta(enum host_ipi_case c, unsigned int trials);

#endif
