/*
 * api_files.c - the public C API's calls on the files GUP serves
 * (include/mmlab/mmlab.h): pipes and vmsplice, io_uring's fixed buffers,
 * CONFIG_GUP_TEST's pin interface, and /proc/PID/mem.  The fd table and
 * memfds are api_fd.c's.
 *
 * A call takes a reference on the file it works on (fdget_any) and runs
 * on the CPU of the process's main task, or of the task that makes it.
 */
#include "gup.h"
#include "splice.h"
#include "io_uring_rsrc.h"
#include "gup_test.h"

/* A new file from @make in @p's fd table: its fd, or -errno. */
static int install_new_file(struct mmlab_proc *p, int (*make)(struct file **))
{
	struct file *f;
	int fd, ret;

	if (!p)
		return -EINVAL;
	ret = make(&f);
	if (ret)
		return ret;
	fd = fd_install(p, f);
	if (fd < 0)
		fput(f);
	return fd;
}

/* The arguments of a call on one file (fd_call). */
struct fd_args {
	uint64_t addr, len;
	int64_t off;
	void *buf;
	unsigned int flags;
};

/* @fn on the file open at @fd, on task @t's CPU: its result, or -EBADF. */
static long fd_call(struct mmlab_task *t, int fd, const struct fd_args *a,
		    long (*fn)(struct mmlab_task *t, struct file *f, const struct fd_args *a))
{
	struct file *f;
	long ret;

	if (!t)
		return -EINVAL;
	f = fdget_any(t->proc, fd);
	if (!f)
		return -EBADF;
	task_enter(t);
	ret = fn(t, f, a);
	task_leave(t);
	fput(f);
	return ret;
}

int mmlab_pipe(struct mmlab_proc *p, int fds[2])
{
	struct file *f[2];
	int ret;

	if (!p || !fds)
		return -EINVAL;
	ret = create_pipe_files(f);
	if (ret)
		return ret;
	fds[0] = fd_install(p, f[0]);
	fds[1] = fds[0] < 0 ? -EMFILE : fd_install(p, f[1]);
	if (fds[1] < 0) {
		if (fds[0] >= 0)
			mmlab_close(p, fds[0]);
		else
			fput(f[0]);
		fput(f[1]);
		return -EMFILE;
	}
	return 0;
}

static long do_vmsplice(struct mmlab_task *t, struct file *f, const struct fd_args *a)
{
	return vmsplice_to_pipe(t->proc->mm, f, a->addr, a->len);
}

long mmlab_vmsplice(struct mmlab_task *t, int fd, uint64_t addr, uint64_t len)
{
	return fd_call(t, fd, &(struct fd_args){ .addr = addr, .len = len }, do_vmsplice);
}

static long do_read_fd(struct mmlab_task *t, struct file *f, const struct fd_args *a)
{
	(void)t;
	return pipe_read(f, a->buf, a->len);
}

long mmlab_read_fd(struct mmlab_proc *p, int fd, void *buf, uint64_t len)
{
	if (!p || (!buf && len))
		return -EINVAL;
	return fd_call(p->main, fd, &(struct fd_args){ .buf = buf, .len = len }, do_read_fd);
}

int mmlab_io_uring_setup(struct mmlab_proc *p)
{
	return install_new_file(p, io_uring_setup_file);
}

static long do_io_uring_register(struct mmlab_task *t, struct file *f, const struct fd_args *a)
{
	return io_sqe_buffer_register(t->proc->mm, f, a->addr, a->len);
}

int mmlab_io_uring_register_buffer(struct mmlab_task *t, int ring, uint64_t addr, uint64_t len)
{
	return (int)fd_call(t, ring, &(struct fd_args){ .addr = addr, .len = len },
			    do_io_uring_register);
}

static long do_io_uring_unregister(struct mmlab_task *t, struct file *f, const struct fd_args *a)
{
	(void)t;
	(void)a;
	return io_sqe_buffers_unregister(f);
}

int mmlab_io_uring_unregister_buffers(struct mmlab_proc *p, int ring)
{
	return p ? (int)fd_call(p->main, ring, &(struct fd_args){ 0 }, do_io_uring_unregister) :
		   -EINVAL;
}

long mmlab_io_uring_write_fixed(struct mmlab_proc *p, int ring, int fd, uint64_t addr,
				uint64_t len, int64_t off)
{
	struct file *r, *f;
	long ret;

	if (!p)
		return -EINVAL;
	r = fdget_any(p, ring);
	if (!r)
		return -EBADF;
	f = fdget_any(p, fd);
	if (!f) {
		fput(r);
		return -EBADF;
	}
	task_enter(p->main);
	ret = io_write_fixed(r, f, addr, len, off);
	task_leave(p->main);
	fput(f);
	fput(r);
	return ret;
}

int mmlab_gup_test_open(struct mmlab_proc *p)
{
	return install_new_file(p, gup_test_open);
}

static long do_pin_start(struct mmlab_task *t, struct file *f, const struct fd_args *a)
{
	return pin_longterm_test_start(t->proc->mm, f, a->addr, a->len, a->flags);
}

int mmlab_pin_longterm_test_start(struct mmlab_task *t, int fd, uint64_t addr,
				  uint64_t size, unsigned int flags)
{
	return (int)fd_call(t, fd, &(struct fd_args){ .addr = addr, .len = size, .flags = flags },
			    do_pin_start);
}

static long do_pin_read(struct mmlab_task *t, struct file *f, const struct fd_args *a)
{
	(void)t;
	return pin_longterm_test_read(f, a->buf, a->len);
}

int mmlab_pin_longterm_test_read(struct mmlab_proc *p, int fd, void *buf, uint64_t len)
{
	if (!p || (!buf && len))
		return -EINVAL;
	return (int)fd_call(p->main, fd, &(struct fd_args){ .buf = buf, .len = len }, do_pin_read);
}

static long do_pin_stop(struct mmlab_task *t, struct file *f, const struct fd_args *a)
{
	(void)t;
	(void)a;
	return pin_longterm_test_ioctl_stop(f);
}

int mmlab_pin_longterm_test_stop(struct mmlab_proc *p, int fd)
{
	return p ? (int)fd_call(p->main, fd, &(struct fd_args){ 0 }, do_pin_stop) : -EINVAL;
}

long mmlab_proc_mem(struct mmlab_proc *p, uint64_t addr, void *buf, uint64_t len, bool write)
{
	long ret;

	if (!p || (!buf && len))
		return -EINVAL;
	if (addr >= TASK_SIZE || len > TASK_SIZE - addr)
		return -EIO;
	task_enter(p->main);
	ret = access_remote_vm(p->mm, addr, buf, len, write);
	task_leave(p->main);
	return ret;
}
