/*
 * memfd.c - memfd_create and file sealing (memfd_add_seals, F_GET_SEALS),
 * and what the seals refuse at mmap time (memfd_check_seals_mmap).  The
 * other checks are where the kernel makes them: shmem_setattr (SHRINK,
 * GROW), shmem_fallocate (WRITE, FUTURE_WRITE for a hole punch; GROW),
 * mprotect (a write-sealed mapping lost VM_MAYWRITE).
 *
 * Seals are added under the inode lock (mapping->i_rwsem) and never taken
 * away.  F_SEAL_WRITE needs every shared writable mapping gone: the count
 * of them (i_mmap_writable, kept by vma_link and vma_unlink) is made
 * negative for good (mapping_deny_writable), and a new one is refused
 * (mapping_map_writable) - a read-only MAP_SHARED mapping of a file opened
 * for writing counts too, since mprotect may make it writable.  The kernel
 * also waits for pages pinned by get_user_pages; the model has no pins.
 *
 * Every memfd is created as the kernel does when vm.memfd_noexec is 0:
 * executable (mode 0777) unless MFD_NOEXEC_SEAL, which gives F_SEAL_EXEC
 * and allows sealing.  Hugetlb memfds are not modelled.
 */
#include "swap.h"

#define MFD_CLOEXEC		0x0001U
#define MFD_ALLOW_SEALING	0x0002U
#define MFD_HUGETLB		0x0004U
#define MFD_NOEXEC_SEAL		0x0008U
#define MFD_EXEC		0x0010U
#define MFD_ALL_FLAGS	(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | \
			 MFD_NOEXEC_SEAL | MFD_EXEC)
#define MFD_NAME_MAX_LEN	249	/* NAME_MAX less the "memfd:" prefix */

#define F_ALL_SEALS	(F_SEAL_SEAL | F_SEAL_EXEC | F_SEAL_SHRINK | F_SEAL_GROW | \
			 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/*
 * do_memfd_create: memfd_create(@name, @flags), a new empty shmem file in *@out.  -EINVAL
 * for unknown flags, MFD_EXEC with MFD_NOEXEC_SEAL, MFD_HUGETLB (not
 * modelled) or a name longer than 249 bytes; -ENOMEM.
 */
int do_memfd_create(const char *name, unsigned int flags, struct file **out)
{
	struct file *f;

	if (flags & ~MFD_ALL_FLAGS)
		return -EINVAL;
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL;
	if (strlen(name) > MFD_NAME_MAX_LEN)
		return -EINVAL;
	f = shmem_file_setup(name, 0, false);
	if (!f)
		return -ENOMEM;
	if (flags & MFD_NOEXEC_SEAL) {
		f->mapping->i_mode &= ~0111U;
		f->mapping->seals = F_SEAL_EXEC;
	} else if (flags & MFD_ALLOW_SEALING)
		f->mapping->seals = 0;
	*out = f;
	return 0;
}

int mapping_map_writable(struct address_space *as)
{
	int c = atomic_read(&as->i_mmap_writable);

	do {
		if (c < 0)
			return -EPERM;
	} while (!atomic_try_cmpxchg(&as->i_mmap_writable, &c, c + 1));
	return 0;
}

/* No shared writable mapping now, and none allowed from now on. */
static int mapping_deny_writable(struct address_space *as)
{
	int c = atomic_read(&as->i_mmap_writable);

	do {
		if (c > 0)
			return -EBUSY;
	} while (!atomic_try_cmpxchg(&as->i_mmap_writable, &c, c - 1));
	return 0;
}

/*
 * F_ADD_SEALS: -EPERM from a file not opened for writing or once
 * F_SEAL_SEAL is set, -EINVAL for unknown bits, -EBUSY for F_SEAL_WRITE
 * (also implied by F_SEAL_EXEC on an executable file) while a shared
 * mapping may write.
 */
int memfd_add_seals(struct file *f, unsigned int seals)
{
	struct address_space *as = f->mapping;
	int ret = 0;

	if (as->disk)
		return -EINVAL;	/* a regular file has no seals */
	if (!(f->f_mode & FMODE_WRITE))
		return -EPERM;
	if (seals & ~(unsigned int)F_ALL_SEALS)
		return -EINVAL;
	down_write(&as->i_rwsem);
	if (as->seals & F_SEAL_SEAL) {
		ret = -EPERM;
		goto out;
	}
	/* F_SEAL_EXEC makes an executable file W^X: it implies the rest */
	if ((seals & F_SEAL_EXEC) && (as->i_mode & 0111))
		seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
	if ((seals & F_SEAL_WRITE) && !(as->seals & F_SEAL_WRITE)) {
		ret = mapping_deny_writable(as);
		if (ret)
			goto out;
	}
	WRITE_ONCE(as->seals, as->seals | seals);
out:
	up_write(&as->i_rwsem);
	return ret;
}

int memfd_get_seals(struct file *f)
{
	if (f->mapping->disk)
		return -EINVAL;
	return (int)READ_ONCE(f->mapping->seals);
}

/*
 * mmap of a write-sealed file (F_SEAL_WRITE or F_SEAL_FUTURE_WRITE): a
 * shared writable mapping is -EPERM, a shared read-only one loses
 * VM_MAYWRITE so that mprotect cannot make it writable (-EACCES there).
 * Private mappings are left alone: their writes never reach the file.
 */
int memfd_check_seals_mmap(struct file *f, unsigned long *vm_flags)
{
	if (!(READ_ONCE(f->mapping->seals) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return 0;
	if (!(*vm_flags & VM_SHARED))
		return 0;
	if (*vm_flags & VM_WRITE)
		return -EPERM;
	*vm_flags &= ~VM_MAYWRITE;
	return 0;
}
