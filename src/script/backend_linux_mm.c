/*
 * backend_linux_mm.c - the linux backend's calls on an address space:
 * mmap and mremap (placed where the model would place them: the highest
 * gap in PP_AREA, PMD-aligned where the kernel aligns for THP), msync,
 * process_madvise, mlock and the other calls that answer one value, the
 * memory limits and capabilities, mseal and the mm's prctls.
 *
 * State: none of its own; it reads the puppet's VMAs from /proc/PID/maps
 * (lx_vmas) and sends its requests through call() on the task's socket
 * (backend_linux.c), from the runner's one thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "script.h"
#include "puppet_proto.h"
#include "linux_sys.h"
#include "backend_linux.h"

/*
 * Where the kernel would put a mapping of len bytes if the puppet's own
 * memory were not there: the highest gap in PP_AREA; private anonymous
 * mappings whose length is a multiple of PMD_SIZE are PMD-aligned (as
 * __get_unmapped_area does for THP).  0 when nothing fits.
 */
static uint64_t place(pid_t pid, uint64_t len, bool thp_align)
{
	int n;
	struct lx_vma *v = lx_vmas(pid, PP_AREA_LO, PP_AREA_HI, &n);
	uint64_t top = PP_AREA_HI, found = 0;
	uint64_t need = thp_align ? len + SC_PMD_SIZE : len;

	for (int i = n; i >= 0; i--) {
		uint64_t bottom = i > 0 ? v[i - 1].hi : PP_AREA_LO;

		if (bottom < PP_AREA_LO)
			bottom = PP_AREA_LO;
		if (top > bottom && top - bottom >= need) {
			found = top - len;
			if (thp_align)
				found &= ~(SC_PMD_SIZE - 1);
			break;
		}
		if (i > 0)
			top = v[i - 1].lo;
	}
	free(v);
	if (!found && thp_align)
		return place(pid, len, false);
	return found;
}

/* Is @fd of @pid a regular file made by p:file (in /var/tmp)? */
static bool fd_is_disk_file(pid_t pid, int fd)
{
	char path[64], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = 0;
	return !strncmp(target, "/var/tmp/", 9);
}

/*
 * thp_get_unmapped_area for a disk file, as the model's: when the file
 * range [off, off + len) holds a whole PMD-aligned stretch, the highest gap
 * of len + PMD_SIZE, the mapping placed in it where address and file
 * offset agree modulo PMD_SIZE.  0 when it does not apply or nothing fits.
 */
static uint64_t place_file(pid_t pid, uint64_t len, uint64_t off)
{
	uint64_t off_align = (off + SC_PMD_SIZE - 1) & ~(SC_PMD_SIZE - 1), r, sub;

	if (off + len <= off_align || off + len - off_align < SC_PMD_SIZE)
		return 0;
	r = place(pid, len + SC_PMD_SIZE, false);
	if (!r)
		return 0;
	sub = (off - r) & (SC_PMD_SIZE - 1);
	return sub ? r + sub : r + SC_PMD_SIZE;
}

static bool range_free(pid_t pid, uint64_t addr, uint64_t len)
{
	int n;
	struct lx_vma *v = lx_vmas(pid, addr, addr + len, &n);

	free(v);
	return n == 0;
}

static int mmap_call(struct sc_task *t, uint64_t addr, uint64_t len, int prot,
		     int flags, int fd, uint64_t off, uint64_t *out)
{
	struct pp_req req = { .op = PP_MMAP,
			      .a = { addr, len, (uint64_t)prot, (uint64_t)flags,
				     (uint64_t)(int64_t)fd, off } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, "mmap");

	if (ret)
		return ret;
	*out = resp.v[0];
	return (int)resp.ret;
}

/*
 * mmap(2).  A mapping whose address the kernel would choose goes where the
 * model would put it (place(): the scenario's area, not beside the
 * puppet's libraries), with the caller's flags unchanged: that address is
 * passed as the hint, which the kernel takes as it is when the range is
 * free.  Except for a private anonymous mapping of whole PMDs without a
 * hint: the kernel then wants a PMD more than the length free at a hint
 * (thp_get_unmapped_area) and would search elsewhere, so the range is
 * reserved first (PROT_NONE, MAP_FIXED_NOREPLACE) and the mapping made
 * over it (MAP_FIXED), as the kernel would have placed it.  The same for a
 * disk file holding a whole PMD-aligned stretch (place_file).
 */
