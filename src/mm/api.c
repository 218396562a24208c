/*
 * api.c - the public C API (include/mmlab/mmlab.h): the memory-map system
 * calls (mmap, mremap, mlock, brk, rlimits, munmap, mprotect, madvise,
 * msync, process_madvise, mseal, prctl) and user-space accesses.  The
 * machine is api_machine.c's, the fd table and file calls api_fd.c's.
 *
 * A system call made by a task runs on the task's CPU with its mm loaded
 * (task_enter), takes the locks the kernel's implementation takes, and
 * returns a negative errno.  An access walks the task's virtual range page by
 * page through the CPU (hw_translate): TLB, page walk, page fault.  Data is
 * moved with relaxed atomics, so that two simulated CPUs touching the same
 * bytes are not a host data race.
 */
#include <string.h>
#include <sys/mman.h>
#include "swap.h"

/* ---- system calls ---- */

int mmlab_mmap(struct mmlab_task *t, uint64_t addr, uint64_t len, int prot,
	       int flags, int fd, uint64_t offset, uint64_t *out_addr)
{
	struct mm_struct *mm;
	struct file *file = NULL;
	unsigned long a = 0;
	bool populate;
	int ret;

	if (!t || !out_addr)
		return -EINVAL;
	if (offset & ~PAGE_MASK)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		spin_lock(&t->proc->lock);
		if (fd >= 0 && fd < (int)ARRAY_SIZE(t->proc->fds))
			file = t->proc->fds[fd];
		if (file)
			get_file(file);
		spin_unlock(&t->proc->lock);
		if (!file)
			return -EBADF;
		if (file->release) {
			fput(file);
			return -ENODEV;	/* a pipe has no mmap */
		}
	}
	mm = t->proc->mm;
	task_enter(t);
	mmap_write_lock(mm);
	ret = do_mmap(mm, addr, len, (unsigned long)prot, (unsigned long)flags, file,
		      offset >> PAGE_SHIFT, &a);
	/* vm_mmap_pgoff populates a locked mapping too */
	populate = ((flags & MAP_LOCKED) || (mm->def_flags & VM_LOCKED)) ||
		   (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE;
	mmap_write_unlock(mm);
	khugepaged_run_kick();
	/* failures are ignored, as the kernel does (and VM_LOCKONFAULT
	 * VMAs are left alone) */
	if (!ret && populate)
		__mm_populate(mm, a, ALIGN_UP(len, PAGE_SIZE), true);
	task_leave(t);
	if (file)
		fput(file);
	if (!ret)
		*out_addr = a;
	return ret;
}

int mmlab_mremap(struct mmlab_task *t, uint64_t old_addr, uint64_t old_len,
		 uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	unsigned long res = 0;
	int ret;

	if (!t || !out)
		return -EINVAL;
	task_enter(t);
	ret = do_mremap(t->proc->mm, old_addr, old_len, new_len, (unsigned int)flags,
			new_addr, &res);
	task_leave(t);
	if (!ret)
		*out = res;
	return ret;
}

int mmlab_mlock(struct mmlab_task *t, uint64_t addr, uint64_t len, int flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mlock(t->proc->mm, addr, len, (unsigned long)(unsigned int)flags);
	task_leave(t);
	return ret;
}

int mmlab_munlock(struct mmlab_task *t, uint64_t addr, uint64_t len)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_munlock(t->proc->mm, addr, len);
	task_leave(t);
	return ret;
}

int mmlab_mlockall(struct mmlab_task *t, int flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mlockall(t->proc->mm, flags);
	task_leave(t);
	return ret;
}

int mmlab_munlockall(struct mmlab_task *t)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_munlockall(t->proc->mm);
	task_leave(t);
	return ret;
}

int mmlab_brk(struct mmlab_task *t, uint64_t addr, uint64_t *out)
{
	if (!t || !out)
		return -EINVAL;
	task_enter(t);
	*out = do_brk(t->proc->mm, addr);
	task_leave(t);
	return 0;
}

int mmlab_setrlimit(struct mmlab_proc *p, int resource, uint64_t soft)
{
	struct mm_struct *mm;

	if (!p || resource != MMLAB_RLIMIT_MEMLOCK)
		return -EINVAL;
	mm = p->mm;
	/* a soft limit above the hard one is refused (raising the hard
	 * limit needs CAP_SYS_RESOURCE, which the model does not give) */
	if (soft > mm->rlim_memlock_max)
		return -EINVAL;
	WRITE_ONCE(mm->rlim_memlock, soft);
	return 0;
}

