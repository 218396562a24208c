/*
 * splice.c - pipes and vmsplice(2) into them (the kernel's fs/pipe.c and
 * the vmsplice_to_pipe part of fs/splice.c), as far as the memory manager
 * sees them: a pipe holds pages, not bytes.
 *
 * A pipe is a ring of PIPE_DEF_BUFFERS (16) buffers, each a page reference
 * with an offset and a length.  vmsplice() of user memory takes FOLL_GET
 * references through get_user_pages_fast (read-only: no FOLL_WRITE, so no
 * unshare) on up to 16 pages at a time and puts one buffer per page in the
 * pipe until it is full; pages it took but found no room for are dropped
 * again.  A read copies from the pages as they are at read time and drops
 * each page's reference when its buffer is used up; closing the last end
 * drops all of them.  That is what makes a vmsplice'd page an extra
 * reference the CoW fault must respect.
 *
 * Where the kernel would block (vmsplice into a full pipe, a read of an
 * empty pipe with a writer left) these calls return -EAGAIN, as with
 * SPLICE_F_NONBLOCK / O_NONBLOCK: a scenario has nobody to wait for.
 *
 * Locks: pipe->lock guards head, tail and the buffers; it is never held
 * across get_user_pages (which takes mmap_lock and faults) or a put_page.
 */
#include <stdio.h>
#include <stdlib.h>
#include "gup.h"
#include "splice.h"

#define PIPE_DEF_BUFFERS	16

struct pipe_buffer {
	struct page *page;
	unsigned int offset, len;
};

struct pipe_inode_info {
	spinlock_t lock;
	unsigned int head, tail;	/* buffers [tail, head) hold data */
	unsigned int readers, writers;	/* open files of each end */
	struct pipe_buffer bufs[PIPE_DEF_BUFFERS];
};

static struct pipe_buffer *pipe_buf(struct pipe_inode_info *pipe, unsigned int i)
{
	return &pipe->bufs[i % PIPE_DEF_BUFFERS];
}

static void pipe_release(struct file *f);

/* The pipe behind @f, or NULL when it is no pipe. */
static struct pipe_inode_info *get_pipe_info(struct file *f)
{
	return f->release == pipe_release ? f->private_data : NULL;
}

static struct file *pipe_file(struct pipe_inode_info *pipe, unsigned int f_mode)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->refcount = 1;
	f->f_mode = f_mode;
	f->private_data = pipe;
	f->release = pipe_release;
	snprintf(f->name, sizeof(f->name), "pipe:");
	return f;
}

int create_pipe_files(struct file **res)
{
	struct pipe_inode_info *pipe = calloc(1, sizeof(*pipe));

	if (!pipe)
		return -ENOMEM;
	spin_lock_init(&pipe->lock);
	res[0] = pipe_file(pipe, FMODE_READ);
	res[1] = pipe_file(pipe, FMODE_WRITE);
	if (!res[0] || !res[1]) {
		free(res[0]);
		free(res[1]);
		free(pipe);
		return -ENFILE;
	}
	pipe->readers = pipe->writers = 1;
	return 0;
}

static void pipe_release(struct file *f)
{
	struct pipe_inode_info *pipe = f->private_data;
	bool last;

	spin_lock(&pipe->lock);
	if (f->f_mode & FMODE_READ)
		pipe->readers--;
	else
		pipe->writers--;
	last = !pipe->readers && !pipe->writers;
	spin_unlock(&pipe->lock);
	if (!last)
		return;
	for (unsigned int i = pipe->tail; i != pipe->head; i++)
		put_page(pipe_buf(pipe, i)->page);
	free(pipe);
}

/* Free buffers now (the writer is the only one adding). */
static unsigned int pipe_space(struct pipe_inode_info *pipe)
{
	unsigned int n;

	spin_lock(&pipe->lock);
	n = PIPE_DEF_BUFFERS - (pipe->head - pipe->tail);
	spin_unlock(&pipe->lock);
	return n;
}

/* add_to_pipe: false when the pipe is full (the caller keeps the page). */
static bool add_to_pipe(struct pipe_inode_info *pipe, struct page *page,
			unsigned int offset, unsigned int len)
{
	bool ok;

	spin_lock(&pipe->lock);
	ok = pipe->head - pipe->tail < PIPE_DEF_BUFFERS;
	if (ok) {
		*pipe_buf(pipe, pipe->head) = (struct pipe_buffer){ page, offset, len };
		pipe->head++;
	}
	spin_unlock(&pipe->lock);
	return ok;
}

/* iter_to_pipe: 16 pages at a time, as iov_iter_get_pages2 hands them. */
long vmsplice_to_pipe(struct mm_struct *mm, struct file *f, unsigned long addr,
		      unsigned long len)
{
	struct pipe_inode_info *pipe = get_pipe_info(f);
	struct page *pages[PIPE_DEF_BUFFERS];
	long done = 0;

	if (!pipe)
		return -EBADF;	/* vmsplice needs a pipe */
	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!len)
		return 0;
	if (addr + len < addr || addr + len > TASK_SIZE)
		return -EFAULT;
	if (!pipe_space(pipe))
		return -EAGAIN;
	while (len) {
		unsigned long first = addr & PAGE_MASK;
		unsigned long n = (ALIGN_UP(addr + len, PAGE_SIZE) - first) >> PAGE_SHIFT;
		long got, i;
		bool full = false;

		if (n > PIPE_DEF_BUFFERS)
			n = PIPE_DEF_BUFFERS;
		got = get_user_pages_fast_flags(mm, first, n, FOLL_GET, pages);
		if (got <= 0)
			return done ? done : (got ? got : -EFAULT);
		for (i = 0; i < got; i++) {
			unsigned int off = (unsigned int)(addr & ~PAGE_MASK);
			unsigned int l = (unsigned int)(len < PAGE_SIZE - off ? len : PAGE_SIZE - off);

			if (full || !add_to_pipe(pipe, pages[i], off, l)) {
				full = true;
				put_page(pages[i]);
				continue;
			}
			addr += l;
			len -= l;
			done += l;
		}
		if (full || got < (long)n)
			break;
	}
	return done;
}

/* Bytes of a page as they are now (other CPUs may be writing them). */
static void copy_from_page(void *dst, struct page *page, unsigned int off, unsigned int len)
{
	const uint8_t *s = (const uint8_t *)page_address(page) + off;
	uint8_t *d = dst;

	for (unsigned int i = 0; i < len; i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

long pipe_read(struct file *f, void *buf, unsigned long len)
{
	struct pipe_inode_info *pipe = get_pipe_info(f);
	long done = 0;

	if (!pipe)
		return -EINVAL;
	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	while (len) {
		struct pipe_buffer *b;
		struct page *drop = NULL;
		unsigned int n;

		spin_lock(&pipe->lock);
		if (pipe->tail == pipe->head) {
			bool writers = pipe->writers;

			spin_unlock(&pipe->lock);
			if (!done && writers)
				return -EAGAIN;
			break;
		}
		b = pipe_buf(pipe, pipe->tail);
		n = len < b->len ? (unsigned int)len : b->len;
		copy_from_page((uint8_t *)buf + done, b->page, b->offset, n);
		b->offset += n;
		b->len -= n;
		if (!b->len) {
			drop = b->page;
			pipe->tail++;
		}
		spin_unlock(&pipe->lock);
		if (drop)
			put_page(drop);
		done += n;
		len -= n;
	}
	return done;
}