int lx_mmap(struct sc_task *t, uint64_t addr, uint64_t len, int prot,
	    int flags, int fd, uint64_t off, uint64_t *out)
{
	uint64_t plen = (len + 4095) & ~4095ULL, at = 0, r;
	bool thp_align = false;
	int ret;

	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && len && plen >= len &&
	    (flags & (MAP_PRIVATE | MAP_SHARED | SC_MAP_DROPPABLE))) {
		uint64_t hint = (addr + 4095) & ~4095ULL;

		if (addr && hint < mmap_min_addr)
			hint = (mmap_min_addr + 4095) & ~4095ULL;
		if (addr && hint + plen > hint &&
		    range_free(t->p->pid, hint, plen))
			at = hint;
		thp_align = !addr && fd < 0 && ((flags & MAP_TYPE) == MAP_PRIVATE ||
						 (flags & MAP_TYPE) == SC_MAP_DROPPABLE) &&
			    (flags & MAP_ANONYMOUS) && !(plen & (SC_PMD_SIZE - 1));
		/* a disk file: the kernel wants a PMD more at a hint too */
		if (!at && fd >= 0 && fd_is_disk_file(t->p->pid, fd)) {
			at = place_file(t->p->pid, plen, off);
			thp_align = at != 0;
		}
		if (!at)
			at = place(t->p->pid, plen, thp_align);
	}
	if (at && thp_align &&
	    !mmap_call(t, at, plen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0, &r)) {
		ret = mmap_call(t, at, len, prot, flags | MAP_FIXED, fd, off, out);
		if (ret)
			simple_call(t, PP_MUNMAP, "munmap", at, plen, 0, 0);
		return ret;
	}
	ret = mmap_call(t, at ? at : addr, len, prot, flags, fd, off, out);
	if (!ret && at && *out != at)
		fprintf(stderr, "mmlab run: linux backend: the kernel placed a "
			"mapping at 0x%" PRIx64 ", not at its hint 0x%" PRIx64 "\n",
			*out, at);
	return ret;
}

static int mremap_call(struct sc_task *t, uint64_t addr, uint64_t old_len,
		       uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	struct pp_req req = { .op = PP_MREMAP,
			      .a = { addr, old_len, new_len, (uint64_t)flags, new_addr } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, "mremap");

	if (ret)
		return ret;
	*out = resp.v[0];
	return (int)resp.ret;
}

/*
 * mremap(2).  A move whose address the kernel would choose goes where the
 * model would put it (place(): the scenario's area, not beside the
 * puppet's libraries), as a MREMAP_FIXED move there: first the call
 * without MREMAP_MAYMOVE, which resizes in place when the kernel can and
 * fails with ENOMEM, changing nothing, when it would have to move.
 */
int lx_mremap(struct sc_task *t, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	uint64_t plen = (new_len + 4095) & ~4095ULL, at = 0;
	struct lx_vma *v;
	bool anon_private = false;
	int n, ret;

	if (flags != SC_MREMAP_MAYMOVE && flags != (SC_MREMAP_MAYMOVE | SC_MREMAP_DONTUNMAP))
		return mremap_call(t, addr, old_len, new_len, flags, new_addr, out);
	if (flags == SC_MREMAP_MAYMOVE) {
		ret = mremap_call(t, addr, old_len, new_len, 0, 0, out);
		if (ret != -ENOMEM)
			return ret;
	}
	if (!new_len || plen < new_len || (addr & 4095))
		return mremap_call(t, addr, old_len, new_len, flags, new_addr, out);
	/* a DONTUNMAP hint is taken when the range there is free */
	if ((flags & SC_MREMAP_DONTUNMAP) && new_addr && !(new_addr & 4095) &&
	    new_addr + plen > new_addr && range_free(t->p->pid, new_addr, plen))
		at = new_addr;
	/* __get_unmapped_area aligns a private anonymous range of whole
	 * PMDs when no hint is given */
	v = lx_vmas(t->p->pid, addr, addr + 1, &n);
	anon_private = n == 1 && v[0].anon_private;
	free(v);
	if (!at)
		at = place(t->p->pid, plen, anon_private && !new_addr &&
			   !(plen & (SC_PMD_SIZE - 1)));
	if (!at)
		return mremap_call(t, addr, old_len, new_len, flags, new_addr, out);
	return mremap_call(t, addr, old_len, new_len, flags | SC_MREMAP_FIXED, at, out);
}

int lx_msync(struct sc_task *t, uint64_t addr, uint64_t len, int flags)
{
	return (int)simple_call(t, PP_MSYNC, "msync", addr, len, (uint64_t)flags, 0);
}

/* The caller's puppet opens a pidfd of the target and makes the call. */
long lx_process_madvise(struct sc_task *t, struct sc_proc *target,
			const struct sc_iovec *iov, int n, int advice,
			unsigned int flags)
{
	struct pp_req req = { .op = PP_PROCESS_MADVISE,
			      .a = { (uint64_t)target->pid, (uint64_t)n, (uint64_t)advice,
				     flags } };
	struct pp_resp resp;
	int ret;

	if ((size_t)n * sizeof(*iov) > PP_PAYLOAD_MAX)
		return -EINVAL;
	req.len = (uint32_t)(n * sizeof(*iov));
	ret = call(t, &req, iov, -1, &resp, NULL, 0, "process_madvise");
	return ret ? ret : (long)resp.ret;
}