int mmlab_getrlimit(struct mmlab_proc *p, int resource, uint64_t *soft, uint64_t *hard)
{
	if (!p || resource != MMLAB_RLIMIT_MEMLOCK)
		return -EINVAL;
	if (soft)
		*soft = READ_ONCE(p->mm->rlim_memlock);
	if (hard)
		*hard = READ_ONCE(p->mm->rlim_memlock_max);
	return 0;
}

int mmlab_setcap(struct mmlab_proc *p, int cap, bool on)
{
	if (!p || cap != MMLAB_CAP_IPC_LOCK)
		return -EINVAL;
	WRITE_ONCE(p->mm->cap_ipc_lock, on);
	return 0;
}

int mmlab_munmap(struct mmlab_task *t, uint64_t addr, uint64_t len)
{
	struct mm_struct *mm;
	int ret;

	if (!t)
		return -EINVAL;
	mm = t->proc->mm;
	task_enter(t);
	mmap_write_lock(mm);
	ret = do_munmap(mm, addr, len);
	mmap_write_unlock(mm);
	task_leave(t);
	return ret;
}

int mmlab_mprotect(struct mmlab_task *t, uint64_t addr, uint64_t len, int prot)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mprotect(t->proc->mm, addr, len, (unsigned long)(unsigned int)prot);
	task_leave(t);
	return ret;
}

int mmlab_madvise(struct mmlab_task *t, uint64_t addr, uint64_t len, int advice)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_madvise(t->proc->mm, addr, len, advice);
	task_leave(t);
	return ret;
}

int mmlab_msync(struct mmlab_task *t, uint64_t addr, uint64_t len, int flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_msync(t->proc->mm, addr, len, flags);
	task_leave(t);
	return ret;
}

#define UIO_MAXIOV	1024

long mmlab_process_madvise(struct mmlab_task *t, struct mmlab_proc *target,
			   const struct mmlab_iovec *iov, size_t vlen, int advice,
			   unsigned int flags)
{
	long ret;

	if (!t || flags)
		return -EINVAL;
	/* import_iovec */
	if (vlen > UIO_MAXIOV)
		return -EINVAL;
	if (vlen && !iov)
		return -EFAULT;
	for (size_t i = 0; i < vlen; i++)
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
	if (!target)
		return -EBADF;	/* pidfd_get_task */
	if (target->mm != t->proc->mm && !process_madvise_remote_valid(advice))
		return -EINVAL;
	task_enter(t);
	ret = vector_madvise(target->mm, iov, vlen, advice);
	task_leave(t);
	return ret;
}

/* ---- accesses ---- */

uint64_t mmlab_splitmix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

enum access_op { OP_WRITE, OP_READ, OP_TOUCH_W, OP_TOUCH_R, OP_FILL, OP_VERIFY };

struct access {
	enum access_op op;
	uint8_t *buf;		/* write/read */
	uint64_t seed;
	uint64_t mismatch;
};

static void charge_mem(struct cpu *c, unsigned long pfn, uint64_t bytes)
{
	struct page *p = pfn_to_page(pfn);

	c->cycles += cost_mem_access(phys.node[page_to_nid(p)].latency_ns) +
		     bytes / 64;
}

/* Do @a on [addr, addr+len) one page piece at a time. */
static int access_range(struct mmlab_task *t, uint64_t addr, uint64_t len,
			struct access *a, uint64_t *fault_addr)
{
	bool write = a->op == OP_WRITE || a->op == OP_TOUCH_W || a->op == OP_FILL;
	bool data = !phys.no_data;
	uint64_t done = 0;
	struct cpu *c;
	int ret = 0;

