/*
 * io_uring_rsrc.c - io_uring's registered (fixed) buffers, as far as the
 * memory manager sees them (the kernel's io_uring/rsrc.c): registering a
 * buffer pins its pages with FOLL_WRITE | FOLL_LONGTERM
 * (pin_user_pages_fast), and IORING_OP_WRITE_FIXED writes from those
 * pinned pages, not through the page tables, into a file.  So a pin that
 * lost its page to a CoW (a fork that shared it, a write fault that
 * copied it) would write stale data: the test of the pinning rules.
 *
 * The ring itself is a file with one registered buffer (index 0) at most;
 * there are no submission or completion queues: a write_fixed runs at
 * once and returns what its completion's res would be.  Memory-lock
 * accounting of registered buffers (RLIMIT_MEMLOCK) is not modelled.
 *
 * Locks: ctx->lock guards the buffer table; pinning and unpinning run
 * outside it (they take mmap_lock and fault), a registration in progress
 * is marked by ctx->busy.
 */
#include <stdio.h>
#include <stdlib.h>
#include "gup.h"
#include "io_uring_rsrc.h"

struct io_ring_ctx {
	spinlock_t lock;
	bool busy;			/* a registration is under way */
	struct page **pages;		/* the buffer's pinned pages */
	unsigned long nr_pages;
	uint64_t ubuf, len;		/* the user range registered */
};

static void io_ring_release(struct file *f);

static struct io_ring_ctx *io_ring_ctx(struct file *f)
{
	return f->release == io_ring_release ? f->private_data : NULL;
}

int io_uring_setup_file(struct file **out)
{
	struct io_ring_ctx *ctx = calloc(1, sizeof(*ctx));
	struct file *f = calloc(1, sizeof(*f));

	if (!ctx || !f) {
		free(ctx);
		free(f);
		return -ENOMEM;
	}
	spin_lock_init(&ctx->lock);
	f->refcount = 1;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->private_data = ctx;
	f->release = io_ring_release;
	snprintf(f->name, sizeof(f->name), "[io_uring]");
	*out = f;
	return 0;
}

/* Take the buffer out of the table: its pages to unpin, or NULL. */
static struct page **take_buffer(struct io_ring_ctx *ctx, unsigned long *nr)
{
	struct page **pages;

	spin_lock(&ctx->lock);
	pages = ctx->busy ? NULL : ctx->pages;
	*nr = ctx->nr_pages;
	if (pages) {
		ctx->pages = NULL;
		ctx->nr_pages = 0;
	}
	spin_unlock(&ctx->lock);
	return pages;
}

static void io_ring_release(struct file *f)
{
	struct io_ring_ctx *ctx = f->private_data;
	unsigned long nr;
	struct page **pages = take_buffer(ctx, &nr);

	if (pages) {
		unpin_user_pages(pages, nr);
		free(pages);
	}
	free(ctx);
}

int io_sqe_buffer_register(struct mm_struct *mm, struct file *f, uint64_t addr, uint64_t len)
{
	struct io_ring_ctx *ctx = io_ring_ctx(f);
	unsigned long first = addr & PAGE_MASK, nr;
	struct page **pages;
	long got;

	if (!ctx)
		return -EBADF;
	if (!len || addr + len < addr || addr + len > TASK_SIZE)
		return -EFAULT;
	nr = (ALIGN_UP(addr + len, PAGE_SIZE) - first) >> PAGE_SHIFT;
	pages = calloc(nr, sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	spin_lock(&ctx->lock);
	if (ctx->pages || ctx->busy) {
		spin_unlock(&ctx->lock);
		free(pages);
		return -EBUSY;
	}
	ctx->busy = true;
	spin_unlock(&ctx->lock);
	got = get_user_pages_fast_flags(mm, first, nr, FOLL_PIN | FOLL_WRITE | FOLL_LONGTERM,
					pages);
	if (got != (long)nr) {
		if (got > 0)
			unpin_user_pages(pages, (unsigned long)got);
		free(pages);
		WRITE_ONCE(ctx->busy, false);
		return got < 0 ? (int)got : -EFAULT;
	}
	spin_lock(&ctx->lock);
	ctx->pages = pages;
	ctx->nr_pages = nr;
	ctx->ubuf = addr;
	ctx->len = len;
	ctx->busy = false;
	spin_unlock(&ctx->lock);
	return 0;
}

int io_sqe_buffers_unregister(struct file *f)
{
	struct io_ring_ctx *ctx = io_ring_ctx(f);
	struct page **pages;
	unsigned long nr;

	if (!ctx)
		return -EBADF;
	pages = take_buffer(ctx, &nr);
	if (!pages)
		return -ENXIO;
	unpin_user_pages(pages, nr);
	free(pages);
	return 0;
}

/* Bytes [addr, addr + len) of the registered buffer, from its pages. */
static int copy_from_buffer(struct io_ring_ctx *ctx, uint8_t *dst, uint64_t addr, uint64_t len)
{
	int ret = 0;

	spin_lock(&ctx->lock);
	if (!ctx->pages || addr < ctx->ubuf || addr + len > ctx->ubuf + ctx->len) {
		ret = -EFAULT;
	} else {
		uint64_t at = addr - (ctx->ubuf & PAGE_MASK);

		for (uint64_t i = 0; i < len; i++, at++) {
			const uint8_t *s = page_address(ctx->pages[at >> PAGE_SHIFT]);

			dst[i] = __atomic_load_n(&s[at & ~PAGE_MASK], __ATOMIC_RELAXED);
		}
	}
	spin_unlock(&ctx->lock);
	return ret;
}

long io_write_fixed(struct file *ring, struct file *dst, uint64_t addr, uint64_t len,
		    int64_t off)
{
	struct io_ring_ctx *ctx = io_ring_ctx(ring);
	uint8_t *buf;
	long ret;

	if (!ctx || dst->release)
		return -EBADF;	/* a regular file or a memfd */
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	ret = copy_from_buffer(ctx, buf, addr, len);
	if (!ret)
		ret = file_rw(dst, off, buf, len, true);
	free(buf);
	return ret;
}
