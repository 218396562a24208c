/*
 * api_fd.c - the public C API's file calls (include/mmlab/mmlab.h): the
 * fd table (fd_install, fdget), memfd_create and plain files, pread and
 * pwrite, reopen, close, ftruncate, fallocate and the memfd seals.  The
 * calls on pipes, io_uring and the GUP test files are api_files.c's.
 *
 * Locks: a process's fd table is under p->lock; a call holds a reference
 * on the file it works on (fdget) and drops it when done.
 */
#include <stdlib.h>
#include "swap.h"

/* The lowest free fd >= 3 for @f (the caller's reference), or -EMFILE. */
int fd_install(struct mmlab_proc *p, struct file *f)
{
	int fd = -EMFILE;

	spin_lock(&p->lock);
	for (int i = 3; i < (int)ARRAY_SIZE(p->fds); i++) {
		if (!p->fds[i]) {
			p->fds[i] = f;
			fd = i;
			break;
		}
	}
	spin_unlock(&p->lock);
	return fd;
}

/* The file open at @fd, with a reference, or NULL. */
struct file *fdget_any(struct mmlab_proc *p, int fd)
{
	struct file *f = NULL;

	spin_lock(&p->lock);
	if (fd >= 0 && fd < (int)ARRAY_SIZE(p->fds))
		f = p->fds[fd];
	if (f)
		get_file(f);
	spin_unlock(&p->lock);
	return f;
}

/* The memfd or regular file open at @fd, with a reference, or NULL (none,
 * or a pipe or an io_uring: the calls that take it are the page cache's). */
static struct file *fdget(struct mmlab_proc *p, int fd)
{
	struct file *f = fdget_any(p, fd);

	if (f && f->release) {
		fput(f);
		return NULL;
	}
	return f;
}

int mmlab_memfd_create(struct mmlab_proc *p, const char *name, unsigned int flags)
{
	struct file *f;
	int fd;

	if (!p || !name)
		return -EFAULT;
	fd = do_memfd_create(name, flags, &f);
	if (fd)
		return fd;
	fd = fd_install(p, f);
	if (fd < 0)
		fput(f);
	return fd;
}

/* A new fd @fd (or -errno) sized to @size bytes; closed again on failure. */
static int fd_sized(struct mmlab_proc *p, int fd, uint64_t size)
{
	int ret;

	if (fd < 0)
		return fd;
	ret = mmlab_ftruncate(p, fd, (int64_t)size);
	if (ret) {
		mmlab_close(p, fd);
		return ret;
	}
	return fd;
}

int mmlab_file_create(struct mmlab_proc *p, const char *name, uint64_t size)
{
	struct file *f;
	int fd;

	if (!p || !name)
		return -EFAULT;
	f = filemap_file_create(name);
	if (!f)
		return -ENOMEM;
	fd = fd_install(p, f);
	if (fd < 0)
		fput(f);
	return fd_sized(p, fd, size);
}

static long fd_rw(struct mmlab_proc *p, int fd, void *buf, size_t len, int64_t off,
		  bool write)
{
	struct file *f;
	long ret;

	if (!p || (!buf && len))
		return -EFAULT;
	f = fdget(p, fd);
	if (!f)
		return -EBADF;
	task_enter(p->main);
	ret = file_rw(f, off, buf, len, write);
	task_leave(p->main);
	fput(f);
	return ret;
}

long mmlab_pread(struct mmlab_proc *p, int fd, void *buf, size_t len, int64_t off)
{
	return fd_rw(p, fd, buf, len, off, false);
}

long mmlab_pwrite(struct mmlab_proc *p, int fd, const void *buf, size_t len, int64_t off)
{
	return fd_rw(p, fd, (void *)buf, len, off, true);
}

int mmlab_memfd(struct mmlab_proc *p, const char *name, uint64_t size)
{
	return fd_sized(p, mmlab_memfd_create(p, name, 0), size);
}

int mmlab_reopen(struct mmlab_proc *p, int fd, int flags)
{
	static const unsigned int modes[] = {
		[MMLAB_O_RDONLY] = FMODE_READ,
		[MMLAB_O_WRONLY] = FMODE_WRITE,
		[MMLAB_O_RDWR] = FMODE_READ | FMODE_WRITE,
	};
	struct file *f, *n;
	int nfd;

	if (!p || flags < 0 || flags > MMLAB_O_RDWR)
		return -EINVAL;
	f = fdget(p, fd);
	if (!f)
		return -ENOENT;	/* no /proc/self/fd entry */
	n = shmem_file_reopen(f, modes[flags]);
	fput(f);
	if (!n)
		return -ENOMEM;
	nfd = fd_install(p, n);
	if (nfd < 0)
		fput(n);
	return nfd;
}

int mmlab_close(struct mmlab_proc *p, int fd)
{
	struct file *f = NULL;

	if (!p)
		return -EINVAL;
	spin_lock(&p->lock);
	if (fd >= 0 && fd < (int)ARRAY_SIZE(p->fds)) {
		f = p->fds[fd];
		p->fds[fd] = NULL;
	}
	spin_unlock(&p->lock);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

int mmlab_ftruncate(struct mmlab_proc *p, int fd, int64_t length)
{
	struct file *f;
	int ret;

	if (!p)
		return -EINVAL;
	if (length < 0)
		return -EINVAL;
	f = fdget(p, fd);
	if (!f)
		return -EBADF;
	if (!(f->f_mode & FMODE_WRITE)) {
		fput(f);
		return -EINVAL;
	}
	task_enter(p->main);
	ret = shmem_setattr(f, length);
	task_leave(p->main);
	fput(f);
	return ret;
}

int mmlab_fallocate(struct mmlab_proc *p, int fd, int mode, int64_t offset, int64_t len)
{
	struct file *f;
	int ret;

	if (!p)
		return -EINVAL;
	f = fdget(p, fd);
	if (!f)
		return -EBADF;
	task_enter(p->main);
	ret = vfs_fallocate(f, mode, offset, len);
	task_leave(p->main);
	fput(f);
	return ret;
}

int mmlab_add_seals(struct mmlab_proc *p, int fd, unsigned int seals)
{
	struct file *f = p ? fdget(p, fd) : NULL;
	int ret;

	if (!f)
		return -EBADF;
	ret = memfd_add_seals(f, seals);
	fput(f);
	return ret;
}

int mmlab_get_seals(struct mmlab_proc *p, int fd)
{
	struct file *f = p ? fdget(p, fd) : NULL;
	int ret;

	if (!f)
		return -EBADF;
	ret = memfd_get_seals(f);
	fput(f);
	return ret;
}
