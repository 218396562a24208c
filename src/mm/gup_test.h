/*
 * gup_test.h - CONFIG_GUP_TEST's PIN_LONGTERM_TEST ioctls (gup_test.c).
 */
#ifndef MMLAB_GUP_TEST_H
#define MMLAB_GUP_TEST_H

#include <stdint.h>

struct file;
struct mm_struct;

#define PIN_LONGTERM_TEST_FLAG_USE_WRITE	1
#define PIN_LONGTERM_TEST_FLAG_USE_FAST		2

/* open of /sys/kernel/debug/gup_test: the file (one reference) */
int gup_test_open(struct file **out);
/* PIN_LONGTERM_TEST_START: pin [addr, addr + size) of @mm (page aligned;
 * -EINVAL when pins are held already or for bad flags) */
int pin_longterm_test_start(struct mm_struct *mm, struct file *f, uint64_t addr,
			    uint64_t size, unsigned int flags);
/* PIN_LONGTERM_TEST_READ: the first @len bytes the pinned pages hold */
int pin_longterm_test_read(struct file *f, void *buf, uint64_t len);
/* PIN_LONGTERM_TEST_STOP */
int pin_longterm_test_ioctl_stop(struct file *f);

#endif