/* A call with no payload that also answers v[0] (in *out): 0 or -errno. */
static int simple_call_out(struct sc_task *t, uint32_t op, uint64_t a0, uint64_t a1,
			   uint64_t a2, uint64_t *out, const char *what)
{
	struct pp_req req = { .op = op, .a = { a0, a1, a2 } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, what);

	if (ret)
		return ret;
	if (out)
		*out = resp.v[0];
	return (int)resp.ret;
}

int lx_mlock(struct sc_task *t, uint64_t addr, uint64_t len, int flags)
{
	return simple_call_out(t, PP_MLOCK, addr, len, (uint64_t)(unsigned int)flags, NULL, "mlock");
}

int lx_munlock(struct sc_task *t, uint64_t addr, uint64_t len)
{
	return simple_call_out(t, PP_MUNLOCK, addr, len, 0, NULL, "munlock");
}

int lx_mlockall(struct sc_task *t, int flags)
{
	return simple_call_out(t, PP_MLOCKALL, (uint64_t)(unsigned int)flags, 0, 0, NULL, "mlockall");
}

int lx_munlockall(struct sc_task *t)
{
	return simple_call_out(t, PP_MUNLOCKALL, 0, 0, 0, NULL, "munlockall");
}

int lx_brk(struct sc_task *t, uint64_t addr, uint64_t *out)
{
	return simple_call_out(t, PP_BRK, addr, 0, 0, out, "brk");
}

int lx_setrlimit(struct sc_proc *p, int resource, uint64_t soft)
{
	return simple_call_out(lx_main_task(p), PP_SETRLIMIT, (uint64_t)resource, soft, 0, NULL,
			   "setrlimit");
}

int lx_setcap(struct sc_proc *p, int cap, bool on)
{
	return simple_call_out(lx_main_task(p), PP_SETCAP, (uint64_t)cap, on, 0, NULL, "setcap");
}

/* Linux has no per-process page-table reclaim switch: an unknown prctl
 * option is EINVAL there, and so it is here. */
int lx_prctl_pt_reclaim(struct sc_proc *p, bool on)
{
	(void)p;
	(void)on;
	return -EINVAL;
}

int lx_mseal(struct sc_task *t, uint64_t addr, uint64_t len, uint64_t flags)
{
	return (int)simple_call(t, PP_MSEAL, "mseal", addr, len, flags, 0);
}

/* mbind in the puppet: the first mask word travels, the rest are zero */
int lx_mbind(struct sc_task *t, uint64_t addr, uint64_t len, unsigned long mode,
	     const uint64_t *nodes, unsigned long maxnode, unsigned int flags)
{
	struct pp_req req = { .op = PP_MBIND,
			      .a = { addr, len, mode, nodes ? *nodes : 0, maxnode,
				     flags | (nodes ? PP_MBIND_HAS_MASK : 0) } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, "mbind");

	return ret ? ret : (int)resp.ret;
}

/* set_mempolicy in the task's thread of the puppet: one mask word, as mbind */
int lx_set_mempolicy(struct sc_task *t, unsigned long mode, const uint64_t *nodes,
		     unsigned long maxnode)
{
	struct pp_req req = { .op = PP_SET_MEMPOLICY,
			      .a = { mode, nodes ? *nodes : 0, maxnode,
				     nodes ? PP_MBIND_HAS_MASK : 0 } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, "set_mempolicy");

	return ret ? ret : (int)resp.ret;
}

int lx_get_mempolicy(struct sc_task *t, int *policy, uint64_t *nodes, uint64_t addr,
		     unsigned long flags)
{
	struct pp_req req = { .op = PP_GET_MEMPOLICY, .a = { addr, flags } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, "get_mempolicy");

	if (ret)
		return ret;
	if (resp.ret < 0)
		return (int)resp.ret;
	*policy = (int)resp.v[0];
	*nodes = resp.v[1];
	return 0;
}

long lx_prctl(struct sc_proc *p, int option, const uint64_t a[4])
{
	struct pp_req req = { .op = PP_PRCTL,
			      .a = { (uint64_t)option, a[0], a[1], a[2], a[3] } };
	struct pp_resp resp;
	int ret;

	/* only the memory manager's options reach the puppet */
	if (option != SC_PR_SET_THP_DISABLE && option != SC_PR_GET_THP_DISABLE &&
	    option != SC_PR_SET_MEMORY_MERGE && option != SC_PR_GET_MEMORY_MERGE)
		return -EINVAL;
	ret = call(&p->main, &req, NULL, -1, &resp, NULL, 0, "prctl");
	return ret ? ret : (long)resp.ret;
}