	if (!t)
		return -EINVAL;
	if (!len)
		return 0;
	if (addr + len < addr) {
		if (fault_addr)
			*fault_addr = addr;
		return MMLAB_SIGSEGV;
	}
	task_enter(t);
	c = this_cpu();
	while (done < len) {
		uint64_t va = addr + done;
		uint64_t n = min(len - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		int sig = 0;
		uint8_t *p = va < TASK_SIZE ? hw_translate(c, va, write, &sig) : NULL;

		if (!p) {
			if (fault_addr)
				*fault_addr = va;
			ret = sig ? sig : MMLAB_SIGSEGV;
			break;
		}
		charge_mem(c, ((uintptr_t)p - (uintptr_t)phys.bytes) >> PAGE_SHIFT, n);
		switch (a->op) {
		case OP_WRITE:
			if (data)
				for (uint64_t i = 0; i < n; i++)
					__atomic_store_n(p + i, a->buf[done + i], __ATOMIC_RELAXED);
			break;
		case OP_READ:
			for (uint64_t i = 0; i < n; i++)
				a->buf[done + i] = data ? __atomic_load_n(p + i, __ATOMIC_RELAXED) : 0;
			break;
		case OP_TOUCH_W:
			if (data)
				__atomic_store_n(p, (uint8_t)(((va >> 12) & 0xff) | 1), __ATOMIC_RELAXED);
			break;
		case OP_TOUCH_R:
			if (data)
				(void)__atomic_load_n(p, __ATOMIC_RELAXED);
			break;
		case OP_FILL:
			if (data)
				for (uint64_t i = 0; i < n; i += 8)
					__atomic_store_n((uint64_t *)(p + i),
						mmlab_splitmix64(a->seed ^ ((va + i) >> 3)),
						__ATOMIC_RELAXED);
			break;
		case OP_VERIFY:
			if (!data)
				break;
			for (uint64_t i = 0; i < n; i += 8) {
				uint64_t w = __atomic_load_n((uint64_t *)(p + i), __ATOMIC_RELAXED);

				if (w != mmlab_splitmix64(a->seed ^ ((va + i) >> 3))) {
					a->mismatch = va + i;
					goto out;
				}
			}
			break;
		}
		done += n;
		/* touch: one access per page, from the first byte of each */
		if (a->op == OP_TOUCH_W || a->op == OP_TOUCH_R)
			done = ALIGN_UP(addr + done, PAGE_SIZE) - addr;
	}
out:
	task_leave(t);
	return ret;
}

int mmlab_write(struct mmlab_task *t, uint64_t addr, const void *buf, size_t len,
		uint64_t *fault_addr)
{
	struct access a = { .op = OP_WRITE, .buf = (uint8_t *)buf };

	if (!buf && len)
		return -EFAULT;
	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_read(struct mmlab_task *t, uint64_t addr, void *buf, size_t len,
	       uint64_t *fault_addr)
{
	struct access a = { .op = OP_READ, .buf = buf };

	if (!buf && len)
		return -EFAULT;
	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_touch(struct mmlab_task *t, uint64_t addr, uint64_t len, bool write,
		uint64_t *fault_addr)
{
	struct access a = { .op = write ? OP_TOUCH_W : OP_TOUCH_R };

	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_fill(struct mmlab_task *t, uint64_t addr, uint64_t len, uint64_t seed,
	       uint64_t *fault_addr)
{
	struct access a = { .op = OP_FILL, .seed = seed };

	if ((addr | len) & 7)
		return -EINVAL;
	return access_range(t, addr, len, &a, fault_addr);
}

int mmlab_verify(struct mmlab_task *t, uint64_t addr, uint64_t len, uint64_t seed,
		 uint64_t *mismatch, uint64_t *fault_addr)
{
	struct access a = { .op = OP_VERIFY, .seed = seed, .mismatch = UINT64_MAX };
	int ret;

	if ((addr | len) & 7)
		return -EINVAL;
	ret = access_range(t, addr, len, &a, fault_addr);
	if (mismatch)
		*mismatch = a.mismatch;
	return ret;
}

int mmlab_mseal(struct mmlab_task *t, uint64_t addr, uint64_t len, unsigned long flags)
{
	int ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mseal(t->proc->mm, addr, len, flags);
	task_leave(t);
	return ret;
}

int mmlab_mbind(struct mmlab_task *t, uint64_t start, uint64_t len, unsigned long mode,
		const unsigned long *nmask, unsigned long maxnode, unsigned int flags)
{
	long ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_mbind(t->proc->mm, start, len, mode, nmask, maxnode, flags);
	task_leave(t);
	return (int)ret;
}

int mmlab_set_mempolicy(struct mmlab_task *t, unsigned long mode, const unsigned long *nmask,
			unsigned long maxnode)
{
	long ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_set_mempolicy(t, mode, nmask, maxnode);
	task_leave(t);
	return (int)ret;
}

int mmlab_get_mempolicy(struct mmlab_task *t, int *policy, unsigned long *nmask,
			uint64_t addr, unsigned long flags)
{
	int pol = 0;
	long ret;

	if (!t)
		return -EINVAL;
	task_enter(t);
	ret = do_get_mempolicy(t, &pol, nmask, addr, flags);
	task_leave(t);
	if (!ret && policy)
		*policy = pol;
	return (int)ret;
}

long mmlab_prctl(struct mmlab_proc *p, int option, unsigned long a2, unsigned long a3,
		 unsigned long a4, unsigned long a5)
{
	if (!p)
		return -EINVAL;
	return mm_prctl(p->mm, option, a2, a3, a4, a5);
}
