/*
 * gup_test.c - the PIN_LONGTERM_TEST ioctls of CONFIG_GUP_TEST's
 * /sys/kernel/debug/gup_test (the kernel's mm/gup_test.c), the driver the
 * cow selftests pin pages through: START pins a range FOLL_PIN |
 * FOLL_LONGTERM (read-only unless FOLL_WRITE is asked for; through
 * pin_user_pages_fast or pin_user_pages), READ copies what the pinned
 * pages hold now, STOP unpins them, and so does closing the file.
 *
 * The kernel keeps one set of pins for the whole system; here each open
 * file keeps its own (a scenario opens one).  Locks: state->lock guards
 * the pinned pages; pinning and unpinning run outside it, a START in
 * progress is marked by state->busy.
 */
#include <stdio.h>
#include <stdlib.h>
#include "gup.h"
#include "gup_test.h"

struct pin_longterm_test {
	spinlock_t lock;
	bool busy;
	struct page **pages;
	unsigned long nr_pages;
};

static void gup_test_release(struct file *f);

static struct pin_longterm_test *gup_test_state(struct file *f)
{
	return f->release == gup_test_release ? f->private_data : NULL;
}

int gup_test_open(struct file **out)
{
	struct pin_longterm_test *t = calloc(1, sizeof(*t));
	struct file *f = calloc(1, sizeof(*f));

	if (!t || !f) {
		free(t);
		free(f);
		return -ENOMEM;
	}
	spin_lock_init(&t->lock);
	f->refcount = 1;
	f->f_mode = FMODE_READ | FMODE_WRITE;
	f->private_data = t;
	f->release = gup_test_release;
	snprintf(f->name, sizeof(f->name), "gup_test");
	*out = f;
	return 0;
}

static int pin_longterm_test_stop(struct pin_longterm_test *t)
{
	struct page **pages;
	unsigned long nr;

	spin_lock(&t->lock);
	if (t->busy) {
		spin_unlock(&t->lock);
		return -EBUSY;
	}
	pages = t->pages;
	nr = t->nr_pages;
	t->pages = NULL;
	t->nr_pages = 0;
	spin_unlock(&t->lock);
	if (pages) {
		unpin_user_pages(pages, nr);
		free(pages);
	}
	return 0;
}

static void gup_test_release(struct file *f)
{
	pin_longterm_test_stop(f->private_data);
	free(f->private_data);
}

int pin_longterm_test_start(struct mm_struct *mm, struct file *f, uint64_t addr,
			    uint64_t size, unsigned int flags)
{
	struct pin_longterm_test *t = gup_test_state(f);
	unsigned int gup_flags = FOLL_PIN | FOLL_LONGTERM;
	unsigned long nr = size >> PAGE_SHIFT, done = 0;
	struct page **pages;
	long got = 0;

	if (!t)
		return -EINVAL;
	if (flags & ~(PIN_LONGTERM_TEST_FLAG_USE_WRITE | PIN_LONGTERM_TEST_FLAG_USE_FAST))
		return -EINVAL;
	if ((addr | size) & ~PAGE_MASK || !nr || addr + size < addr || addr + size > TASK_SIZE)
		return -EINVAL;
	if (flags & PIN_LONGTERM_TEST_FLAG_USE_WRITE)
		gup_flags |= FOLL_WRITE;
	pages = calloc(nr, sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	spin_lock(&t->lock);
	if (t->pages || t->busy) {
		spin_unlock(&t->lock);
		free(pages);
		return -EINVAL;
	}
	t->busy = true;
	spin_unlock(&t->lock);
	while (done < nr) {
		if (flags & PIN_LONGTERM_TEST_FLAG_USE_FAST)
			got = get_user_pages_fast_flags(mm, addr + (done << PAGE_SHIFT), nr - done,
							gup_flags, pages + done);
		else
			got = __get_user_pages_locked(mm, addr + (done << PAGE_SHIFT), nr - done,
						      gup_flags, pages + done);
		if (got <= 0)
			break;
		done += (unsigned long)got;
	}
	if (done < nr) {
		unpin_user_pages(pages, done);
		free(pages);
		WRITE_ONCE(t->busy, false);
		return got < 0 ? (int)got : -EFAULT;
	}
	spin_lock(&t->lock);
	t->pages = pages;
	t->nr_pages = nr;
	t->busy = false;
	spin_unlock(&t->lock);
	return 0;
}

int pin_longterm_test_read(struct file *f, void *buf, uint64_t len)
{
	struct pin_longterm_test *t = gup_test_state(f);
	int ret = 0;

	if (!t)
		return -EINVAL;
	spin_lock(&t->lock);
	if (!t->pages || len > ((uint64_t)t->nr_pages << PAGE_SHIFT)) {
		ret = -EINVAL;
	} else {
		for (uint64_t i = 0; i < len; i++) {
			const uint8_t *s = page_address(t->pages[i >> PAGE_SHIFT]);

			((uint8_t *)buf)[i] = __atomic_load_n(&s[i & ~PAGE_MASK], __ATOMIC_RELAXED);
		}
	}
	spin_unlock(&t->lock);
	return ret;
}

int pin_longterm_test_ioctl_stop(struct file *f)
{
	struct pin_longterm_test *t = gup_test_state(f);

	return t ? pin_longterm_test_stop(t) : -EINVAL;
}
