/*
 * puppet_mm.c - the puppet's calls on its address space: mmap and its
 * neighbours (mremap, munmap, mlock, brk, mprotect, madvise, mseal, msync,
 * prctl, mbind, set_mempolicy, get_mempolicy), process_madvise, and the limits and capabilities they obey
 * (RLIMIT_MEMLOCK, CAP_IPC_LOCK, CAP_SYS_RAWIO: plain_program).
 *
 * No state of its own: brk_floor (puppet.c, set once before the first
 * request) bounds PP_BRK.  Each task thread calls these for its own
 * request; nothing here is shared between them.
 */
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "script.h"
#include "puppet_proto.h"
#include "puppet.h"

#ifndef SYS_mseal
#define SYS_mseal_nr	462	/* x86-64 */
#else
#define SYS_mseal_nr	SYS_mseal
#endif

/* The node mask mbind and set_mempolicy get: @word first, then zeros, as
 * many words as the kernel's get_nodes may read (a page of bits); NULL
 * without @has_mask.  The calling thread's own buffer. */
static unsigned long *user_mask(uint64_t word, uint64_t has_mask)
{
	static __thread unsigned long mask[4096 * 8 / 64 + 1];

	if (!has_mask)
		return NULL;
	memset(mask, 0, sizeof(mask));
	mask[0] = word;
	return mask;
}

/* Raise or lower @cap in the effective set, or drop it for good: 0 or
 * -errno (-EPERM: not permitted). */
int set_cap(uint64_t cap, enum cap_change how)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	uint32_t bit;

	if (cap > CAP_LAST_CAP)
		return -EINVAL;
	bit = 1U << (cap % 32);
	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (how == CAP_RAISE) {
		d[cap / 32].effective |= bit;
	} else {
		d[cap / 32].effective &= ~bit;
		if (how == CAP_DROP) {
			d[cap / 32].permitted &= ~bit;
			d[cap / 32].inheritable &= ~bit;
		}
	}
	return neg_errno(syscall(SYS_capset, &h, d));
}

/* process_madvise through a pidfd of @pid, opened for the call. */
long do_process_madvise(pid_t pid, const uint8_t *payload, size_t plen,
			uint64_t n, int advice, unsigned int flags)
{
	long r;
	int pidfd;

	if (plen != n * sizeof(struct sc_iovec))
		return -EINVAL;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	/* struct sc_iovec is struct iovec's layout */
	r = syscall(SYS_process_madvise, pidfd, payload, (size_t)n, advice, flags);
	r = r < 0 ? -errno : r;
	close(pidfd);
	return r;
}

/* The calls on the address space: mmap and its neighbours, and the
 * limits and switches they obey.  False: not one of them. */
bool handle_mm_op(const struct pp_req *req, struct pp_resp *resp)
{
	const uint64_t *a = req->a;
	void *p;

	switch (req->op) {
	case PP_MMAP:
		p = mmap((void *)a[0], a[1], (int)a[2], (int)a[3], (int)a[4],
			 (off_t)a[5]);
		resp->ret = p == MAP_FAILED ? -errno : 0;
		resp->v[0] = (uint64_t)p;
		break;
	case PP_MREMAP: {
		/* the raw call: flags the C library would not pass through */
		long r = syscall(SYS_mremap, a[0], a[1], a[2], a[3], a[4]);

		resp->ret = r == -1 ? -errno : 0;
		resp->v[0] = (uint64_t)r;
		break;
	}
	case PP_MUNMAP:
		resp->ret = neg_errno(munmap((void *)a[0], a[1]));
		break;
	case PP_MLOCK:
		resp->ret = neg_errno(syscall(SYS_mlock2, a[0], a[1], a[2]));
		break;
	case PP_MUNLOCK:
		resp->ret = neg_errno(munlock((void *)a[0], a[1]));
		break;
	case PP_MLOCKALL:
		resp->ret = neg_errno(mlockall((int)a[0]));
		break;
	case PP_MUNLOCKALL:
		resp->ret = neg_errno(munlockall());
		break;
	case PP_BRK:
		/* the raw call: it returns the break, never an errno */
		resp->v[0] = (uint64_t)syscall(SYS_brk, a[0] && a[0] < brk_floor ? 0 : a[0]);
		break;
	case PP_SETRLIMIT: {
		struct rlimit rl;

		if (a[0] != RLIMIT_MEMLOCK) {
			resp->ret = -EINVAL;
			break;
		}
		getrlimit(RLIMIT_MEMLOCK, &rl);
		rl.rlim_cur = a[1];
		resp->ret = neg_errno(setrlimit(RLIMIT_MEMLOCK, &rl));
		break;
	}
	case PP_SETCAP:
		resp->ret = set_cap(a[0], a[1] ? CAP_RAISE : CAP_LOWER);
		break;
	case PP_MPROTECT:
		resp->ret = neg_errno(mprotect((void *)a[0], a[1], (int)a[2]));
		break;
	case PP_MADVISE:
		resp->ret = neg_errno(madvise((void *)a[0], a[1], (int)a[2]));
		break;
	case PP_MSEAL:
		resp->ret = neg_errno(syscall(SYS_mseal_nr, a[0], a[1], a[2]));
		break;
	case PP_MBIND:
		resp->ret = neg_errno(syscall(SYS_mbind, a[0], a[1], a[2],
					      user_mask(a[3], a[5] & PP_MBIND_HAS_MASK), a[4],
					      (unsigned int)a[5]));
		break;
	case PP_SET_MEMPOLICY:
		resp->ret = neg_errno(syscall(SYS_set_mempolicy, a[0],
					      user_mask(a[1], a[3] & PP_MBIND_HAS_MASK), a[2]));
		break;
	case PP_GET_MEMPOLICY: {
		unsigned long mask[1024 / 64] = { 0 };
		int pol = 0;

		resp->ret = neg_errno(syscall(SYS_get_mempolicy, &pol, mask, 1024UL, a[0], a[1]));
		resp->v[0] = (uint64_t)(int64_t)pol;
		resp->v[1] = mask[0];
		break;
	}
	case PP_PRCTL:
		/* the runner passes only the mm's options (SC_PR_*) */
		resp->ret = prctl((int)a[0], a[1], a[2], a[3], a[4]);
		if (resp->ret < 0)
			resp->ret = -errno;
		break;
	case PP_MSYNC:
		resp->ret = neg_errno(msync((void *)a[0], a[1], (int)a[2]));
		break;
	default:
		return false;
	}
	return true;
}

/*
 * A scenario's process is a plain program: without CAP_SYS_RAWIO, so that
 * vm.mmap_min_addr holds for it even when the runner is root (the model
 * refuses MAP_FIXED below it too), and without CAP_IPC_LOCK in effect, so
 * that RLIMIT_MEMLOCK holds for it (at 8 MiB, the kernel's default, as on
 * the model).  Reading /proc/PID/pagemap with PFNs is the runner's
 * business, not the puppet's.
 */
void plain_program(void)
{
	struct rlimit rl;

	set_cap(CAP_SYS_RAWIO, CAP_DROP);
	set_cap(CAP_IPC_LOCK, CAP_LOWER);
	if (!getrlimit(RLIMIT_MEMLOCK, &rl)) {
		rl.rlim_cur = rl.rlim_max < (8 << 20) ? rl.rlim_max : (8 << 20);
		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
}
